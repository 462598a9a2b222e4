"""The catalog domain: rules for artists, albums, songs and genres."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from resolvers import cleanup
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import listings as listings_data
from resolvers.data import table
from resolvers.errors import NotFoundError, ValidationError
from resolvers.genres import genre
from resolvers.validation import BIO_MAX, TITLE_MAX, day, identifier, page_size, text, url, whole_number

MAX_GENRES = 10
# An import key (a folded name, "artist / title", a SHA-256) within DynamoDB's 2,048-byte partition key.
IMPORT_KEY_MAX = 400
MAX_IMPORT_KEYS = 100  # one BatchGetItem
IMPORT_KINDS = ("ARTIST", "ALBUM", "SONG")


def _genres(values: Sequence[Any] | None) -> list[str]:
    chosen = list(dict.fromkeys(genre(v, "genres") for v in values or []))
    if len(chosen) > MAX_GENRES:
        raise ValidationError(f"genres: at most {MAX_GENRES}")
    return chosen


def _optional(source: Mapping[str, Any], field: str, check: Any) -> dict[str, Any]:
    """The checked value of an optional input field, or nothing when the field was not given."""
    return {field: check(source[field]) if source[field] is not None else None} if field in source else {}


def _keep_required(changes: Mapping[str, Any], *fields: str) -> None:
    """An update may change a required field but not clear it."""
    for field in fields:
        if field in changes and changes[field] is None:
            raise ValidationError(f"{field}: must not be empty")


def _import_key(value: Any) -> str | None:
    return text(value, "importKey", max_length=IMPORT_KEY_MAX, required=False)


# -- reads ------------------------------------------------------------------------------------


def get_artist(artist_id: Any) -> dict[str, Any] | None:
    return table.get("ARTIST", identifier(artist_id))


def get_album(album_id: Any) -> dict[str, Any] | None:
    return table.get("ALBUM", identifier(album_id))


def imported_items(kind: Any, keys: Sequence[Any]) -> list[dict[str, str]]:
    """The items of one kind created with any of these import keys, in the order of the keys asked."""
    if kind not in IMPORT_KINDS:
        raise ValidationError(f"kind: one of {', '.join(IMPORT_KINDS)}")
    if len(keys) > MAX_IMPORT_KEYS:
        raise ValidationError(f"importKeys: at most {MAX_IMPORT_KEYS}")
    wanted = list(dict.fromkeys(text(key, "importKeys", max_length=IMPORT_KEY_MAX) for key in keys))
    found = catalog_data.imported_ids(kind, [key for key in wanted if key])
    return [{"importKey": key, "id": found[key]} for key in wanted if key in found]


def present_song(song: Mapping[str, Any]) -> dict[str, Any]:
    """A song as the API shows it: its release day, and its average rating from the sum and count
    its ratings keep on it (null until it has one)."""
    count = song.get("ratingCount", 0)
    return {
        **song,
        "releaseDate": listings_data.release_day(song),
        "ratingCount": count,
        "playCount": song.get("playCount", 0),
        "averageRating": song["ratingSum"] / count if count else None,
        "lyricsStatus": song.get("lyricsStatus", "NONE"),
    }


def get_song(song_id: Any) -> dict[str, Any] | None:
    song = table.get("SONG", identifier(song_id))
    return present_song(song) if song else None


def artists_by_id(ids: Sequence[str | None]) -> list[dict[str, Any] | None]:
    found = table.batch_get("ARTIST", [i for i in ids if i])
    return [found.get(i) if i else None for i in ids]


def albums_by_id(ids: Sequence[str | None]) -> list[dict[str, Any] | None]:
    found = table.batch_get("ALBUM", [i for i in ids if i])
    return [found.get(i) if i else None for i in ids]


def albums_of_artist(artist_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    page = table.query_page(
        "byParent",
        f"ARTIST#{artist_id}",
        limit=page_size(limit),
        next_token=next_token,
        newest_first=True,
        sort_prefix="ALBUM#",
    )
    return {"items": page.items, "nextToken": page.next_token}


def songs_of_album(album_id: str, limit: Any, next_token: str | None, *, playable_only: bool) -> dict[str, Any]:
    """An album's songs in track order; only READY ones when `playable_only`."""
    where = [table.Where("status", "=", "READY")] if playable_only else []
    page = table.query_page(
        "byParent",
        f"ALBUM#{album_id}",
        limit=page_size(limit),
        next_token=next_token,
        sort_prefix="SONG#",
        where=where,
    )
    return {"items": [present_song(s) for s in page.items], "nextToken": page.next_token}


# -- writes -----------------------------------------------------------------------------------


def create_artist(data: Mapping[str, Any]) -> dict[str, Any]:
    now = now_iso()
    artist = {
        "id": str(uuid.uuid4()),
        "name": text(data.get("name"), "name", max_length=TITLE_MAX),
        "bio": text(data.get("bio"), "bio", max_length=BIO_MAX, required=False, multiline=True),
        "genres": _genres(data.get("genres")),
        "imageUrl": url(data.get("imageUrl"), "imageUrl"),
        "importKey": _import_key(data.get("importKey")),
        "followerCount": 0,  # moved by follows, in the same transaction (resolvers/follows.py)
        "albumCount": 0,  # moved by album and song writes, in the same transaction (data/catalog.py)
        "songCount": 0,
        "createdAt": now,
        "updatedAt": now,
    }
    return catalog_data.create_artist({k: v for k, v in artist.items() if v is not None})


