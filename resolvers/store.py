"""The one data-access module: the single DynamoDB table, designed from the access patterns.

Every read on a request path is a GetItem, a Query or a BatchGetItem (never a Scan).
Counters that guard deletes (an artist's albums and songs, an album's songs) move in
the same transaction as the item they count, so a delete can never strand children.
Index keys are derived from an item's fields (`index_keys`), and so are the index items
that exist only to find it (`index_items`: search words, an artist's genres); both move in
the same write as the fields they come from; so do the counts of follows (an artist's
followers, a user's follows). Items are returned as plain dicts of
GraphQL-shaped attributes, numbers as int.

Sections: keys and indexes · (de)serialization · pagination · reads · catalog writes ·
ratings · discover · search · offline libraries · follows and the inbox · feed.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from resolvers import aws_clients
from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.settings import settings
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from resolvers.words import all_words, index_words, sort_text

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_KEY_ATTRIBUTES = {PARTITION_KEY, SORT_KEY} | {a for keys in INDEXES.values() for a in keys}
_HIDDEN = _KEY_ATTRIBUTES | {"kind", TTL_ATTRIBUTE}
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
# A filtered Query evaluates more items than the page holds, so pages are rarely short.
READ_AHEAD = 5
MAX_EVALUATED = 500


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


@cache
def _client() -> Any:
    return aws_clients.client("dynamodb")


def _table() -> str:
    return settings().table_name


# -- keys and indexes -------------------------------------------------------------------------


def artist_key(artist_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ARTIST#{artist_id}", SORT_KEY: "ARTIST"}


def album_key(album_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ALBUM#{album_id}", SORT_KEY: "ALBUM"}


def song_key(song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"SONG#{song_id}", SORT_KEY: "SONG"}


def profile_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "PROFILE"}


KEYS = {"ARTIST": artist_key, "ALBUM": album_key, "SONG": song_key, "PROFILE": profile_key}


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
_RANK_ATTRIBUTES = {INDEXES[listing.index][1] for (_, _, order), listing in LISTINGS.items() if order == "TOP_RATED"}
RANK_SCALE = 1_000_000


def release_day(item: Mapping[str, Any]) -> str:
    """The day an album or song counts as released: its release date, else the day it was created."""
    return item.get("releaseDate") or item["createdAt"][:10]


def _title_key(text: str, item_id: str) -> str:
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
        "TITLE": _title_key(item["title"], item["id"]),
        "TOP_RATED": _rank_key(item) if kind == "SONG" else "",
    }
    keys = {}
    for (listed, scope, order), listing in LISTINGS.items():
        scope_id = item.get(_SCOPE_FIELD[scope]) if scope != "ALL" else ""
        if listed != kind or scope_id is None:
            continue
        sort_value = order_keys[order]
        if (kind, scope) == ("SONG", "ALBUM"):
            sort_value = f"{_track(item.get('trackNumber'))}#{item['id']}"
        pk_attribute, sk_attribute = INDEXES[listing.index]
        keys[pk_attribute] = listing.partition.format(scope_id)
        keys[sk_attribute] = listing.sort_prefix + sort_value
    return keys


def index_keys(kind: str, item: Mapping[str, Any]) -> dict[str, str]:
    """The index attributes an item of this kind carries, derived from its fields."""
    if kind == "ARTIST":
        return {"GSI1PK": "ARTIST", "GSI1SK": _title_key(item["name"], item["id"])}
    if kind in ("ALBUM", "SONG"):
        return _listing_keys(kind, item)
    return {}


def search_partition(word: str) -> str:
    return f"SEARCH#{word[:2]}"


def index_items(kind: str, item: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The items that exist only to find this one, by their keys: a search word each, and for
    an artist one per genre (a list attribute cannot be an index key)."""
    name = item.get("name" if kind == "ARTIST" else "title")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if kind in ("ARTIST", "ALBUM", "SONG") and name:
        text = f" {' '.join(all_words(name))} "  # every word after a space: `contains` tests a word prefix
        for word in index_words(name):
            key = (search_partition(word), f"{word}#{kind}#{item['id']}")
            found[key] = {"kind": "WORD", "targetKind": kind, "targetId": item["id"], "text": text}
    if kind == "ARTIST":
        pk_attribute, sk_attribute = INDEXES["byGenre"]
        for genre in item.get("genres") or []:
            found[(f"ARTIST#{item['id']}", f"GENRE#{genre}")] = {
                pk_attribute: f"ARTISTS#GENRE#{genre}",
                sk_attribute: _title_key(item["name"], item["id"]),
                "kind": "ARTIST_GENRE",
                "artistId": item["id"],
            }
    return {key: {PARTITION_KEY: key[0], SORT_KEY: key[1], **rest} for key, rest in found.items()}


# -- (de)serialization ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _to_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in raw.items() if k not in _HIDDEN}


def _to_raw(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items()}


# -- pagination -------------------------------------------------------------------------------


def _encode_token(last_key: Mapping[str, Any]) -> str:
    plain = {k: _deserializer.deserialize(v) for k, v in last_key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, sort_keys=True).encode()).decode().rstrip("=")


def _decode_token(
    token: str, index: str | None, partition: str, sort_prefix: str | None, sort_range: tuple[str, str] | None
) -> dict[str, Any]:
    """Turn a client's nextToken back into a start key, refusing anything we did not issue
    (or that lies outside the query's key range, which DynamoDB would refuse)."""
    expected = {PARTITION_KEY, SORT_KEY} | (set(INDEXES[index]) if index else set())
    partition_attribute, sort_attribute = INDEXES[index] if index else (PARTITION_KEY, SORT_KEY)
    try:
        plain = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        plain = None
    if (
        not isinstance(plain, dict)
        or set(plain) != expected
        or not all(isinstance(v, str) for v in plain.values())
        or plain[partition_attribute] != partition
        or (sort_prefix and not plain[sort_attribute].startswith(sort_prefix))
        or (sort_range and not sort_range[0] <= plain[sort_attribute] <= sort_range[1])
    ):
        raise ValidationError("Invalid nextToken: pass back the value a previous page returned")
    return _to_raw(plain)


