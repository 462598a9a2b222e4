"""GraphQL fields of listening, each a thin call into `resolvers.plays`; the caller is the token's subject."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent
from aws_lambda_powertools.utilities.data_classes.appsync_resolver_event import AppSyncIdentityCognito

from resolvers import plays as listening
from resolvers.routes.identity import signed_in_user

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
    selected = router.current_event.info.selection_set_list
    with_songs = any(path == "items/song" or path.startswith("items/song/") for path in selected)
    return listening.recently_played(_caller(), limit, nextToken, with_songs=with_songs)


@router.batch_resolver(type_name="Song", field_name="myPlayCount", raise_on_error=True)
def my_play_count(event: list[AppSyncResolverEvent]) -> list[int]:
    callers = [e.identity.sub if isinstance(e.identity, AppSyncIdentityCognito) else None for e in event]
    return listening.my_play_counts([(caller, e.source["id"]) for caller, e in zip(callers, event, strict=True)])
