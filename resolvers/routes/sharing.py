"""GraphQL fields of share links, each a thin call into `resolvers.sharing`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers import sharing
from resolvers.routes.identity import signed_in_user

router = Router()


def _caller() -> str:
    return signed_in_user(router, "Sign in to share")


@router.resolver(type_name="Mutation", field_name="createShareLink")
def create_share_link(input: dict[str, Any]) -> dict[str, Any]:
    return sharing.create_share_link(_caller(), input)


@router.resolver(type_name="Mutation", field_name="revokeShareLink")
def revoke_share_link(token: str) -> bool:
    return sharing.revoke_share_link(_caller(), token)


@router.resolver(type_name="Query", field_name="myShareLinks")
def my_share_links(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    return sharing.my_share_links(_caller(), limit, nextToken)


@router.resolver(type_name="Query", field_name="shared")
def shared(token: str) -> dict[str, Any]:
    """Anyone holding the link: guests (the API key) and listeners alike."""
    return sharing.shared(token)