class Where(NamedTuple):
    """One test of a FilterExpression: `attribute op value` (op: =, >=, in, between)."""

    attribute: str
    op: str
    value: Any


def _filter_expression(where: Sequence[Where], names: dict[str, str], values: dict[str, Any]) -> str:
    clauses = []
    for n, test in enumerate(where):
        names[f"#f{n}"] = test.attribute
        if test.op == "in":
            operands = [f":f{n}_{m}" for m in range(len(test.value))]
            values |= dict(zip(operands, test.value, strict=True))
            clauses.append(f"#f{n} IN ({', '.join(operands)})")
        elif test.op == "between":
            values |= {f":f{n}_lo": test.value[0], f":f{n}_hi": test.value[1]}
            clauses.append(f"#f{n} BETWEEN :f{n}_lo AND :f{n}_hi")
        else:
            values[f":f{n}"] = test.value
            clauses.append(f"#f{n} {test.op} :f{n}")
    return " AND ".join(clauses)


def query_page(
    index: str | None,
    partition: str,
    *,
    limit: int,
    next_token: str | None,
    newest_first: bool = False,
    sort_prefix: str | None = None,
    sort_range: tuple[str, str] | None = None,
    where: Sequence[Where] = (),
) -> Page:
    """One page of a partition of the table or an index (one Query call).

    `sort_range` bounds the sort key (inclusive; it replaces the prefix condition and must
    lie within the prefix). With `where`, the Query evaluates up to READ_AHEAD pages' worth
    of items and returns at most `limit` matches; the page may still be short.
    """
    pk_attribute, sk_attribute = INDEXES[index] if index else (PARTITION_KEY, SORT_KEY)
    names = {"#pk": pk_attribute}
    values: dict[str, Any] = {":pk": partition}
    condition = "#pk = :pk"
    if sort_range:
        names["#sk"] = sk_attribute
        values |= {":lo": sort_range[0], ":hi": sort_range[1]}
        condition += " AND #sk BETWEEN :lo AND :hi"
    elif sort_prefix:
        names["#sk"] = sk_attribute
        values[":prefix"] = sort_prefix
        condition += " AND begins_with(#sk, :prefix)"
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": condition,
        "Limit": min(limit * READ_AHEAD, MAX_EVALUATED) if where else limit,
        "ScanIndexForward": not newest_first,
    }
    if where:
        request["FilterExpression"] = _filter_expression(where, names, values)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = _to_raw(values)
    if index:
        request["IndexName"] = index
    if next_token:
        request["ExclusiveStartKey"] = _decode_token(next_token, index, partition, sort_prefix, sort_range)
    response = _client().query(**request)
    raws = response["Items"]
    last = response.get("LastEvaluatedKey")
    if len(raws) > limit:  # more matches than the page holds: continue after the last one returned
        raws = raws[:limit]
        last = {attribute: raws[-1][attribute] for attribute in (PARTITION_KEY, SORT_KEY, pk_attribute, sk_attribute)}
    return Page([_to_item(raw) for raw in raws], _encode_token(last) if last else None)


# -- reads ------------------------------------------------------------------------------------


def get(kind: str, item_id: str) -> dict[str, Any] | None:
    response = _client().get_item(TableName=_table(), Key=_to_raw(KEYS[kind](item_id)))
    raw = response.get("Item")
    return _to_item(raw) if raw else None


