"""GraphQL fields of the catalog, each a thin call into `resolvers.catalog`.

Parameter names mirror the GraphQL argument names AppSync sends.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import catalog
from resolvers.genres import list_genres
from resolvers.routes.identity import is_admin

router = Router()


@router.resolver(type_name="Query", field_name="artist")
def artist(id: str) -> dict[str, Any] | None:
    return catalog.get_artist(id)


@router.resolver(type_name="Query", field_name="album")
def album(id: str) -> dict[str, Any] | None:
    return catalog.get_album(id)


@router.resolver(type_name="Query", field_name="song")
def song(id: str) -> dict[str, Any] | None:
    return catalog.get_song(id)


@router.resolver(type_name="Query", field_name="genres")
def genres() -> list[dict[str, str]]:
    return list_genres()


@router.resolver(type_name="Query", field_name="importedItems")
def imported_items(kind: str, importKeys: list[str]) -> list[dict[str, str]]:
    return catalog.imported_items(kind, importKeys)


# -- nested fields: AppSync BatchInvoke, one Lambda call per level of a response -------------


@router.batch_resolver(type_name="Song", field_name="artist", raise_on_error=True)
def song_artists(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    return catalog.artists_by_id([e.source["artistId"] for e in event])


@router.batch_resolver(type_name="Album", field_name="artist", raise_on_error=True)
def album_artists(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    return catalog.artists_by_id([e.source["artistId"] for e in event])


@router.batch_resolver(type_name="Song", field_name="album", raise_on_error=True)
def song_albums(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    return catalog.albums_by_id([e.source.get("albumId") for e in event])


@router.batch_resolver(type_name="Artist", field_name="albums", raise_on_error=True)
def artist_albums(event: list[AppSyncResolverEvent]) -> list[dict[str, Any]]:
    return [
        catalog.albums_of_artist(e.source["id"], e.arguments.get("limit"), e.arguments.get("nextToken")) for e in event
    ]


@router.batch_resolver(type_name="Album", field_name="songs", raise_on_error=True)
def album_songs(event: list[AppSyncResolverEvent]) -> list[dict[str, Any]]:
    return [
        catalog.songs_of_album(
            e.source["id"],
            e.arguments.get("limit"),
            e.arguments.get("nextToken"),
            playable_only=not is_admin(e.identity),
        )
        for e in event
    ]


# -- admin writes (the schema admits only the `admin` group) ---------------------------------


@router.resolver(type_name="Mutation", field_name="createArtist")
def create_artist(input: dict[str, Any]) -> dict[str, Any]:
    return catalog.create_artist(input)


@router.resolver(type_name="Mutation", field_name="updateArtist")
def update_artist(id: str, input: dict[str, Any]) -> dict[str, Any]:
    return catalog.update_artist(id, input)


@router.resolver(type_name="Mutation", field_name="deleteArtist")
def delete_artist(id: str) -> str:
    return catalog.delete_artist(id)


@router.resolver(type_name="Mutation", field_name="createAlbum")
def create_album(input: dict[str, Any]) -> dict[str, Any]:
    return catalog.create_album(input)


@router.resolver(type_name="Mutation", field_name="updateAlbum")
def update_album(id: str, input: dict[str, Any]) -> dict[str, Any]:
    return catalog.update_album(id, input)


@router.resolver(type_name="Mutation", field_name="deleteAlbum")
def delete_album(id: str) -> str:
    return catalog.delete_album(id)


@router.resolver(type_name="Mutation", field_name="createSong")
def create_song(input: dict[str, Any]) -> dict[str, Any]:
    return catalog.create_song(input)


@router.resolver(type_name="Mutation", field_name="updateSong")
def update_song(id: str, input: dict[str, Any]) -> dict[str, Any]:
    return catalog.update_song(id, input)


@router.resolver(type_name="Mutation", field_name="deleteSong")
def delete_song(id: str) -> str:
    return catalog.delete_song(id)
