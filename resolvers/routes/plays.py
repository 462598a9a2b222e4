"""GraphQL fields of listening, each a thin call into `resolvers.plays`; the caller is the token's subject."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import plays as listening
from resolvers.routes.identity import signed_in_user, user_id
from resolvers.routes.selection import selects

router = Router()


def _caller() -> str:
    return signed_in_user(router, "Sign in to record plays")


@router.resolver(type_name="Mutation", field_name="recordPlay")
def record_play(input: dict[str, Any]) -> dict[str, bool]:
    return listening.record_play(_caller(), input)


@router.resolver(type_name="Mutation", field_name="recordPlays")
def record_plays(plays: list[dict[str, Any]]) -> list[dict[str, bool]]:
    return listening.record_plays(_caller(), plays)


@router.resolver(type_name="Query", field_name="recentlyPlayed")
def recently_played(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    return listening.recently_played(_caller(), limit, nextToken, with_songs=selects(router, "items/song"))


@router.batch_resolver(type_name="Song", field_name="myPlayCount", raise_on_error=True)
def my_play_count(event: list[AppSyncResolverEvent]) -> list[int]:
    return listening.my_play_counts([(user_id(e.identity), e.source["id"]) for e in event])
