"""Browsing and search reads: lists of songs, albums and artists, and word search.

Each list is one Query of the index `listings.py` names for it; search is one Query of a
word's partition plus one BatchGetItem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from resolvers.data.listings import LISTINGS, RANK_ATTRIBUTE, RELEASE_ATTRIBUTE, rank_floor, search_partition
from resolvers.data.table import (
    KEYS,
    MAX_EVALUATED,
    READ_AHEAD,
    Page,
    Where,
    batch_get,
    batch_get_raw,
    client,
    query_page,
    table_name,
    to_item,
    to_raw,
)
from resolvers.table_layout import PARTITION_KEY


@dataclass(frozen=True)
class Narrowing:
    """What a listed song or album must also be, beyond the list it is read from."""

    equal: Mapping[str, str] = field(default_factory=dict)  # e.g. {"genre": "jazz", "albumId": b}
    any_genre: Sequence[str] = ()
    released_from: str | None = None  # inclusive, YYYY-MM-DD
    released_to: str | None = None  # inclusive
    min_rating: Decimal | None = None  # songs only


_LAST_DAY = "9999-12-31"


def list_page(
    kind: str, scope: str, scope_id: str | None, order: str, narrowing: Narrowing, *, limit: int, next_token: str | None
) -> Page:
    """One page of songs or albums in a scope (ALL, GENRE, ARTIST, ALBUM) and order: one Query.

    A criterion that matches the list's sort key is a key condition (a date range when
    newest first, a minimum rating when best first); the others are a FilterExpression.
    """
    listing = LISTINGS[(kind, scope, order)]
    track_order = (kind, scope) == ("SONG", "ALBUM")
    key_range: tuple[str, str] | None = None
    where = [Where(attribute, "=", value) for attribute, value in sorted(narrowing.equal.items())]
    if narrowing.any_genre:
        where.append(Where("genre", "in", list(narrowing.any_genre)))
    if narrowing.released_from or narrowing.released_to:
        # "0" sorts before every date, "$" after the "#" that follows the date in a key.
        low, high = narrowing.released_from or "0", f"{narrowing.released_to or _LAST_DAY}$"
        if order == "NEWEST" and not track_order:
            key_range = (listing.sort_prefix + low, listing.sort_prefix + high)
        else:
            where.append(Where(RELEASE_ATTRIBUTE, "between", (low, high)))
    if narrowing.min_rating is not None:
        floor = rank_floor(narrowing.min_rating)
        if order == "TOP_RATED":
            key_range = (floor, "~")  # "~" sorts after every digit
        else:
            where.append(Where(RANK_ATTRIBUTE, ">=", floor))
    return query_page(
        listing.index,
        listing.partition.format(scope_id),
        limit=limit,
        next_token=next_token,
        newest_first=listing.descending,
        sort_prefix=listing.sort_prefix or None,
        sort_range=key_range,
        where=where,
    )


def artists_in_genre_page(genre: str, *, limit: int, next_token: str | None) -> Page:
    """Artists with a genre, by name: a Query of their genre items, then one BatchGetItem."""
    page = query_page("byGenre", f"ARTISTS#GENRE#{genre}", limit=limit, next_token=next_token)
    ids = [member["artistId"] for member in page.items]
    found = batch_get("ARTIST", ids) if ids else {}
    return Page([found[i] for i in ids if i in found], page.next_token)


def search(first: str, others: Sequence[str], limit: int) -> list[tuple[str, dict[str, Any]]]:
    """Up to `limit` artists, albums and songs with a word starting with `first` and, for each of
    `others`, a word starting with it: one Query of the word's partition, one BatchGetItem.

    Folded words in, (kind, item) out, in the order of the matching word. A name matching
    by several words counts once, so there may be fewer than `limit`.
    """
    names = {"#text": "text"}
    values: dict[str, Any] = {":pk": search_partition(first), ":word": first}
    for n, word in enumerate(others):
        values[f":w{n}"] = f" {word}"
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :word)",
        "Limit": min(limit * READ_AHEAD, MAX_EVALUATED),
        "ExpressionAttributeValues": to_raw(values),
    }
    if others:
        request["FilterExpression"] = " AND ".join(f"contains(#text, :w{n})" for n in range(len(others)))
        request["ExpressionAttributeNames"] = names
    hits = [(raw["targetKind"]["S"], raw["targetId"]["S"]) for raw in client().query(**request)["Items"]]
    targets = list(dict.fromkeys(hits))[:limit]
    if not targets:
        return []
    found = {}
    for raw in batch_get_raw(KEYS[kind](item_id) for kind, item_id in targets):
        kind, item_id = raw[PARTITION_KEY]["S"].split("#", 1)
        found[(kind, item_id)] = to_item(raw)
    return [(kind, found[(kind, item_id)]) for kind, item_id in targets if (kind, item_id) in found]
