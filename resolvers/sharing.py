"""Share links: a listener shares a playlist, an album or a song with anyone, signed in or not.

A token is 192 random bits (`secrets`), so links cannot be guessed. `shared(token)` is the
one field a guest may call beyond signing up: it shows titles, artists and the cover while
the link is valid (expiry checked on every read; the table's TTL only cleans up later) and
not revoked; anything else is NotFoundError, whatever the reason. Streaming stays for
signed-in listeners: a shared item carries no stream URLs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from resolvers import catalog, media, playlists, smart_playlists
from resolvers.data import playlists as playlists_data
from resolvers.data import shares as shares_data
from resolvers.data import table
from resolvers.errors import NotFoundError, ValidationError
from resolvers.settings import settings
from resolvers.validation import identifier, page_size, whole_number

TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 365, 30
SHARED_TRACKS = 100  # the first tracks a shared playlist or album shows
TARGETS = {"playlistId": "PLAYLIST", "albumId": "ALBUM", "songId": "SONG"}


def _token(value: Any) -> str:
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ValidationError("token: not a share token")
    return value


def _target(given: Mapping[str, Any]) -> tuple[str, str]:
    named = [(kind, field) for field, kind in TARGETS.items() if given.get(field) is not None]
    if len(named) != 1:
        raise ValidationError("input: give exactly one of playlistId, albumId, songId")
    kind, field = named[0]
    return kind, identifier(given[field], field)


def _present(share: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "token": share["token"],
        "url": f"{settings().share_base}/s/{share['token']}",
        "kind": share["itemKind"],
        "createdAt": share["createdAt"],
        "expiresAt": share["validUntil"],
    }


def _item(kind: str, item_id: str, reader: str | None) -> dict[str, Any]:
    """The shared item, if it exists and `reader` (None: anyone holding a link) may see it."""
    if kind == "PLAYLIST":
        found = playlists_data.get_playlist(item_id)
        if reader is not None:
            return playlists.readable(found, reader, item_id)
    else:
        found = table.get(kind, item_id)
        if found is not None and kind == "SONG" and found.get("status") != "READY":
            found = None
    if found is None:
        raise NotFoundError(f"No {kind.lower()} {item_id}")
    return found


def create_share_link(user_id: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """A link to a playlist the caller may read, an album, or a READY song, valid for 1-365 days."""
    given = given or {}
    kind, item_id = _target(given)
    days = whole_number(given.get("expiresInDays"), "expiresInDays", low=MIN_DAYS, high=MAX_DAYS) or DEFAULT_DAYS
    _item(kind, item_id, user_id)
    now = datetime.now(UTC).replace(microsecond=0)
    until = now + timedelta(days=days)
    share = {
        "token": secrets.token_urlsafe(TOKEN_BYTES),
        "ownerId": user_id,
        "itemKind": kind,
        "itemId": item_id,
        "createdAt": now.isoformat().replace("+00:00", "Z"),
        "validUntil": until.isoformat().replace("+00:00", "Z"),
    }
    shares_data.put_share(share, int(until.timestamp()))
    return _present(share)


def my_share_links(user_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    page = shares_data.shares_page(user_id, page_size(limit), next_token)
    return {"items": [_present(share) for share in page.items], "nextToken": page.next_token}


def revoke_share_link(user_id: str, token: Any) -> bool:
    """Revoke one of the caller's links at once; false for a token that is not theirs (or gone)."""
    return shares_data.delete_share(_token(token), user_id)


def _songs_of(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    if kind == "SONG":
        return [catalog.present_song(item)]
    if kind == "ALBUM":
        return catalog.songs_of_album(item["id"], SHARED_TRACKS, None, playable_only=True)["items"]
    if item.get("smart"):
        return smart_playlists.evaluate(item)[:SHARED_TRACKS]
    listed = playlists.plain_entries(item, SHARED_TRACKS, None)["items"]
    return [entry["song"] for entry in listed if entry["song"] is not None]


def shared(token: Any) -> dict[str, Any]:
    """What a valid link shows: title, artist, cover, expiry and the tracks (no streams)."""
    share = shares_data.get_share(_token(token))
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    if share is None or share["validUntil"] <= now:
        raise NotFoundError("This link does not exist, has expired or was revoked")
    kind = share["itemKind"]
    try:
        item = _item(kind, share["itemId"], None)
    except NotFoundError:
        raise NotFoundError("This link does not exist, has expired or was revoked") from None
    songs = _songs_of(kind, item)
    artist_ids = [s["artistId"] for s in songs] + ([item["artistId"]] if kind == "ALBUM" else [])
    artists = table.batch_get("ARTIST", artist_ids) if artist_ids else {}
    album = item if kind == "ALBUM" else (table.get("ALBUM", item["albumId"]) if item.get("albumId") else None)
    artist_id = item.get("artistId")
    return {
        "kind": kind,
        "title": item["title"] if kind != "PLAYLIST" else item["name"],
        "artistName": artists.get(artist_id, {}).get("name") if artist_id else None,
        "coverUrl": media.image_urls([album], "COVER")[0] if album else None,
        "expiresAt": share["validUntil"],
        "tracks": [
            {
                "title": s["title"],
                "artistName": artists.get(s["artistId"], {}).get("name"),
                "durationSeconds": s.get("durationSeconds"),
            }
            for s in songs
        ],
    }
