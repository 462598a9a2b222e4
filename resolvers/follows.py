"""Follows: listeners follow artists and genres; an artist's follower count moves with them.

`onMyNewContent` delivers the releases of everything a listener follows through one
AppSync enhanced subscription filter: each release names its audiences (`ARTIST#<id>`,
`GENRE#<genre>`, `resolvers/data/follows.py`), and the subscriber's filter asks for any of theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resolvers import catalog, feed, genres, mailing
from resolvers.clock import now_iso
from resolvers.data import follows as follows_data
from resolvers.errors import ConflictError, ValidationError
from resolvers.validation import identifier, page_size

# A bound on what one listener follows keeps every read of their follows to one page.
MAX_FOLLOWS = 500
# AppSync's limits on one subscription's filter: groups OR'ed, a `containsAny` of 20 values in each.
FILTER_GROUPS_MAX = 10
CONTAINS_ANY_MAX = 20
# The audience of a listener who follows nothing: no release names it (a filter needs one group at least).
NO_AUDIENCE = "NOBODY"


def _target(data: Mapping[str, Any] | None) -> tuple[str, str]:
    """("ARTIST", id) or ("GENRE", id) from a FollowInput holding exactly one of them."""
    data = data or {}
    artist_id, genre = data.get("artistId"), data.get("genre")
    if (artist_id is None) == (genre is None):
        raise ValidationError("input: give exactly one of artistId and genre")
    if artist_id is not None:
        return "ARTIST", identifier(artist_id, "artistId")
    return "GENRE", genres.genre(genre)


def follow(user_id: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Follow an artist or genre; repeating it returns the existing follow and counts nothing twice."""
    kind, target = _target(data)
    new = {"userId": user_id, ("artistId" if kind == "ARTIST" else "genre"): target, "followedAt": now_iso()}
    existing = follows_data.put_follow(new, MAX_FOLLOWS)
    if existing is not None:
        return existing
    mailing.follows_changed(user_id)
    feed.taste_changed(user_id)
    return new


def unfollow(user_id: str, data: Mapping[str, Any] | None) -> bool:
    kind, target = _target(data)
    removed = follows_data.delete_follow(user_id, kind, target)
    if removed:
        mailing.follows_changed(user_id)
        feed.taste_changed(user_id)
    return removed


def my_follows(user_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    page = follows_data.follows_page(user_id, page_size(limit), next_token)
    return {"items": page.items, "nextToken": page.next_token}


def artists_of(follows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any] | None]:
    """`Follow.artist` for a batch of follows: one BatchGetItem; null for genres."""
    return catalog.artists_by_id([f.get("artistId") for f in follows])


def new_content_filter(user_id: str) -> dict[str, Any]:
    """`onMyNewContent`'s enhanced filter: releases for any audience the listener follows right now.

    One `containsAny` holds at most 20 values, so the follows are split into OR'ed filter
    groups; AppSync takes at most 10 groups, so past 200 follows subscribing fails.
    """
    followed = [follows_data.follow_audience(follow) for follow in follows_data.all_follows(user_id)]
    most = FILTER_GROUPS_MAX * CONTAINS_ANY_MAX
    if len(followed) > most:
        raise ConflictError(
            f"onMyNewContent covers at most {most} follows (AppSync allows {FILTER_GROUPS_MAX} filter "
            f"groups of {CONTAINS_ANY_MAX} values in one subscription) and you follow {len(followed)}: "
            "unfollow some, or subscribe to onNewContent by artist or genre"
        )
    chunks = [followed[i : i + CONTAINS_ANY_MAX] for i in range(0, len(followed), CONTAINS_ANY_MAX)] or [[NO_AUDIENCE]]
    return {
        "filterGroup": [
            {"filters": [{"fieldName": "audiences", "operator": "containsAny", "value": chunk}]} for chunk in chunks
        ]
    }