def _batch_get_raw(keys: Iterable[Mapping[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
    """Raw items by key, in as few BatchGetItem calls as the 100-key limit allows."""
    unique = list({(k[PARTITION_KEY], k[SORT_KEY]): k for k in keys}.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        request: dict[str, Any] = {"Keys": [_to_raw(k) for k in unique[start : start + BATCH_GET_LIMIT]]}
        if consistent:
            request["ConsistentRead"] = True
        pending: dict[str, Any] = {_table(): request}
        while pending:
            response = _client().batch_get_item(RequestItems=pending)
            found += response["Responses"].get(_table(), [])
            pending = response.get("UnprocessedKeys") or {}
    return found


def batch_get(kind: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Items of one kind by id."""
    items = (_to_item(raw) for raw in _batch_get_raw(KEYS[kind](i) for i in ids if i))
    return {item["id"]: item for item in items}


def all_pages(index: str | None, partition: str, *, sort_prefix: str | None = None) -> list[dict[str, Any]]:
    """Every item of a small partition, page after page (admin paths only, never a listing)."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = query_page(index, partition, limit=100, next_token=token, sort_prefix=sort_prefix)
        items += page.items
        token = page.next_token
        if not token:
            return items


# -- catalog writes ---------------------------------------------------------------------------


def _full(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {**KEYS[kind](item["id"]), **index_keys(kind, item), "kind": kind, **item}


def _put(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": _table(),
            "Item": _to_raw(_full(kind, item)),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _index_item_writes(
    before: Mapping[tuple[str, str], Mapping[str, Any]], after: Mapping[tuple[str, str], Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Transaction actions that turn one set of index items into another, touching only what differs."""
    deletes = [
        {"Delete": {"TableName": _table(), "Key": _to_raw({PARTITION_KEY: key[0], SORT_KEY: key[1]})}}
        for key in before.keys() - after.keys()
    ]
    puts = [
        {"Put": {"TableName": _table(), "Item": _to_raw(item)}}
        for key, item in after.items()
        if before.get(key) != item
    ]
    return deletes + puts


def _count(
    kind: str,
    item_id: str,
    counter: str,
    delta: int,
    *,
    condition: str = "attribute_exists(PK)",
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": _table(),
            "Key": _to_raw(KEYS[kind](item_id)),
            "UpdateExpression": f"ADD {counter} :delta",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": _to_raw({":delta": delta, **(values or {})}),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def _delete(kind: str, item_id: str, condition: str, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    delete: dict[str, Any] = {
        "TableName": _table(),
        "Key": _to_raw(KEYS[kind](item_id)),
        "ConditionExpression": condition,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if values:
        delete["ExpressionAttributeValues"] = _to_raw(values)
    return {"Delete": delete}


def _cancellation(error: ClientError) -> list[dict[str, Any]] | None:
    """The per-action reasons of a cancelled transaction; None for any other error."""
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        return None
    return error.response.get("CancellationReasons") or []


def _transact(actions: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Run a transaction; on a failed condition return, per action, None or the failed item."""
    try:
        _client().transact_write_items(TransactItems=actions)
    except ClientError as error:
        reasons = _cancellation(error)
        if reasons is None:
            raise
        if any(r.get("Code") == "TransactionConflict" for r in reasons):
            raise ConflictError("Someone else is changing the same items: try again") from None
        if not any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
            raise
        return [
            (_to_item(r["Item"]) if r.get("Item") else {}) if r.get("Code") == "ConditionalCheckFailed" else None
            for r in reasons
        ]
    return []


def put_profile(profile: Mapping[str, Any]) -> bool:
    """Write a user's profile once; False when it was already there (a repeated trigger)."""
    try:
        _client().put_item(
            TableName=_table(), Item=_to_raw(_full("PROFILE", profile)), ConditionExpression="attribute_not_exists(PK)"
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _index_puts(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _index_item_writes({}, index_items(kind, item))


def create_artist(artist: Mapping[str, Any]) -> dict[str, Any]:
    failed = _transact([_put("ARTIST", artist), *_index_puts("ARTIST", artist)])
    if failed:
        raise ConflictError("An artist with this id already exists")
    return dict(artist)


def create_album(album: Mapping[str, Any]) -> dict[str, Any]:
    failed = _transact(
        [_put("ALBUM", album), _count("ARTIST", album["artistId"], "albumCount", 1), *_index_puts("ALBUM", album)]
    )
    if failed and failed[1] is not None:
        raise NotFoundError(f"Artist {album['artistId']} not found")
    if failed:
        raise ConflictError("An album with this id already exists")
    return dict(album)


def create_song(song: Mapping[str, Any], album_seen: str | None = None) -> dict[str, Any]:
    """Add a song; on an album, only if the album is unchanged since `album_seen` (its updatedAt),
    so the release date the song copied from it is still the album's."""
    actions = [_put("SONG", song), _count("ARTIST", song["artistId"], "songCount", 1)]
    if song.get("albumId"):
        actions.append(
            _count(
                "ALBUM",
                song["albumId"],
                "songCount",
                1,
                condition="attribute_exists(PK) AND artistId = :artist AND updatedAt = :seen",
                values={":artist": song["artistId"], ":seen": album_seen},
            )
        )
    failed = _transact([*actions, *_index_puts("SONG", song)])
    if not failed:
        return dict(song)
    if failed[1] is not None:
        raise NotFoundError(f"Artist {song['artistId']} not found")
    if song.get("albumId") and failed[2] is not None:
        if not failed[2]:
            raise NotFoundError(f"Album {song['albumId']} not found")
        if failed[2]["artistId"] != song["artistId"]:
            raise ValidationError("albumId: the album belongs to another artist")
        raise ConflictError("The album changed while adding the song: try again")
    raise ConflictError("A song with this id already exists")


# The fields each kind's index keys and index items are derived from (see index_keys, index_items).
INDEXED_FIELDS: dict[str, set[str]] = {
    "ARTIST": {"name", "genres"},
    "ALBUM": {"releaseDate", "title", "genre"},
    "SONG": {"genre", "trackNumber", "title", "releaseDate"},
}


def update(kind: str, item_id: str, changes: Mapping[str, Any], updated_at: str) -> dict[str, Any]:
    """Set (or, for None, remove) fields of an existing item, moving its index keys and items with them.

    A change to an indexed field needs the rest of the item to derive the new keys: it is
    read first and the write is conditional on the item not having changed since
    (ConflictError if it did), so the keys always match the fields they come from. Only the
    keys that these changes move are written, so a key another writer owns (a song's rank,
    moved by ratings) is never overwritten with what this one read. When index
    items change too, all of it is one transaction and the result is the item as read plus
    the changes (counters as read).
    """
    values: dict[str, Any] = {}
    condition = "attribute_exists(PK)"
    index_sets: dict[str, str] = {}
    index_removes: list[str] = []
    item_writes: list[dict[str, Any]] = []
    merged: dict[str, Any] = {}
    if INDEXED_FIELDS.get(kind, set()) & changes.keys():
        current = get(kind, item_id)
        if current is None:
            raise NotFoundError(f"{kind.title()} {item_id} not found")
        merged = {k: v for k, v in {**current, **changes}.items() if v is not None}
        before, keys = index_keys(kind, current), index_keys(kind, merged)
        index_sets = {k: v for k, v in keys.items() if before.get(k) != v}
        index_removes = sorted(before.keys() - keys.keys())
        item_writes = _index_item_writes(index_items(kind, current), index_items(kind, merged))
        condition += " AND updatedAt = :seen"
        values[":seen"] = current["updatedAt"]
    sets = {**{k: v for k, v in changes.items() if v is not None}, **index_sets, "updatedAt": updated_at}
    removes = [k for k, v in changes.items() if v is None] + index_removes
    names = {f"#a{n}": name for n, name in enumerate([*sets, *removes])}
    by_name = {name: alias for alias, name in names.items()}
    expression = "SET " + ", ".join(f"{by_name[k]} = :v{n}" for n, k in enumerate(sets))
    if removes:
        expression += " REMOVE " + ", ".join(by_name[k] for k in removes)
    values |= {f":v{n}": v for n, v in enumerate(sets.values())}
    write = {
        "TableName": _table(),
        "Key": _to_raw(KEYS[kind](item_id)),
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": _to_raw(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if item_writes:
        failed = _transact([{"Update": write}, *item_writes])
        if failed and failed[0]:
            raise ConflictError(f"{kind.title()} {item_id} changed while updating it: try again")
        if failed:
            raise NotFoundError(f"{kind.title()} {item_id} not found")
        return {**merged, "updatedAt": updated_at}
    try:
        response = _client().update_item(**write, ReturnValues="ALL_NEW")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        if error.response.get("Item"):
            raise ConflictError(f"{kind.title()} {item_id} changed while updating it: try again") from None
        raise NotFoundError(f"{kind.title()} {item_id} not found") from None
    return _to_item(response["Attributes"])


_EMPTY = "(attribute_not_exists({c}) OR {c} = :zero)"
_UNCHANGED = "attribute_exists(PK) AND updatedAt = :seen"


def _index_deletes(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _index_item_writes(index_items(kind, item), {})


def delete_artist(artist: Mapping[str, Any]) -> None:
    """Delete an artist we have read, with its index items; refused while it has albums or songs."""
    condition = f"{_UNCHANGED} AND {_EMPTY.format(c='albumCount')} AND {_EMPTY.format(c='songCount')}"
    failed = _transact(
        [
            _delete("ARTIST", artist["id"], condition, {":zero": 0, ":seen": artist["updatedAt"]}),
            *_index_deletes("ARTIST", artist),
        ]
    )
    if failed and failed[0] and (failed[0].get("albumCount") or failed[0].get("songCount")):
        raise ConflictError("The artist still has albums or songs: delete those first")
    if failed and failed[0]:
        raise ConflictError(f"Artist {artist['id']} changed while deleting it: try again")
    if failed:
        raise NotFoundError(f"Artist {artist['id']} not found")


def delete_album(album: Mapping[str, Any]) -> None:
    """Delete an album we have read; the condition re-checks what we read."""
    condition = f"{_UNCHANGED} AND artistId = :artist AND {_EMPTY.format(c='songCount')}"
    failed = _transact(
        [
            _delete(
                "ALBUM", album["id"], condition, {":zero": 0, ":artist": album["artistId"], ":seen": album["updatedAt"]}
            ),
            _count("ARTIST", album["artistId"], "albumCount", -1),
            *_index_deletes("ALBUM", album),
        ]
    )
    if failed and failed[0] and failed[0].get("songCount"):
        raise ConflictError("The album still has songs: delete those first")
    if failed and failed[0]:
        raise ConflictError(f"Album {album['id']} changed while deleting it: try again")
    if failed:
        raise NotFoundError(f"Album {album['id']} not found")


def delete_song(song: Mapping[str, Any]) -> None:
    """Delete a song we have read, and release it from its artist's and album's counts.

    Its ratings stay behind (listed under `RATERS#id` for the asynchronous clean-up)."""
    actions = [
        _delete(
            "SONG",
            song["id"],
            f"{_UNCHANGED} AND artistId = :artist",
            {":artist": song["artistId"], ":seen": song["updatedAt"]},
        ),
        _count("ARTIST", song["artistId"], "songCount", -1),
    ]
    if song.get("albumId"):
        actions.append(_count("ALBUM", song["albumId"], "songCount", -1))
    failed = _transact([*actions, *_index_deletes("SONG", song)])
    if failed and failed[0]:
        raise ConflictError(f"Song {song['id']} changed while deleting it: try again")
    if failed:
        raise NotFoundError(f"Song {song['id']} not found")


# -- offline libraries ------------------------------------------------------------------------
# A listener's offline songs live in the listener's partition (`USER#sub`, `OFFLINE#songId`);
# a counter item beside them enforces the per-listener limit in the same transaction.


def _offline_key(user_id: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"OFFLINE#{song_id}"}


def _offline_count_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "OFFLINE_COUNT"}


def add_offline(user_id: str, entry: Mapping[str, Any], limit: int) -> bool:
    """Add a song to the library; False when it was already there. ConflictError past the limit."""
    failed = _transact(
        [
            {
                "Put": {
                    "TableName": _table(),
                    "Item": _to_raw({**_offline_key(user_id, entry["songId"]), **entry}),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": _table(),
                    "Key": _to_raw(_offline_count_key(user_id)),
                    "UpdateExpression": "ADD songCount :one",
                    "ConditionExpression": "attribute_not_exists(songCount) OR songCount < :limit",
                    "ExpressionAttributeValues": _to_raw({":one": 1, ":limit": limit}),
                }
            },
        ]
    )
    if failed and failed[0] is not None:
        return False
    if failed:
        raise ConflictError(f"The offline library holds at most {limit} songs: remove some first")
    return True


def get_offline(user_id: str, song_id: str) -> dict[str, Any] | None:
    raw = _client().get_item(TableName=_table(), Key=_to_raw(_offline_key(user_id, song_id))).get("Item")
    return _to_item(raw) if raw else None


def renew_offline(user_id: str, song_id: str, changes: Mapping[str, Any]) -> None:
    names = {f"#a{n}": name for n, name in enumerate(changes)}
    _client().update_item(
        TableName=_table(),
        Key=_to_raw(_offline_key(user_id, song_id)),
        UpdateExpression="SET " + ", ".join(f"#a{n} = :v{n}" for n in range(len(changes))),
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=_to_raw({f":v{n}": v for n, v in enumerate(changes.values())}),
    )


def remove_offline(user_id: str, song_id: str) -> None:
    failed = _transact(
        [
            {
                "Delete": {
                    "TableName": _table(),
                    "Key": _to_raw(_offline_key(user_id, song_id)),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": _table(),
                    "Key": _to_raw(_offline_count_key(user_id)),
                    "UpdateExpression": "ADD songCount :minus",
                    "ExpressionAttributeValues": _to_raw({":minus": -1}),
                }
            },
        ]
    )
    if failed:
        raise NotFoundError(f"Song {song_id} is not in the offline library")


def offline_page(user_id: str, limit: int, next_token: str | None) -> Page:
    return query_page(
        None, f"USER#{user_id}", limit=limit, next_token=next_token, newest_first=True, sort_prefix="OFFLINE#"
    )


# -- follows ----------------------------------------------------------------------------------

# What a follow names -> the index whose `FOLLOWERS#…` partitions list its followers.
FOLLOWER_INDEX = {"ARTIST": "byArtist", "GENRE": "byGenre"}


def follow_key(user_id: str, target_kind: str, target: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"FOLLOW#{target_kind}#{target}"}


def _follow_target(follow: Mapping[str, Any]) -> tuple[str, str]:
    return ("ARTIST", follow["artistId"]) if follow.get("artistId") else ("GENRE", follow["genre"])


def follow_item(follow: Mapping[str, Any]) -> dict[str, Any]:
    """The stored follow: the user's partition, and the inverted-index keys of its followers."""
    target_kind, target = _follow_target(follow)
    pk_attribute, sk_attribute = INDEXES[FOLLOWER_INDEX[target_kind]]
    return {
        **follow_key(follow["userId"], target_kind, target),
        pk_attribute: f"FOLLOWERS#{target_kind}#{target}",
        sk_attribute: f"USER#{follow['userId']}",
        "kind": "FOLLOW",
        **follow,
    }


def put_follow(follow: Mapping[str, Any], max_follows: int) -> dict[str, Any] | None:
    """Write a follow and move the counts with it; returns the existing follow instead when there is one.

    One transaction: the follow item (with its inverted-index keys), the user's follow
    count (capped) and, for an artist, the artist's follower count.
    """
    target_kind, target = _follow_target(follow)
    item = follow_item(follow)
    actions = [
        {
            "Put": {
                "TableName": _table(),
                "Item": _to_raw(item),
                "ConditionExpression": "attribute_not_exists(PK)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        _count(
            "PROFILE",
            follow["userId"],
            "followCount",
            1,
            condition="attribute_exists(PK) AND (attribute_not_exists(followCount) OR followCount < :max)",
            values={":max": max_follows},
        ),
    ]
    if target_kind == "ARTIST":
        actions.append(_count("ARTIST", target, "followerCount", 1))
    failed = _transact(actions)
    if not failed:
        return None
    if failed[0] is not None:
        return failed[0]
    if len(failed) > 2 and failed[2] is not None:
        raise NotFoundError(f"Artist {target} not found")
    if failed[1]:
        raise ConflictError(f"You follow {max_follows} artists and genres already: unfollow some first")
    raise NotFoundError("No profile for this account yet")


def delete_follow(user_id: str, target_kind: str, target: str) -> bool:
    """Remove a follow and its counts; False when there was none. A removed artist no longer counts."""
    actions = [
        {
            "Delete": {
                "TableName": _table(),
                "Key": _to_raw(follow_key(user_id, target_kind, target)),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        _count("PROFILE", user_id, "followCount", -1),
    ]
    if target_kind == "ARTIST":
        actions.append(_count("ARTIST", target, "followerCount", -1))
    failed = _transact(actions)
    if failed and failed[0] is not None:
        return False
    if failed:  # the artist (or profile) is gone: its count went with it
        kept = [action for action, failure in zip(actions, failed, strict=True) if failure is None]
        if _transact(kept):
            return False
    return True


def follows_page(user_id: str, limit: int, next_token: str | None) -> Page:
    return query_page(None, f"USER#{user_id}", limit=limit, next_token=next_token, sort_prefix="FOLLOW#")


def _query_all(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every raw item of a Query, page after page (1 MB each)."""
    while True:
        response = _client().query(**request)
        yield from response["Items"]
        if "LastEvaluatedKey" not in response:
            return
        request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def all_follows(user_id: str) -> list[dict[str, Any]]:
    """Every follow of a user (bounded by the follow cap: one page in practice)."""
    request = {
        "TableName": _table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": _to_raw({":pk": f"USER#{user_id}", ":prefix": "FOLLOW#"}),
    }
    return [_to_item(raw) for raw in _query_all(request)]


def follower_ids(target_kind: str, target: str) -> Iterator[str]:
    """The users following an artist or a genre: Query pages of the inverted index, never a Scan."""
    index = FOLLOWER_INDEX[target_kind]
    request = {
        "TableName": _table(),
        "IndexName": index,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": INDEXES[index][0]},
        "ExpressionAttributeValues": _to_raw({":pk": f"FOLLOWERS#{target_kind}#{target}"}),
        "ProjectionExpression": "userId",
    }
    for raw in _query_all(request):
        yield raw["userId"]["S"]


# -- notifications (each user's inbox) --------------------------------------------------------

UNREAD_INDEX = "byParent"


def notification_key(user_id: str, notification_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"NOTE#{notification_id}"}


def _unread_keys(user_id: str, notification_id: str) -> dict[str, str]:
    pk_attribute, sk_attribute = INDEXES[UNREAD_INDEX]
    return {pk_attribute: f"UNREAD#{user_id}", sk_attribute: f"NOTE#{notification_id}"}


def _batch_write(requests: Sequence[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, resending what DynamoDB leaves unprocessed; returns the calls made."""
    calls = 0
    for start in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending: dict[str, Any] = {_table(): list(requests[start : start + BATCH_WRITE_LIMIT])}
        attempt = 0
        while pending:
            if attempt:
                time.sleep(min(0.05 * 2**attempt, 2))
            response = _client().batch_write_item(RequestItems=pending)
            calls += 1
            attempt += 1
            pending = response.get("UnprocessedItems") or {}
    return calls


def put_notifications(user_ids: Iterable[str], notification: Mapping[str, Any], expires_at: int) -> int:
    """One unread notification per user, written 25 to a call; the same event rewrites the same items.

    Returns the BatchWriteItem calls made.
    """
    # `kind` is the item-type marker of every item; the release's kind is stored as contentKind.
    fields = {k: v for k, v in notification.items() if k != "kind"} | {"contentKind": notification["kind"]}
    common = _to_raw({**fields, "kind": "NOTE", "read": False, TTL_ATTRIBUTE: expires_at})
    requests = [
        {
            "PutRequest": {
                "Item": {
                    **_to_raw(
                        {
                            **notification_key(user_id, notification["id"]),
                            **_unread_keys(user_id, notification["id"]),
                            "userId": user_id,
                        }
                    ),
                    **common,
                }
            }
        }
        for user_id in user_ids
    ]
    return _batch_write(requests)


def _notification(item: Mapping[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in item.items() if k != "contentKind"}
    return fields | {"kind": item.get("contentKind")}


def notifications_page(user_id: str, limit: int, next_token: str | None, unread_only: bool) -> Page:
    if unread_only:
        page = query_page(UNREAD_INDEX, f"UNREAD#{user_id}", limit=limit, next_token=next_token, newest_first=True)
    else:
        page = query_page(
            None, f"USER#{user_id}", limit=limit, next_token=next_token, newest_first=True, sort_prefix="NOTE#"
        )
    return Page([_notification(item) for item in page.items], page.next_token)


def count_unread(user_id: str) -> int:
    """A COUNT Query on the user's sparse unread partition (pages of 1 MB of keys)."""
    request: dict[str, Any] = {
        "TableName": _table(),
        "IndexName": UNREAD_INDEX,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": INDEXES[UNREAD_INDEX][0]},
        "ExpressionAttributeValues": _to_raw({":pk": f"UNREAD#{user_id}"}),
        "Select": "COUNT",
    }
    total = 0
    while True:
        response = _client().query(**request)
        total += response["Count"]
        if "LastEvaluatedKey" not in response:
            return total
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def mark_notifications_read(user_id: str, notification_ids: Sequence[str] | None) -> int:
    """Mark the user's own notifications read (these ids, or all unread); returns how many changed.

    The keys are built from the caller's id, so another user's notification cannot be
    reached. Unread items are rewritten read and without their unread-index keys: one
    BatchGetItem (or the unread partition's pages) plus one BatchWriteItem per 25.
    """
    unread_pk = INDEXES[UNREAD_INDEX][0]
    if notification_ids is None:
        request = {
            "TableName": _table(),
            "IndexName": UNREAD_INDEX,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": unread_pk},
            "ExpressionAttributeValues": _to_raw({":pk": f"UNREAD#{user_id}"}),
        }
        unread = list(_query_all(request))
    else:
        keys = [_to_raw(notification_key(user_id, i)) for i in dict.fromkeys(notification_ids)]
        unread = []
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            pending: dict[str, Any] = {_table(): {"Keys": keys[start : start + BATCH_GET_LIMIT]}}
            while pending:
                response = _client().batch_get_item(RequestItems=pending)
                unread += [raw for raw in response["Responses"].get(_table(), []) if unread_pk in raw]
                pending = response.get("UnprocessedKeys") or {}
    rewritten = [{"PutRequest": {"Item": {**_without_unread_keys(raw), "read": {"BOOL": True}}}} for raw in unread]
    _batch_write(rewritten)
    return len(rewritten)


def _without_unread_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in INDEXES[UNREAD_INDEX]}


# -- fan-out records (idempotency keyed on the event id) --------------------------------------


class EventBusy(ConflictError):
    """Another delivery of the same event holds its lease: this one is retried later."""


def event_key(event_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"EVENT#{event_id}", SORT_KEY: "EVENT"}


def claim_event(event_id: str, *, now: int, lease_until: int, expires_at: int) -> set[str] | None:
    """Take the event's lease; returns the steps already done, or None when the event is complete.

    One conditional UpdateItem: the first delivery creates the record, a later one (a retry
    after a failure) sees what the earlier ones finished, and a concurrent one is refused.
    """
    try:
        response = _client().update_item(
            TableName=_table(),
            Key=_to_raw(event_key(event_id)),
            UpdateExpression="SET #lease = :until, #ttl = if_not_exists(#ttl, :ttl), #kind = :kind",
            ConditionExpression="attribute_not_exists(#done) AND (attribute_not_exists(#lease) OR #lease < :now)",
            ExpressionAttributeNames={
                "#lease": "leaseUntil",
                "#ttl": TTL_ATTRIBUTE,
                "#kind": "kind",
                "#done": "completedAt",
            },
            ExpressionAttributeValues=_to_raw(
                {":until": lease_until, ":ttl": expires_at, ":kind": "EVENT", ":now": now}
            ),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        if "completedAt" in (error.response.get("Item") or {}):
            return None
        raise EventBusy(f"Event {event_id} is being processed by another delivery") from None
    return set(_to_item(response["Attributes"]).get("steps", []))


def event_step_done(event_id: str, step: str, *, completed_at: str | None = None) -> None:
    """Record a finished step; the last one also marks the event complete and frees the lease."""
    expression = "ADD #steps :step"
    values: dict[str, Any] = {":step": {step}}
    names = {"#steps": "steps"}
    if completed_at:
        expression += " SET #done = :done REMOVE #lease"
        values[":done"] = completed_at
        names |= {"#done": "completedAt", "#lease": "leaseUntil"}
    _client().update_item(
        TableName=_table(),
        Key=_to_raw(event_key(event_id)),
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=_to_raw(values),
    )


def release_event(event_id: str) -> None:
    """Free the lease after a failed attempt, so the retry need not wait for it to lapse."""
    _client().update_item(
        TableName=_table(),
        Key=_to_raw(event_key(event_id)),
        UpdateExpression="REMOVE #lease",
        ExpressionAttributeNames={"#lease": "leaseUntil"},
    )


# -- ratings ----------------------------------------------------------------------------------
# A rating is an item of its user (`USER#sub` / `RATING#songId`); the song keeps the sum and
# count of its ratings, and its rank keys, moved in the same transaction as the rating.


def rating_key(user_id: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"RATING#{song_id}"}


def _rating_item(rating: Mapping[str, Any]) -> dict[str, Any]:
    by_time, by_song = INDEXES["byKind"], INDEXES["byParent"]
    return {
        **rating_key(rating["userId"], rating["songId"]),
        by_time[0]: f"RATINGS#{rating['userId']}",
        by_time[1]: f"{rating['ratedAt']}#{rating['songId']}",
        by_song[0]: f"RATERS#{rating['songId']}",
        by_song[1]: f"USER#{rating['userId']}",
        "kind": "RATING",
        **rating,
    }


def rating_state(user_id: str, song_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The song and the user's rating of it, as they are now (one strongly consistent BatchGetItem)."""
    song: dict[str, Any] | None = None
    rating: dict[str, Any] | None = None
    for raw in _batch_get_raw([song_key(song_id), rating_key(user_id, song_id)], consistent=True):
        if raw[SORT_KEY]["S"] == "SONG":
            song = _to_item(raw)
        else:
            rating = _to_item(raw)
    return song, rating


def ratings_of(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Ratings by (user, song): one strongly consistent BatchGetItem, so callers see their own writes."""
    found = _batch_get_raw([rating_key(user, song) for user, song in pairs], consistent=True)
    return {(item["userId"], item["songId"]): item for item in map(_to_item, found)}


def ratings_page(user_id: str, limit: int, next_token: str | None) -> Page:
    """A user's ratings, the latest first."""
    return query_page("byKind", f"RATINGS#{user_id}", limit=limit, next_token=next_token, newest_first=True)


@dataclass(frozen=True)
class RatingWrite:
    """The outcome of a rating write: the song and rating after it, or as found when it was refused."""

    written: bool
    song: dict[str, Any] | None
    rating: dict[str, Any] | None


def _aggregate_write(
    song: Mapping[str, Any], seen: Mapping[str, Any] | None, rating: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The song's side of a rating write, conditional on its aggregate as read; and the song after it."""
    after = {
        **song,
        "ratingSum": song.get("ratingSum", 0) + (rating["stars"] if rating else 0) - (seen["stars"] if seen else 0),
        "ratingCount": song.get("ratingCount", 0) + (1 if rating else 0) - (1 if seen else 0),
    }
    sets = {
        "ratingSum": after["ratingSum"],
        "ratingCount": after["ratingCount"],
        **{k: v for k, v in index_keys("SONG", after).items() if k in _RANK_ATTRIBUTES},
    }
    names = {f"#s{n}": name for n, name in enumerate(sets)}
    values: dict[str, Any] = {f":s{n}": value for n, value in enumerate(sets.values())}
    condition = "attribute_exists(PK)"
    if "ratingCount" in song:
        condition += " AND ratingCount = :count AND ratingSum = :sum"
        values |= {":count": song["ratingCount"], ":sum": song.get("ratingSum", 0)}
    else:
        condition += " AND attribute_not_exists(ratingCount)"
    if rating is not None:
        condition += " AND #status = :ready"
        names["#status"] = "status"
        values[":ready"] = "READY"
    update = {
        "TableName": _table(),
        "Key": _to_raw(song_key(song["id"])),
        "UpdateExpression": "SET " + ", ".join(f"#s{n} = :s{n}" for n in range(len(sets))),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": _to_raw(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    return {"Update": update}, after


def write_rating(
    song_id: str, song: Mapping[str, Any] | None, seen: Mapping[str, Any] | None, rating: Mapping[str, Any] | None
) -> RatingWrite:
    """Replace the rating `seen` (None: there was none) by `rating` (None: remove it), and move
    the song's sum, count and rank keys with it.

    One transaction, conditional on both items being as read: the rating still has the stars
    `seen` had (so a concurrent re-rating cannot count twice) and the song still has the sum
    and count `song` had (so the rank keys written match the aggregate). A new or changed
    rating also needs the song READY. When refused, the items as they are now come back
    (from the cancellation reasons, or a fresh read) for the caller to retry on. A song that
    no longer exists (`song` None) only loses the rating.
    """
    mine = rating or seen
    assert mine is not None, "nothing to write"
    user_id = mine["userId"]
    if rating is not None:
        rating_write: dict[str, Any] = {"Put": {"TableName": _table(), "Item": _to_raw(_rating_item(rating))}}
    else:
        rating_write = {"Delete": {"TableName": _table(), "Key": _to_raw(rating_key(user_id, song_id))}}
    guard = next(iter(rating_write.values()))
    guard["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if seen is None:
        guard["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        guard["ConditionExpression"] = "stars = :old"
        guard["ExpressionAttributeValues"] = _to_raw({":old": seen["stars"]})
    actions = [rating_write]

    after = None
    if song is not None:
        aggregate, after = _aggregate_write(song, seen, rating)
        actions.append(aggregate)
    try:
        _client().transact_write_items(TransactItems=actions)
    except ClientError as error:
        reasons = _cancellation(error)
        if reasons is None:
            raise
        if any(r.get("Code") not in ("None", "ConditionalCheckFailed") for r in reasons):
            # Another transaction held an item (TransactionConflict): nothing came back, read again.
            return RatingWrite(False, *rating_state(user_id, song_id))
        now: list[dict[str, Any] | None] = [dict(seen) if seen else None, dict(song) if song else None]
        for position, reason in enumerate(reasons):
            if reason.get("Code") == "ConditionalCheckFailed":
                now[position] = _to_item(reason["Item"]) if reason.get("Item") else None
        return RatingWrite(False, now[1], now[0])
    return RatingWrite(True, after, dict(rating) if rating else None)


# -- discover ---------------------------------------------------------------------------------


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


# -- search -----------------------------------------------------------------------------------


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
        "TableName": _table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :word)",
        "Limit": min(limit * READ_AHEAD, MAX_EVALUATED),
        "ExpressionAttributeValues": _to_raw(values),
    }
    if others:
        request["FilterExpression"] = " AND ".join(f"contains(#text, :w{n})" for n in range(len(others)))
        request["ExpressionAttributeNames"] = names
    hits = [(raw["targetKind"]["S"], raw["targetId"]["S"]) for raw in _client().query(**request)["Items"]]
    targets = list(dict.fromkeys(hits))[:limit]
    if not targets:
        return []
    found = {}
    for raw in _batch_get_raw(KEYS[kind](item_id) for kind, item_id in targets):
        kind, item_id = raw[PARTITION_KEY]["S"].split("#", 1)
        found[(kind, item_id)] = _to_item(raw)
    return [(kind, found[(kind, item_id)]) for kind, item_id in targets if (kind, item_id) in found]


# -- feed -------------------------------------------------------------------------------------
# Each listener's precomputed picks are one item of their partition (`USER#sub` / `FEED`),
# rewritten whole when their ratings or follows change; new releases come from their inbox.


def feed_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "FEED"}


def get_feed(user_id: str) -> dict[str, Any] | None:
    """The listener's precomputed picks, or None before the first computation (one GetItem)."""
    raw = _client().get_item(TableName=_table(), Key=_to_raw(feed_key(user_id))).get("Item")
    return _to_item(raw) if raw else None


def put_feed(user_id: str, entries: Sequence[Mapping[str, Any]], computed_at: str) -> bool:
    """Store the picks unless a computation that started later already has; False when it had."""
    try:
        _client().put_item(
            TableName=_table(),
            Item=_to_raw({**feed_key(user_id), "kind": "FEED", "computedAt": computed_at, "entries": list(entries)}),
            ConditionExpression="attribute_not_exists(PK) OR computedAt <= :mine",
            ExpressionAttributeValues=_to_raw({":mine": computed_at}),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def latest_ratings(user_id: str, limit: int) -> list[dict[str, Any]]:
    """A listener's ratings, the latest first, at most `limit` of them (Query pages of 100)."""
    ratings: list[dict[str, Any]] = []
    token = None
    while len(ratings) < limit:
        page = ratings_page(user_id, min(BATCH_GET_LIMIT, limit - len(ratings)), token)
        ratings += page.items
        token = page.next_token
        if not token:
            break
    return ratings


def raters(song_id: str, limit: int) -> list[dict[str, Any]]:
    """Ratings of a song by any listener (one Query of its `RATERS#` partition)."""
    return query_page("byParent", f"RATERS#{song_id}", limit=limit, next_token=None).items


def song_releases(user_id: str, limit: int) -> list[dict[str, Any]]:
    """The newest song releases in the listener's inbox (one Query; album releases filtered out)."""
    page = query_page(
        None,
        f"USER#{user_id}",
        limit=limit,
        next_token=None,
        newest_first=True,
        sort_prefix="NOTE#",
        where=[Where("contentKind", "=", "SONG")],
    )
    return page.items


def songs_and_ratings(
    user_id: str, song_ids: Sequence[str], *, have: Iterable[str] = ()
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """These songs (but those the caller already `have`), and which of them the listener has
    rated: one BatchGetItem per 50 songs."""
    skip = set(have)
    keys = [rating_key(user_id, song_id) for song_id in song_ids]
    keys += [song_key(song_id) for song_id in song_ids if song_id not in skip]
    songs: dict[str, dict[str, Any]] = {}
    rated: set[str] = set()
    for raw in _batch_get_raw(keys) if keys else []:
        item = _to_item(raw)
        if raw[SORT_KEY]["S"] == "SONG":
            songs[item["id"]] = item
        else:
            rated.add(item["songId"])
    return songs, rated


def forget_ratings_of(song_id: str) -> int:
    """Delete every rating of a (deleted) song, found through its `RATERS#` partition; returns how many."""
    partition, sort_key = INDEXES["byParent"]
    request = {
        "TableName": _table(),
        "IndexName": "byParent",
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": partition},
        "ExpressionAttributeValues": _to_raw({":pk": f"RATERS#{song_id}"}),
        "ProjectionExpression": f"{PARTITION_KEY}, {SORT_KEY}, {sort_key}",
    }
    keys = [{PARTITION_KEY: raw[PARTITION_KEY], SORT_KEY: raw[SORT_KEY]} for raw in _query_all(request)]
    _batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
    return len(keys)
