"""Who is calling: owned data (follows, inbox, offline library) is always the caller's own."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes.appsync_resolver_event import AppSyncIdentityCognito

from resolvers.accounts import ADMIN_GROUP
from resolvers.errors import UnauthorizedError


def user_id(identity: Any) -> str | None:
    """The user id (Cognito `sub`) of a signed-in caller; None for a guest or the backend (IAM)."""
    return identity.sub if isinstance(identity, AppSyncIdentityCognito) else None


def signed_in_user(router: Router, refusal: str) -> str:
    """The caller's user id (Cognito `sub`); UnauthorizedError with `refusal` for anyone else."""
    caller = user_id(router.current_event.identity)
    if caller is None:
        raise UnauthorizedError(refusal)
    return caller


def is_admin(identity: Any) -> bool:
    """Admins see the catalog as it is being built (drafts, pending and failed songs); others see what plays."""
    return isinstance(identity, AppSyncIdentityCognito) and ADMIN_GROUP in (identity.groups or [])
