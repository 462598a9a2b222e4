"""How songs, albums and artists are listed and found (and PUBLIC playlists found): the index
keys and index items derived from their fields.

One table (`LISTINGS`) says where each (kind, scope, order) list is read; the index keys an
item carries are derived from that same table, so a list and the keys it reads cannot
disagree. Catalog writes, rating writes (a song's rank keys) and discover reads all use it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from resolvers.data.table import table_name, to_raw
from resolvers.table_layout import INDEXES, NUMERIC_KEYS, PARTITION_KEY, SORT_KEY
from resolvers.words import all_words, index_words, sort_text


class Listing(NamedTuple):
    """Where a list of songs or albums is read: an index, its partition, the direction."""

    index: str
    partition: str  # a template; `{}` is the scope's id
    descending: bool
    sort_prefix: str = ""


# (kind, scope, order) -> listing. The items' index keys are derived from this same table,
# so a list and the keys it reads cannot disagree (table_layout.py documents each index).
LISTINGS: dict[tuple[str, str, str], Listing] = {
    ("SONG", "ALL", "NEWEST"): Listing("byKind", "SONG", True),
    ("SONG", "GENRE", "NEWEST"): Listing("byGenre", "GENRE#{}", True),
    ("SONG", "ARTIST", "NEWEST"): Listing("byArtist", "ARTIST#{}", True),
    ("SONG", "ALBUM", "NEWEST"): Listing("byParent", "ALBUM#{}", False, "SONG#"),  # one release day: track order
    ("SONG", "ALL", "TITLE"): Listing("byTitle", "SONG", False),
    ("SONG", "GENRE", "TITLE"): Listing("byGenreTitle", "GENRE#{}", False),
    ("SONG", "ARTIST", "TITLE"): Listing("byArtistTitle", "ARTIST#{}", False),
    ("SONG", "ALL", "TOP_RATED"): Listing("byRating", "SONG", True),
    ("SONG", "GENRE", "TOP_RATED"): Listing("byGenreRating", "GENRE#{}", True),
    ("SONG", "ARTIST", "TOP_RATED"): Listing("byArtistRating", "ARTIST#{}", True),
    ("SONG", "ALL", "MOST_PLAYED"): Listing("byPlays", "SONG", True),
    ("SONG", "GENRE", "MOST_PLAYED"): Listing("byGenrePlays", "GENRE#{}", True),
    ("SONG", "ARTIST", "MOST_PLAYED"): Listing("byArtistPlays", "ARTIST#{}", True),
    ("ALBUM", "ALL", "NEWEST"): Listing("byKind", "ALBUM", True),
    ("ALBUM", "GENRE", "NEWEST"): Listing("byGenre", "ALBUMS#GENRE#{}", True),
    ("ALBUM", "ARTIST", "NEWEST"): Listing("byParent", "ARTIST#{}", True, "ALBUM#"),
    ("ALBUM", "ALL", "TITLE"): Listing("byTitle", "ALBUM", False),
    ("ALBUM", "GENRE", "TITLE"): Listing("byGenreTitle", "ALBUMS#GENRE#{}", False),
    ("ALBUM", "ARTIST", "TITLE"): Listing("byArtistTitle", "ALBUMS#ARTIST#{}", False),
}


_SCOPE_FIELD = {"GENRE": "genre", "ARTIST": "artistId", "ALBUM": "albumId"}


# Every song and album carries its release key here, every song its rank key: filters use them.
RELEASE_ATTRIBUTE = INDEXES["byKind"][1]


RANK_ATTRIBUTE = INDEXES["byRating"][1]


RANK_ATTRIBUTES = {INDEXES[listing.index][1] for (_, _, order), listing in LISTINGS.items() if order == "TOP_RATED"}


RANK_SCALE = 1_000_000


def release_day(item: Mapping[str, Any]) -> str:
    """The day an album or song counts as released: its release date, else the day it was created."""
    return item.get("releaseDate") or item["createdAt"][:10]


def title_key(text: str, item_id: str) -> str:
    # " #" sorts below every word character, so "Blue" comes before "Blue Hours".
    return f"{sort_text(text)} #{item_id}"


def rank_floor(min_rating: Decimal) -> str:
    """The smallest rank key of a song whose average is at least `min_rating`."""
    return f"{math.ceil(min_rating * RANK_SCALE):07d}"


def _rank_key(item: Mapping[str, Any]) -> str:
    total, count = item.get("ratingSum", 0), item.get("ratingCount", 0)
    return f"{total * RANK_SCALE // count if count else 0:07d}#{count:010d}#{item['id']}"


def _track(track_number: int | None) -> str:
    return f"{track_number:04d}" if track_number else "9999"


def _listing_keys(kind: str, item: Mapping[str, Any]) -> dict[str, str]:
    order_keys = {
        "NEWEST": f"{release_day(item)}#{item['createdAt']}#{item['id']}",
        "TITLE": title_key(item["title"], item["id"]),
        "TOP_RATED": _rank_key(item) if kind == "SONG" else "",
    }
    keys = {}
    for (listed, scope, order), listing in LISTINGS.items():
        scope_id = item.get(_SCOPE_FIELD[scope]) if scope != "ALL" else ""
        if listed != kind or scope_id is None:
            continue
        pk_attribute, sk_attribute = INDEXES[listing.index]
        keys[pk_attribute] = listing.partition.format(scope_id)
        if sk_attribute in NUMERIC_KEYS:
            continue  # a count the song carries itself (MOST_PLAYED: `playCount`), not derived here
        sort_value = order_keys[order]
        if (kind, scope) == ("SONG", "ALBUM"):
            sort_value = f"{_track(item.get('trackNumber'))}#{item['id']}"
        keys[sk_attribute] = listing.sort_prefix + sort_value
    return keys


def index_keys(kind: str, item: Mapping[str, Any]) -> dict[str, str]:
    """The index attributes an item of this kind carries, derived from its fields."""
    if kind == "ARTIST":
        return {"GSI1PK": "ARTIST", "GSI1SK": title_key(item["name"], item["id"])}
    if kind in ("ALBUM", "SONG"):
        return _listing_keys(kind, item)
    return {}


def search_partition(word: str) -> str:
    return f"SEARCH#{word[:2]}"


def index_items(kind: str, item: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The items that exist only to find this one, by their keys: a search word each (a playlist
    only while PUBLIC), and for an artist one per genre (a list attribute cannot be an index key)."""
    name = item.get("title" if kind in ("ALBUM", "SONG") else "name")
    searchable = kind in ("ARTIST", "ALBUM", "SONG") or (kind == "PLAYLIST" and item.get("visibility") == "PUBLIC")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if searchable and name:
        text = f" {' '.join(all_words(name))} "  # every word after a space: `contains` tests a word prefix
        for word in index_words(name):
            key = (search_partition(word), f"{word}#{kind}#{item['id']}")
            found[key] = {"kind": "WORD", "targetKind": kind, "targetId": item["id"], "text": text}
    if kind == "ARTIST":
        pk_attribute, sk_attribute = INDEXES["byGenre"]
        for genre in item.get("genres") or []:
            found[(f"ARTIST#{item['id']}", f"GENRE#{genre}")] = {
                pk_attribute: f"ARTISTS#GENRE#{genre}",
                sk_attribute: title_key(item["name"], item["id"]),
                "kind": "ARTIST_GENRE",
                "artistId": item["id"],
            }
    return {key: {PARTITION_KEY: key[0], SORT_KEY: key[1], **rest} for key, rest in found.items()}


# The fields each kind's index keys and index items are derived from (see index_keys, index_items).
INDEXED_FIELDS: dict[str, set[str]] = {
    "ARTIST": {"name", "genres"},
    "ALBUM": {"releaseDate", "title", "genre"},
    "SONG": {"genre", "trackNumber", "title", "releaseDate"},
    "PLAYLIST": {"name", "visibility"},
}


def index_item_writes(
    before: Mapping[tuple[str, str], Mapping[str, Any]], after: Mapping[tuple[str, str], Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Transaction actions that turn one set of index items into another, touching only what differs
    (catalog items and public playlists alike: their words move in the same write as their names)."""
    deletes = [
        {"Delete": {"TableName": table_name(), "Key": to_raw({PARTITION_KEY: key[0], SORT_KEY: key[1]})}}
        for key in before.keys() - after.keys()
    ]
    puts = [
        {"Put": {"TableName": table_name(), "Item": to_raw(item)}}
        for key, item in after.items()
        if before.get(key) != item
    ]
    return deletes + puts
