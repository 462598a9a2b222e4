"""Marks the subscriptions whose resolver sets an AppSync enhanced filter, and what invalidates them.

Such a subscription has a resolver on the Lambda data source (APPSYNC_JS,
`infra/subscription_filter_resolver.js`). When a client subscribes, the API function
returns the subscriber's filter (`{"filterGroup": [...]}`, AppSync's shape) or fails the
subscription; the JS passes the result to `extensions.setSubscriptionFilter`, and sets
an invalidation filter on the subscriber's own user id (`userId eq <sub>`). Each mutation
named in `invalidated_by` then calls `extensions.invalidateSubscriptions` with the
payload `{userId: <caller's sub>}` (`infra/invalidating_resolver.js`): it ends the
caller's own subscriptions to the field, so the client subscribes again with a fresh filter.

One declaration feeds both runtimes: the CDK stack attaches those resolvers, and the
emulator applies the same filters and invalidations for any field marked here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry

from schema.directives import Subscribe

FILTERED = "subscription_filter"
# The invalidation payload's field, and the invalidation filter's: the caller's user id (Cognito `sub`).
OWNER_FIELD = "userId"


@dataclass(frozen=True)
class FilteredSubscription:
    """A subscription whose Lambda returns its enhanced filter; `invalidated_by` end it for their caller."""

    type_name: str
    field_name: str
    invalidated_by: tuple[str, ...]


def filtered_subscription_field(
    *, mutations: Sequence[str], invalidated_by: Sequence[str] = (), auth: Sequence[object]
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a subscription fed by these mutations' results, filtered by the filter its Lambda returns."""

    def declare(resolver: Callable[..., Any]) -> Any:
        return strawberry.subscription(
            resolver=resolver,
            directives=[*auth, Subscribe(mutations=list(mutations))],
            description=inspect.cleandoc(resolver.__doc__ or "") or None,
            metadata={FILTERED: {"invalidated_by": list(invalidated_by)}},
        )

    return declare


def filtered_subscriptions(schema: strawberry.Schema) -> list[FilteredSubscription]:
    """Every filtered subscription of the schema, in a stable order."""
    found = []
    for type_def in schema.schema_converter.type_map.values():
        definition = type_def.definition
        for field in getattr(definition, "fields", []):
            marker = field.metadata.get(FILTERED) if field.metadata else None
            if marker is not None:
                name = schema.config.name_converter.get_graphql_name(field)
                found.append(FilteredSubscription(definition.name, name, tuple(marker["invalidated_by"])))
    return sorted(found, key=lambda f: (f.type_name, f.field_name))


def invalidations(subscriptions: Sequence[FilteredSubscription]) -> dict[str, list[str]]:
    """Mutation name -> the subscription fields it invalidates for its caller."""
    by_mutation: dict[str, list[str]] = {}
    for subscription in subscriptions:
        for mutation in subscription.invalidated_by:
            by_mutation.setdefault(mutation, []).append(subscription.field_name)
    return by_mutation
