"""The catalog domain: rules for artists, albums, songs and genres."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from resolvers import media, store
from resolvers.clock import now_iso
from resolvers.errors import NotFoundError, ValidationError
from resolvers.validation import day, identifier, page_size, text, url, whole_number

# The controlled genre vocabulary: filters and follows rely on stable ids.
GENRES: dict[str, str] = {
    "ambient": "Ambient",
    "blues": "Blues",
    "classical": "Classical",
    "country": "Country",
    "electronic": "Electronic",
    "folk": "Folk",
    "hip-hop": "Hip-Hop",
    "jazz": "Jazz",
    "latin": "Latin",
    "metal": "Metal",
    "pop": "Pop",
    "punk": "Punk",
    "reggae": "Reggae",
    "rnb": "R&B",
    "rock": "Rock",
    "soul": "Soul",
    "world": "World",
}

TITLE_MAX = 200
BIO_MAX = 2000
MAX_GENRES = 10


def genre(value: Any, field: str = "genre") -> str:
    if value not in GENRES:
        raise ValidationError(f"{field}: unknown genre {value!r}; see the `genres` query")
    return value


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


def list_genres() -> list[dict[str, str]]:
    return [{"id": key, "name": name} for key, name in GENRES.items()]


# -- reads ------------------------------------------------------------------------------------


def get_artist(artist_id: Any) -> dict[str, Any] | None:
    return store.get("ARTIST", identifier(artist_id))


def get_album(album_id: Any) -> dict[str, Any] | None:
    return store.get("ALBUM", identifier(album_id))


def present_song(song: Mapping[str, Any]) -> dict[str, Any]:
    """A song as the API shows it: its release day, and its average rating from the sum and count
    its ratings keep on it (null until it has one)."""
    count = song.get("ratingCount", 0)
    return {
        **song,
        "releaseDate": store.release_day(song),
        "ratingCount": count,
        "averageRating": song["ratingSum"] / count if count else None,
    }


def get_song(song_id: Any) -> dict[str, Any] | None:
    song = store.get("SONG", identifier(song_id))
    return present_song(song) if song else None


def artists_by_id(ids: Sequence[str | None]) -> list[dict[str, Any] | None]:
    found = store.batch_get("ARTIST", [i for i in ids if i])
    return [found.get(i) if i else None for i in ids]


def albums_by_id(ids: Sequence[str | None]) -> list[dict[str, Any] | None]:
    found = store.batch_get("ALBUM", [i for i in ids if i])
    return [found.get(i) if i else None for i in ids]


def albums_of_artist(artist_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    page = store.query_page(
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
    where = [store.Where("status", "=", "READY")] if playable_only else []
    page = store.query_page(
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
        "followerCount": 0,  # moved by follows, in the same transaction (resolvers/follows.py)
        "createdAt": now,
        "updatedAt": now,
    }
    return store.create_artist({k: v for k, v in artist.items() if v is not None})


def update_artist(artist_id: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    artist_id = identifier(artist_id)
    changes = {
        **_optional(data, "name", lambda v: text(v, "name", max_length=TITLE_MAX)),
        **_optional(data, "bio", lambda v: text(v, "bio", max_length=BIO_MAX, required=False, multiline=True)),
        **_optional(data, "genres", _genres),
        **_optional(data, "imageUrl", lambda v: url(v, "imageUrl")),
    }
    _keep_required(changes, "name")
    return store.update("ARTIST", artist_id, changes, now_iso())


def delete_artist(artist_id: Any) -> str:
    artist = store.get("ARTIST", identifier(artist_id))
    if artist is None:
        raise NotFoundError(f"Artist {artist_id} not found")
    store.delete_artist(artist)
    media.schedule_cleanup("ARTIST", artist["id"])
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
        "createdAt": now,
        "updatedAt": now,
    }
    return store.create_album({k: v for k, v in album.items() if v is not None})


def update_album(album_id: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    album_id = identifier(album_id)
    changes = {
        **_optional(data, "title", lambda v: text(v, "title", max_length=TITLE_MAX)),
        **_optional(data, "genre", genre),
        **_optional(data, "releaseDate", lambda v: day(v, "releaseDate")),
        **_optional(data, "coverUrl", lambda v: url(v, "coverUrl")),
    }
    _keep_required(changes, "title", "genre")
    album = store.update("ALBUM", album_id, changes, now_iso())
    if "releaseDate" in changes:
        _move_release_day(album)
    return album


def _move_release_day(album: Mapping[str, Any]) -> None:
    """Songs carry their album's release day (NEWEST and date filters read it): move theirs too.

    An admin path, one write per song; should one fail, updating the album again with the
    same date finishes the job."""
    released = store.release_day(album)
    for song in store.all_pages("byParent", f"ALBUM#{album['id']}", sort_prefix="SONG#"):
        if song.get("releaseDate") != released:
            store.update("SONG", song["id"], {"releaseDate": released}, now_iso())


def delete_album(album_id: Any) -> str:
    album = store.get("ALBUM", identifier(album_id))
    if album is None:
        raise NotFoundError(f"Album {album_id} not found")
    store.delete_album(album)
    media.schedule_cleanup("ALBUM", album["id"])
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
        "status": "DRAFT",
        "ratingSum": 0,
        "ratingCount": 0,
        "createdAt": now,
        "updatedAt": now,
    }
    album = None
    if song["albumId"]:
        album = store.get("ALBUM", song["albumId"])
        if album is None:
            raise NotFoundError(f"Album {song['albumId']} not found")
        if album["artistId"] != song["artistId"]:
            raise ValidationError("albumId: the album belongs to another artist")
    # A song is released with its album; a single on the day it is added.
    song["releaseDate"] = store.release_day(album) if album else now[:10]
    created = store.create_song(
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
    return present_song(store.update("SONG", song_id, changes, now_iso()))


def delete_song(song_id: Any) -> str:
    song = store.get("SONG", identifier(song_id))
    if song is None:
        raise NotFoundError(f"Song {song_id} not found")
    store.delete_song(song)
    media.schedule_cleanup("SONG", song["id"])
    return song["id"]
