"""GraphQL fields that list and search the catalog, each a thin call into `resolvers.discover`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers import charts as chart_lists
from resolvers import discover, smart_playlists
from resolvers.routes.identity import is_admin
from resolvers.routes.selection import selects

router = Router()


@router.resolver(type_name="Query", field_name="songs")
def songs(
    filter: dict[str, Any] | None = None,
    sort: str | None = None,
    limit: int | None = None,
    nextToken: str | None = None,
) -> dict[str, Any]:
    return discover.list_songs(
        filter, sort, limit, nextToken, playable_only=not is_admin(router.current_event.identity)
    )


@router.resolver(type_name="Query", field_name="albums")
def albums(
    filter: dict[str, Any] | None = None,
    sort: str | None = None,
    limit: int | None = None,
    nextToken: str | None = None,
) -> dict[str, Any]:
    return discover.list_albums(filter, sort, limit, nextToken)


@router.resolver(type_name="Query", field_name="artists")
def artists(
    filter: dict[str, Any] | None = None, limit: int | None = None, nextToken: str | None = None
) -> dict[str, Any]:
    return discover.list_artists(filter, limit, nextToken)


@router.resolver(type_name="Query", field_name="search")
def search(query: str, limit: int | None = None) -> dict[str, list[dict[str, Any]]]:
    found = discover.search(query, limit, playable_only=not is_admin(router.current_event.identity))
    # A smart playlist's count is an evaluation: only when the caller asked for it (as in myPlaylists).
    if selects(router, "playlists/songCount", "playlists/durationSeconds"):
        found["playlists"] = [smart_playlists.with_count(p) for p in found["playlists"]]
    return found


@router.resolver(type_name="Query", field_name="charts")
def charts(period: str, genre: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    return chart_lists.charts(period, genre, limit)
