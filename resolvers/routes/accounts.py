"""GraphQL fields of accounts, each a thin call into `resolvers.accounts`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes.appsync_resolver_event import AppSyncIdentityCognito

from resolvers import accounts
from resolvers.errors import UnauthorizedError

router = Router()


@router.resolver(type_name="Mutation", field_name="register")
def register(email: str, password: str, displayName: str) -> dict[str, Any]:
    return accounts.register(email, password, displayName)


@router.resolver(type_name="Mutation", field_name="confirmRegistration")
def confirm_registration(email: str, code: str) -> bool:
    return accounts.confirm(email, code)


@router.resolver(type_name="Mutation", field_name="login")
def login(email: str, password: str) -> dict[str, Any]:
    return accounts.login(email, password)


@router.resolver(type_name="Mutation", field_name="refreshSession")
def refresh_session(refreshToken: str) -> dict[str, Any]:
    return accounts.refresh(refreshToken)


@router.resolver(type_name="Query", field_name="me")
def me() -> dict[str, Any]:
    identity = router.current_event.identity
    if not isinstance(identity, AppSyncIdentityCognito):
        raise UnauthorizedError("Sign in to see your profile")
    return accounts.me(identity.sub, list(identity.groups or []))
