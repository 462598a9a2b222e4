"""Who is calling: owned data (follows, inbox, offline library) is always the caller's own."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes.appsync_resolver_event import AppSyncIdentityCognito

from resolvers.errors import UnauthorizedError


def signed_in_user(router: Router, refusal: str) -> str:
    """The caller's user id (Cognito `sub`); UnauthorizedError with `refusal` for anyone else."""
    identity = router.current_event.identity
    if not isinstance(identity, AppSyncIdentityCognito):
        raise UnauthorizedError(refusal)
    return identity.sub
