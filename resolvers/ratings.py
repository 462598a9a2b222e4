"""Ratings: a listener's stars for a READY song, and the song's exact sum and count.

A rating and the song's aggregate change in one transaction that holds only if both are
still as read (ratings_data.write_rating). When another write got there first, the refused
transaction hands back the items as they are now and the change is worked out again on
them: a bounded number of times, with jittered pauses, then ConflictError.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resolvers import feed
from resolvers.catalog import present_song
from resolvers.clock import now_iso
from resolvers.data import ratings as ratings_data
from resolvers.data import table
from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.observability import logger
from resolvers.validation import identifier, page_size, whole_number

MIN_STARS, MAX_STARS = 1, 5
MAX_ATTEMPTS = 8


def _stars(value: Any) -> int:
    stars = whole_number(value, "stars", low=MIN_STARS, high=MAX_STARS)
    if stars is None:
        raise ValidationError("stars: is required")
    return stars


def _pause(attempt: int) -> None:
    """Full jitter: writers that collided do not collide again in step (the table's backoff)."""
    table.conflict_pause(attempt)


def _view(rating: Mapping[str, Any], song: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**rating, "song": present_song(song) if song else None}


def rate_song(user_id: str, song_id: Any, stars: Any) -> dict[str, Any]:
    """Create or replace the caller's rating of a READY song; returns it with the song's new aggregate."""
    song_id = identifier(song_id, "songId")
    stars = _stars(stars)
    song, seen = ratings_data.rating_state(user_id, song_id)
    for attempt in range(MAX_ATTEMPTS):
        if song is None:
            raise NotFoundError(f"Song {song_id} not found")
        if song.get("status") != "READY":
            raise ValidationError("songId: only READY songs can be rated")
        if seen and seen["stars"] == stars:
            return _view(seen, song)
        rating = {"userId": user_id, "songId": song_id, "stars": stars, "ratedAt": now_iso()}
        outcome = ratings_data.write_rating(song_id, song, seen, rating)
        if outcome.written:
            feed.taste_changed(user_id)
            return _view(rating, outcome.song)
        song, seen = outcome.song, outcome.rating
        _pause(attempt)
    raise ConflictError("Too many ratings of this song at once: try again")


def remove_rating(user_id: str, song_id: Any) -> bool:
    """Remove the caller's rating of a song; False when there was none. The song need not be READY."""
    song_id = identifier(song_id, "songId")
    song, seen = ratings_data.rating_state(user_id, song_id)
    for attempt in range(MAX_ATTEMPTS):
        if seen is None:
            if song is None:
                raise NotFoundError(f"Song {song_id} not found")
            return False
        outcome = ratings_data.write_rating(song_id, song, seen, None)
        if outcome.written:
            feed.taste_changed(user_id)
            return True
        song, seen = outcome.song, outcome.rating
        _pause(attempt)
    raise ConflictError("Too many ratings of this song at once: try again")


def my_ratings(user_id: str, limit: Any, next_token: str | None, *, with_songs: bool) -> dict[str, Any]:
    """The caller's ratings, the latest first; with their songs when asked for (one BatchGetItem)."""
    page = ratings_data.ratings_page(user_id, page_size(limit), next_token)
    ids = [rating["songId"] for rating in page.items]
    songs = table.batch_get("SONG", ids) if with_songs and ids else {}
    return {"items": [_view(r, songs.get(r["songId"])) for r in page.items], "nextToken": page.next_token}


def my_stars(pairs: Sequence[tuple[str | None, str]]) -> list[int | None]:
    """`Song.myRating` for a batch of (caller, song): one strongly consistent BatchGetItem."""
    found = ratings_data.ratings_of([(user, song) for user, song in pairs if user])
    return [found[(user, song)]["stars"] if user and (user, song) in found else None for user, song in pairs]


def forget_song(song_id: str) -> int:
    """After a song is deleted, its ratings go too (listeners' `myRatings` no longer list it).
    Refuses while the song exists; safe to repeat. Returns the ratings removed."""
    if table.get("SONG", song_id) is not None:
        logger.warning("not removing the ratings of a song that exists", extra={"songId": song_id})
        return 0
    return ratings_data.forget_ratings_of(song_id)