def update_artist(artist_id: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    artist_id = identifier(artist_id)
    changes = {
        **_optional(data, "name", lambda v: text(v, "name", max_length=TITLE_MAX)),
        **_optional(data, "bio", lambda v: text(v, "bio", max_length=BIO_MAX, required=False, multiline=True)),
        **_optional(data, "genres", _genres),
        **_optional(data, "imageUrl", lambda v: url(v, "imageUrl")),
    }
    _keep_required(changes, "name")
    return catalog_data.update("ARTIST", artist_id, changes, now_iso())


def delete_artist(artist_id: Any) -> str:
    artist = table.get("ARTIST", identifier(artist_id))
    if artist is None:
        raise NotFoundError(f"Artist {artist_id} not found")
    catalog_data.delete_artist(artist)
    cleanup.schedule_cleanup("ARTIST", artist["id"])
    return artist["id"]


def create_album(data: Mapping[str, Any]) -> dict[str, Any]:
    now = now_iso()
    album = {
        "id": str(uuid.uuid4()),
        "artistId": identifier(data.get("artistId"), "artistId"),
        "title": text(data.get("title"), "title", max_length=TITLE_MAX),
        "genre": genre(data.get("genre")),
        "releaseDate": day(data["releaseDate"], "releaseDate") if data.get("releaseDate") is not None else None,
        "coverUrl": url(data.get("coverUrl"), "coverUrl"),
        "songCount": 0,  # moved by song writes, in the same transaction (data/catalog.py)
        "importKey": _import_key(data.get("importKey")),
        "createdAt": now,
        "updatedAt": now,
    }
    return catalog_data.create_album({k: v for k, v in album.items() if v is not None})


def update_album(album_id: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    album_id = identifier(album_id)
    changes = {
        **_optional(data, "title", lambda v: text(v, "title", max_length=TITLE_MAX)),
        **_optional(data, "genre", genre),
        **_optional(data, "releaseDate", lambda v: day(v, "releaseDate")),
        **_optional(data, "coverUrl", lambda v: url(v, "coverUrl")),
    }
    _keep_required(changes, "title", "genre")
    album = catalog_data.update("ALBUM", album_id, changes, now_iso())
    if "releaseDate" in changes:
        _move_release_day(album)
    return album


def _move_release_day(album: Mapping[str, Any]) -> None:
    """Songs carry their album's release day (NEWEST and date filters read it): move theirs too.

    An admin path, one write per song; should one fail, updating the album again with the
    same date finishes the job."""
    released = listings_data.release_day(album)
    for song in table.all_pages("byParent", f"ALBUM#{album['id']}", sort_prefix="SONG#"):
        if song.get("releaseDate") != released:
            catalog_data.update("SONG", song["id"], {"releaseDate": released}, now_iso())


def delete_album(album_id: Any) -> str:
    album = table.get("ALBUM", identifier(album_id))
    if album is None:
        raise NotFoundError(f"Album {album_id} not found")
    catalog_data.delete_album(album)
    cleanup.schedule_cleanup("ALBUM", album["id"])
    return album["id"]


def _track_number(value: Any) -> int | None:
    return whole_number(value, "trackNumber", low=1, high=999)


def _duration(value: Any) -> int | None:
    return whole_number(value, "durationSeconds", low=1, high=24 * 3600)


def create_song(data: Mapping[str, Any]) -> dict[str, Any]:
    now = now_iso()
    song = {
        "id": str(uuid.uuid4()),
        "title": text(data.get("title"), "title", max_length=TITLE_MAX),
        "artistId": identifier(data.get("artistId"), "artistId"),
        "albumId": identifier(data["albumId"], "albumId") if data.get("albumId") is not None else None,
        "genre": genre(data.get("genre")),
        "trackNumber": _track_number(data.get("trackNumber")),
        "durationSeconds": _duration(data.get("durationSeconds")),
        "importKey": _import_key(data.get("importKey")),
        "status": "DRAFT",
        "ratingSum": 0,
        "ratingCount": 0,
        "playCount": 0,  # present from the start, so MOST_PLAYED lists unplayed songs too (last)
        "createdAt": now,
        "updatedAt": now,
    }
    album = None
    if song["albumId"]:
        album = table.get("ALBUM", song["albumId"])
        if album is None:
            raise NotFoundError(f"Album {song['albumId']} not found")
        if album["artistId"] != song["artistId"]:
            raise ValidationError("albumId: the album belongs to another artist")
    # A song is released with its album; a single on the day it is added.
    song["releaseDate"] = listings_data.release_day(album) if album else now[:10]
    created = catalog_data.create_song(
        {k: v for k, v in song.items() if v is not None}, album_seen=album["updatedAt"] if album else None
    )
    return present_song(created)


def update_song(song_id: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    song_id = identifier(song_id)
    changes = {
        **_optional(data, "title", lambda v: text(v, "title", max_length=TITLE_MAX)),
        **_optional(data, "genre", genre),
        **_optional(data, "trackNumber", _track_number),
        **_optional(data, "durationSeconds", _duration),
    }
    _keep_required(changes, "title", "genre")
    return present_song(catalog_data.update("SONG", song_id, changes, now_iso()))


def delete_song(song_id: Any) -> str:
    song = table.get("SONG", identifier(song_id))
    if song is None:
        raise NotFoundError(f"Song {song_id} not found")
    catalog_data.delete_song(song)
    cleanup.schedule_cleanup("SONG", song["id"])
    return song["id"]
