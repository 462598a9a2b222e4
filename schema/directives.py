"""AppSync's auth and subscription directives, declared for strawberry.

AppSync enforces these in the cloud and the local emulator enforces the very same
declarations, so auth is written once, in the schema. The exported SDL uses them
without re-declaring them (AppSync defines them itself).
"""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location

_WHERE = [Location.FIELD_DEFINITION, Location.OBJECT]


@strawberry.schema_directive(locations=_WHERE, name="aws_cognito_user_pools")
class CognitoUserPools:
    """Callers signed in with the user pool; optionally only these groups."""

    cognito_groups: list[str] | None = strawberry.directive_field(name="cognito_groups", default=None)


@strawberry.schema_directive(locations=_WHERE, name="aws_api_key")
class ApiKey:
    """Callers presenting the API's key: guests, before they have an account."""


@strawberry.schema_directive(locations=_WHERE, name="aws_iam")
class Iam:
    """Callers signing with AWS IAM credentials: the backend itself."""


@strawberry.schema_directive(locations=[Location.FIELD_DEFINITION], name="aws_subscribe")
class Subscribe:
    """A subscription fed by the results of these mutations."""

    mutations: list[str]


LISTENER_GROUP = "users"
ADMIN_GROUP = "admin"

# The audiences of this API, as directive lists to put on fields and types.
GUEST = [ApiKey()]
LISTENER = [CognitoUserPools(cognito_groups=[LISTENER_GROUP, ADMIN_GROUP])]
ADMIN = [CognitoUserPools(cognito_groups=[ADMIN_GROUP])]
BACKEND = [Iam()]
