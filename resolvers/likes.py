"""Likes: a listener keeps songs, albums and artists; `myLikes` lists them newest first.

A like is one item of the listener's, written only while its item exists (a song: READY);
liking twice keeps the first like and its time. Liking or unliking a song is a taste signal:
it queues the listener's feed for recomputation, as a rating does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resolvers import feed
from resolvers.catalog import present_song
from resolvers.clock import now_iso
from resolvers.data import likes as likes_data
from resolvers.data import table
from resolvers.errors import NotFoundError, ValidationError
from resolvers.validation import identifier, page_size

# GraphQL input field -> the kind of item it names
TARGETS = {"songId": "SONG", "albumId": "ALBUM", "artistId": "ARTIST"}
KINDS = tuple(TARGETS.values())
# The field of a like that holds its item, by kind
FIELD_OF = {"SONG": "song", "ALBUM": "album", "ARTIST": "artist"}


def target(given: Mapping[str, Any] | None) -> tuple[str, str]:
    """The (kind, id) an input names: exactly one of songId, albumId, artistId."""
    named = [(kind, field) for field, kind in TARGETS.items() if (given or {}).get(field) is not None]
    if len(named) != 1:
        raise ValidationError("input: give exactly one of songId, albumId, artistId")
    kind, field = named[0]
    return kind, identifier(given[field], field)  # type: ignore[index]


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise ValidationError(f"kind: one of {', '.join(KINDS)}")
    return value


def _present(item: Mapping[str, Any] | None, kind: str) -> dict[str, Any] | None:
    if item is None:
        return None
    return present_song(item) if kind == "SONG" else dict(item)


def _view(like: Mapping[str, Any], item: Mapping[str, Any] | None) -> dict[str, Any]:
    """A like as the API shows it: its kind, time and item (null once the item is deleted)."""
    view: dict[str, Any] = {"kind": like["itemKind"], "likedAt": like["likedAt"], "song": None}
    view |= {"album": None, "artist": None, FIELD_OF[like["itemKind"]]: _present(item, like["itemKind"])}
    return view


def like(user_id: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Like a song (READY), album or artist; liking again keeps the first like."""
    kind, item_id = target(given)
    mine = {"userId": user_id, "itemKind": kind, "itemId": item_id, "likedAt": now_iso()}
    stored, existing = likes_data.put_like(mine)
    if not stored and existing is None:
        what = "READY song" if kind == "SONG" else kind.lower()
        raise NotFoundError(f"No {what} {item_id}")
    if stored and kind == "SONG":
        feed.taste_changed(user_id)
    return _view(existing or mine, table.get(kind, item_id))


def unlike(user_id: str, given: Mapping[str, Any] | None) -> bool:
    """Withdraw a like; false when there was none (the item need not exist any more)."""
    kind, item_id = target(given)
    removed = likes_data.delete_like(user_id, kind, item_id)
    if removed and kind == "SONG":
        feed.taste_changed(user_id)
    return removed


def my_likes(user_id: str, kind: Any, limit: Any, next_token: str | None, *, with_items: bool) -> dict[str, Any]:
    """The caller's likes of one kind, newest first; with their items when asked (one BatchGetItem)."""
    kind = _kind(kind)
    page = likes_data.likes_page(user_id, kind, page_size(limit), next_token)
    ids = [one["itemId"] for one in page.items]
    items = table.batch_get(kind, ids) if with_items and ids else {}
    return {"items": [_view(one, items.get(one["itemId"])) for one in page.items], "nextToken": page.next_token}


def liked(kind: str, pairs: Sequence[tuple[str | None, str]]) -> list[bool]:
    """`liked` on a batch of (caller, item) of one kind: one strongly consistent BatchGetItem."""
    found = likes_data.liked_among([(user, kind, item_id) for user, item_id in pairs if user])
    return [bool(user) and (user, kind, item_id) in found for user, item_id in pairs]


def liked_songs(user_id: str, limit: int) -> list[dict[str, Any]]:
    """The listener's latest liked songs that still exist (for the feed and smart playlists)."""
    likes = likes_data.latest_likes(user_id, "SONG", limit)
    songs = table.batch_get("SONG", [one["itemId"] for one in likes])
    return [songs[one["itemId"]] for one in likes if one["itemId"] in songs]
