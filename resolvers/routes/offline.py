"""GraphQL fields of offline playback; each acts on the caller's own library only."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers import offline
from resolvers.routes.identity import signed_in_user

router = Router()


def _caller() -> str:
    """The signed-in caller's id: a library is always the caller's own."""
    return signed_in_user(router, "Sign in to keep songs offline")


@router.resolver(type_name="Mutation", field_name="addToOffline")
def add_to_offline(songId: str) -> dict[str, Any]:
    return offline.add(_caller(), songId)


@router.resolver(type_name="Mutation", field_name="removeFromOffline")
def remove_from_offline(songId: str) -> str:
    return offline.remove(_caller(), songId)


@router.resolver(type_name="Query", field_name="offlineLibrary")
def offline_library(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    return offline.library(_caller(), limit, nextToken)


@router.resolver(type_name="Mutation", field_name="offlineSync")
def offline_sync(since: str | None = None) -> dict[str, Any]:
    return offline.sync(_caller(), since)
