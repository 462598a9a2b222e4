"""Smart playlists: rules kept on the playlist, evaluated whenever it is read.

The songs come from the discover lists that exist (resolvers/discover.py: one index
partition per list, never a Scan): one list for the genres, or one per artist of
`artistIds` merged in the rules' order; with `likedOnly`, the owner's liked songs (whoever
reads) filtered by the other rules. At most `limit` (≤ 500) songs, so reading one costs a
bounded number of Queries; pages of `entries` are slices of that evaluation.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from resolvers import discover, likes, playlists
from resolvers.catalog import present_song
from resolvers.errors import ValidationError
from resolvers.genres import genre
from resolvers.validation import identifier, page_size, whole_number
from resolvers.words import fold

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_ARTISTS = 10
MAX_GENRES = 10
LIST_PAGE = 100
LIKES_READ = 500  # the owner's latest liked songs a `likedOnly` playlist chooses from


def rules(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rules, checked, as they are stored (absent rules left out)."""
    given = given or {}
    checked: dict[str, Any] = {
        "likedOnly": bool(given.get("likedOnly")),
        "sort": discover._order(given.get("sort"), discover.SONG_ORDERS),
        "limit": whole_number(given.get("limit"), "limit", low=1, high=MAX_LIMIT) or DEFAULT_LIMIT,
    }
    if given.get("genres") is not None:
        if not isinstance(given["genres"], list) or not 1 <= len(given["genres"]) <= MAX_GENRES:
            raise ValidationError(f"genres: from 1 to {MAX_GENRES} genres")
        checked["genres"] = sorted({genre(g, "genres") for g in given["genres"]})
    if given.get("artistIds") is not None:
        if not isinstance(given["artistIds"], list) or not 1 <= len(given["artistIds"]) <= MAX_ARTISTS:
            raise ValidationError(f"artistIds: from 1 to {MAX_ARTISTS} ids")
        checked["artistIds"] = list(dict.fromkeys(identifier(a, "artistIds") for a in given["artistIds"]))
    if given.get("minRating") is not None:
        checked["minRating"] = float(discover._min_rating(given["minRating"]))  # type: ignore[arg-type]
    after, before = discover._released(given)
    checked |= {k: v for k, v in (("releasedAfter", after), ("releasedBefore", before)) if v}
    return checked


def create_smart_playlist(user_id: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    given = given or {}
    fields = playlists.details(given, creating=True)
    created = playlists.new_playlist(user_id, fields, smart=True, rules=rules(given.get("rules")))
    return with_count(created)


def _criteria(checked: Mapping[str, Any]) -> dict[str, Any]:
    return {k: checked[k] for k in ("genres", "minRating", "releasedAfter", "releasedBefore") if k in checked}


def _matches(song: Mapping[str, Any], checked: Mapping[str, Any]) -> bool:
    """For liked songs, read by id: the rules the lists would have applied."""
    shown = present_song(song)
    return (
        song.get("status") == "READY"
        and ("genres" not in checked or song["genre"] in checked["genres"])
        and ("artistIds" not in checked or song["artistId"] in checked["artistIds"])
        and ("minRating" not in checked or (shown["averageRating"] or 0) >= checked["minRating"])
        and ("releasedAfter" not in checked or shown["releaseDate"] >= checked["releasedAfter"])
        and ("releasedBefore" not in checked or shown["releaseDate"] <= checked["releasedBefore"])
    )


def _ordered(songs: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "TITLE":
        return sorted(songs, key=lambda s: (fold(s["title"]), s["id"]))
    if sort == "TOP_RATED":
        return sorted(songs, key=lambda s: (-(s["averageRating"] or 0), -s["ratingCount"], s["id"]))
    if sort == "MOST_PLAYED":
        return sorted(songs, key=lambda s: (-s["playCount"], s["id"]))
    return sorted(songs, key=lambda s: (s["releaseDate"], s["createdAt"], s["id"]), reverse=True)


def _listed(criteria: Mapping[str, Any], sort: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` READY songs of one discover list, page after page."""
    found: list[dict[str, Any]] = []
    token = None
    for _ in range(limit // LIST_PAGE * 3 + 3):  # filtered pages may be short: a bounded number of them
        page = discover.list_songs(criteria, sort, LIST_PAGE, token, playable_only=True)
        found += page["items"]
        token = page["nextToken"]
        if not token or len(found) >= limit:
            break
    return found[:limit]


def evaluate(playlist: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The songs a smart playlist holds now, in its order."""
    checked = playlist["rules"]
    sort, limit = checked["sort"], checked["limit"]
    if checked.get("likedOnly"):
        liked = likes.liked_songs(playlist["ownerId"], LIKES_READ)
        return _ordered([present_song(s) for s in liked if _matches(s, checked)], sort)[:limit]
    criteria = _criteria(checked)
    if "artistIds" not in checked:
        return _listed(criteria, sort, limit)
    merged = {s["id"]: s for a in checked["artistIds"] for s in _listed({**criteria, "artistId": a}, sort, limit)}
    return _ordered(list(merged.values()), sort)[:limit]


def with_count(playlist: Mapping[str, Any]) -> dict[str, Any]:
    """A smart playlist with `songCount` and `durationSeconds` as evaluated now."""
    if not playlist.get("smart"):
        return dict(playlist)
    songs = evaluate(playlist)
    return {**playlist, "songCount": len(songs), "durationSeconds": sum(s.get("durationSeconds") or 0 for s in songs)}


def _offset(token: str | None, limit: int) -> int:
    if token is None:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        offset = None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 < offset < limit:
        raise ValidationError("Invalid nextToken: pass back the value a previous page returned")
    return offset


def entries(playlist: Mapping[str, Any], limit: Any, next_token: str | None) -> dict[str, Any]:
    """`Playlist.entries`: stored entries, or a smart playlist's evaluation (the owner's likes,
    whoever reads), a page at a time."""
    if not playlist.get("smart"):
        return playlists.plain_entries(playlist, limit, next_token)
    size = page_size(limit)
    start = _offset(next_token, playlist["rules"]["limit"])
    songs = evaluate(playlist)
    shown = songs[start : start + size]
    end = start + len(shown)
    token = base64.urlsafe_b64encode(json.dumps(end).encode()).decode().rstrip("=") if end < len(songs) else None
    items = [{"id": s["id"], "addedAt": playlist["updatedAt"], "song": s} for s in shown]
    return {"items": items, "nextToken": token}
