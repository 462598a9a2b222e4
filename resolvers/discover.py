"""Discover: songs, albums and artists by filter and order, and search by name.

Each list reads one index partition: the one of its most selective criterion (album, then
artist, then a single genre, else everything) in the asked order; the other criteria
narrow it inside DynamoDB (discover_data.Narrowing), so a page may hold fewer than `limit` items
while `nextToken` is set. Every call is at most two DynamoDB calls per page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from resolvers import playlists
from resolvers.catalog import present_song
from resolvers.data import discover as discover_data
from resolvers.data import table
from resolvers.errors import ValidationError
from resolvers.genres import GENRES, genre
from resolvers.validation import day, identifier, page_size
from resolvers.words import MIN_WORD, all_words

SONG_ORDERS = ("NEWEST", "TOP_RATED", "TITLE", "MOST_PLAYED")
ALBUM_ORDERS = ("NEWEST", "TITLE")
MIN_STARS, MAX_STARS = 1, 5
QUERY_MAX = 100

_EMPTY: dict[str, Any] = {"items": [], "nextToken": None}


def _order(value: Any, allowed: Sequence[str]) -> str:
    if value is None:
        return allowed[0]
    if value not in allowed:
        raise ValidationError(f"sort: one of {', '.join(allowed)}")
    return value


def _genres(criteria: Mapping[str, Any]) -> set[str] | None:
    """The genres a listed item may have (`genre` and `genres` both hold), or None for any."""
    allowed = None
    if criteria.get("genres") is not None:
        given = criteria["genres"]
        if not isinstance(given, list) or not given:
            raise ValidationError("genres: give at least one genre")
        allowed = {genre(g, "genres") for g in given}
    if criteria.get("genre") is not None:
        one = genre(criteria["genre"])
        allowed = {one} & allowed if allowed is not None else {one}
    return allowed


def _released(criteria: Mapping[str, Any]) -> tuple[str | None, str | None]:
    after = day(criteria["releasedAfter"], "releasedAfter") if criteria.get("releasedAfter") is not None else None
    before = day(criteria["releasedBefore"], "releasedBefore") if criteria.get("releasedBefore") is not None else None
    if after and before and after > before:
        raise ValidationError("releasedAfter: must not be later than releasedBefore")
    return after, before


def _min_rating(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        rating = Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None
    except InvalidOperation:
        rating = None
    if rating is None or not rating.is_finite() or not MIN_STARS <= rating <= MAX_STARS:
        raise ValidationError(f"minRating: a number from {MIN_STARS} to {MAX_STARS}")
    return rating


def _id(criteria: Mapping[str, Any], field: str) -> str | None:
    return identifier(criteria[field], field) if criteria.get(field) is not None else None


def _scope(allowed: set[str] | None, artist_id: str | None, album_id: str | None) -> tuple[str, str | None]:
    """The partition to read: the most selective criterion given."""
    if album_id:
        return "ALBUM", album_id
    if artist_id:
        return "ARTIST", artist_id
    if allowed is not None and len(allowed) == 1:
        return "GENRE", next(iter(allowed))
    return "ALL", None


def _narrowing(
    scope: str,
    allowed: set[str] | None,
    ids: Mapping[str, str | None],
    released: tuple[str | None, str | None],
    min_rating: Decimal | None = None,
    *,
    playable_only: bool = False,
) -> discover_data.Narrowing:
    """What the scope does not already guarantee."""
    implied = {"ALBUM": "albumId", "ARTIST": "artistId", "GENRE": "genre"}.get(scope)
    equal = {field: value for field, value in ids.items() if value and field != implied}
    if playable_only:
        equal["status"] = "READY"
    any_genre: Sequence[str] = ()
    if allowed is not None and scope != "GENRE":
        if len(allowed) == 1:
            equal["genre"] = next(iter(allowed))
        elif len(allowed) < len(GENRES):
            any_genre = sorted(allowed)
    return discover_data.Narrowing(
        equal=equal, any_genre=any_genre, released_from=released[0], released_to=released[1], min_rating=min_rating
    )


def list_songs(
    song_filter: Mapping[str, Any] | None, sort: Any, limit: Any, next_token: str | None, *, playable_only: bool
) -> dict[str, Any]:
    """Songs matching every criterion, in the asked order (NEWEST by default: the latest release
    first; within one album that is track order); only READY ones when `playable_only`."""
    criteria = dict(song_filter or {})
    order = _order(sort, SONG_ORDERS)
    size = page_size(limit)
    allowed = _genres(criteria)
    ids = {"artistId": _id(criteria, "artistId"), "albumId": _id(criteria, "albumId")}
    released = _released(criteria)
    min_rating = _min_rating(criteria.get("minRating"))
    if allowed is not None and not allowed:
        return _EMPTY  # `genre` is not among `genres`: nothing can match
    scope, scope_id = _scope(allowed, ids["artistId"], ids["albumId"])
    if scope == "ALBUM" and order != "NEWEST":
        # No index orders an album by title or rating: read its artist's list, keep the album's songs.
        album = table.get("ALBUM", scope_id)
        if album is None or (ids["artistId"] and album["artistId"] != ids["artistId"]):
            return _EMPTY
        scope, scope_id = "ARTIST", album["artistId"]
        ids["artistId"] = None
    narrowing = _narrowing(scope, allowed, ids, released, min_rating, playable_only=playable_only)
    page = discover_data.list_page("SONG", scope, scope_id, order, narrowing, limit=size, next_token=next_token)
    return {"items": [present_song(s) for s in page.items], "nextToken": page.next_token}


def list_albums(
    album_filter: Mapping[str, Any] | None, sort: Any, limit: Any, next_token: str | None
) -> dict[str, Any]:
    """Albums matching every criterion, the latest release first or by title."""
    criteria = dict(album_filter or {})
    order = _order(sort, ALBUM_ORDERS)
    size = page_size(limit)
    allowed = _genres(criteria)
    ids = {"artistId": _id(criteria, "artistId")}
    released = _released(criteria)
    if allowed is not None and not allowed:
        return _EMPTY
    scope, scope_id = _scope(allowed, ids["artistId"], None)
    narrowing = _narrowing(scope, allowed, ids, released)
    page = discover_data.list_page("ALBUM", scope, scope_id, order, narrowing, limit=size, next_token=next_token)
    return {"items": page.items, "nextToken": page.next_token}


def list_artists(artist_filter: Mapping[str, Any] | None, limit: Any, next_token: str | None) -> dict[str, Any]:
    """Artists by name; with a genre, those who have it (one Query, one BatchGetItem)."""
    criteria = dict(artist_filter or {})
    size = page_size(limit)
    if criteria.get("genre") is not None:
        page = discover_data.artists_in_genre_page(genre(criteria["genre"]), limit=size, next_token=next_token)
    else:
        page = table.query_page("byKind", "ARTIST", limit=size, next_token=next_token)
    return {"items": page.items, "nextToken": page.next_token}


def search(query: Any, limit: Any, *, playable_only: bool) -> dict[str, list[dict[str, Any]]]:
    """Artists, albums, songs and PUBLIC playlists whose name has a word starting with each word
    of the query, ignoring case and accents ("beyo" finds "Beyoncé"). The longest word picks
    the index partition; the others narrow it. Songs only when READY if `playable_only`.
    Only a PUBLIC playlist has search words; one read PUBLIC is still checked, as the header
    is what says who may read it."""
    if not isinstance(query, str) or len(query) > QUERY_MAX:
        raise ValidationError(f"query: text of at most {QUERY_MAX} characters")
    words = list(dict.fromkeys(all_words(query)))
    if not words or len(max(words, key=len)) < MIN_WORD:
        raise ValidationError(f"query: give a word of at least {MIN_WORD} letters or digits")
    first = max(words, key=len)
    others = [w for w in words if w != first and not first.startswith(w)]
    found: dict[str, list[dict[str, Any]]] = {"artists": [], "albums": [], "songs": [], "playlists": []}
    for kind, item in discover_data.search(first, others, page_size(limit)):
        if kind == "SONG":
            if item.get("status") == "READY" or not playable_only:
                found["songs"].append(present_song(item))
        elif kind == "PLAYLIST":
            if item.get("visibility") == "PUBLIC":
                found["playlists"].append(playlists.present(item))
        else:
            found[f"{kind.lower()}s"].append(item)
    return found
