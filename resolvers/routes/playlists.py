"""GraphQL fields of playlists, each a thin call into `resolvers.playlists` (and smart playlists)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import playlists, smart_playlists
from resolvers.routes.identity import signed_in_user
from resolvers.routes.selection import selects

router = Router()


def _caller() -> str:
    return signed_in_user(router, "Sign in to keep playlists")


def _counted(playlist: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A smart playlist's count is an evaluation: only when the caller asked for it."""
    if selects(router, f"{prefix}songCount", f"{prefix}durationSeconds"):
        return smart_playlists.with_count(playlist)
    return playlist


@router.resolver(type_name="Mutation", field_name="createPlaylist")
def create_playlist(input: dict[str, Any]) -> dict[str, Any]:
    return playlists.create_playlist(_caller(), input)


@router.resolver(type_name="Mutation", field_name="createSmartPlaylist")
def create_smart_playlist(input: dict[str, Any]) -> dict[str, Any]:
    return smart_playlists.create_smart_playlist(_caller(), input)


@router.resolver(type_name="Mutation", field_name="updatePlaylist")
def update_playlist(id: str, input: dict[str, Any]) -> dict[str, Any]:
    return _counted(playlists.update_playlist(_caller(), id, input))


@router.resolver(type_name="Mutation", field_name="deletePlaylist")
def delete_playlist(id: str) -> str:
    return playlists.delete_playlist(_caller(), id)


@router.resolver(type_name="Mutation", field_name="addToPlaylist")
def add_to_playlist(
    playlistId: str, songIds: list[str], afterEntryId: str | None = None, atStart: bool | None = None
) -> dict[str, Any]:
    return playlists.add_to_playlist(_caller(), playlistId, songIds, afterEntryId, atStart)


@router.resolver(type_name="Mutation", field_name="removeFromPlaylist")
def remove_from_playlist(playlistId: str, entryIds: list[str]) -> dict[str, Any]:
    return playlists.remove_from_playlist(_caller(), playlistId, entryIds)


@router.resolver(type_name="Mutation", field_name="movePlaylistEntry")
def move_playlist_entry(
    playlistId: str, entryId: str, afterEntryId: str | None = None, atStart: bool | None = None
) -> dict[str, Any]:
    return playlists.move_entry(_caller(), playlistId, entryId, afterEntryId, atStart)


@router.resolver(type_name="Query", field_name="playlist")
def playlist(id: str) -> dict[str, Any]:
    return _counted(playlists.get_playlist(_caller(), id))


@router.resolver(type_name="Query", field_name="myPlaylists")
def my_playlists(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    page = playlists.my_playlists(_caller(), limit, nextToken)
    return {**page, "items": [_counted(p, "items/") for p in page["items"]]}


@router.batch_resolver(type_name="Playlist", field_name="owner", raise_on_error=True)
def owners(event: list[AppSyncResolverEvent]) -> list[dict[str, Any]]:
    return playlists.owners([e.source["ownerId"] for e in event])


@router.batch_resolver(type_name="Playlist", field_name="entries", raise_on_error=True)
def entries(event: list[AppSyncResolverEvent]) -> list[dict[str, Any]]:
    return [smart_playlists.entries(e.source, e.arguments.get("limit"), e.arguments.get("nextToken")) for e in event]
