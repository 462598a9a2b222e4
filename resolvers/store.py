"""The one data-access module: the single DynamoDB table, designed from the access patterns.

Every read on a request path is a GetItem, a Query or a BatchGetItem (never a Scan).
Counters that guard deletes (an artist's albums and songs, an album's songs) move in
the same transaction as the item they count, so a delete can never strand children.
Items are returned as plain dicts of GraphQL-shaped attributes, numbers as int.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.settings import settings
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_KEY_ATTRIBUTES = {PARTITION_KEY, SORT_KEY} | {a for keys in INDEXES.values() for a in keys}
_HIDDEN = _KEY_ATTRIBUTES | {"kind"}
BATCH_GET_LIMIT = 100


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


@cache
def _client() -> Any:
    return boto3.client("dynamodb")


def _table() -> str:
    return settings().table_name


# -- keys ------------------------------------------------------------------------------------


def artist_key(artist_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ARTIST#{artist_id}", SORT_KEY: "ARTIST"}


def album_key(album_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ALBUM#{album_id}", SORT_KEY: "ALBUM"}


def song_key(song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"SONG#{song_id}", SORT_KEY: "SONG"}


def profile_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "PROFILE"}


KEYS = {"ARTIST": artist_key, "ALBUM": album_key, "SONG": song_key, "PROFILE": profile_key}


def _track(track_number: int | None) -> str:
    return f"{track_number:04d}" if track_number else "9999"


def index_keys(kind: str, item: Mapping[str, Any]) -> dict[str, str]:
    """The index attributes an item of this kind carries, derived from its fields."""
    if kind == "ARTIST":
        return {"GSI1PK": "ARTIST", "GSI1SK": f"{item['name'].casefold()}#{item['id']}"}
    if kind == "ALBUM":
        return {
            "GSI2PK": f"ARTIST#{item['artistId']}",
            "GSI2SK": f"ALBUM#{item.get('releaseDate') or '0000'}#{item['id']}",
        }
    if kind == "SONG":
        keys = {
            "GSI1PK": "SONG",
            "GSI1SK": f"{item['createdAt']}#{item['id']}",
            "GSI3PK": f"ARTIST#{item['artistId']}",
            "GSI3SK": f"{item['createdAt']}#{item['id']}",
            "GSI4PK": f"GENRE#{item['genre']}",
            "GSI4SK": f"{item['createdAt']}#{item['id']}",
        }
        if item.get("albumId"):
            keys |= {
                "GSI2PK": f"ALBUM#{item['albumId']}",
                "GSI2SK": f"SONG#{_track(item.get('trackNumber'))}#{item['id']}",
            }
        return keys
    return {}


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


def _decode_token(token: str, index: str | None, partition: str) -> dict[str, Any]:
    """Turn a client's nextToken back into a start key, refusing anything we did not issue."""
    expected = {PARTITION_KEY, SORT_KEY} | (set(INDEXES[index]) if index else set())
    partition_attribute = INDEXES[index][0] if index else PARTITION_KEY
    try:
        plain = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        plain = None
    if (
        not isinstance(plain, dict)
        or set(plain) != expected
        or not all(isinstance(v, str) for v in plain.values())
        or plain[partition_attribute] != partition
    ):
        raise ValidationError("Invalid nextToken: pass back the value a previous page returned")
    return _to_raw(plain)


def query_page(
    index: str | None,
    partition: str,
    *,
    limit: int,
    next_token: str | None,
    newest_first: bool = False,
    sort_prefix: str | None = None,
    filters: Mapping[str, Any] | None = None,
) -> Page:
    """One page of a partition of the table or an index (one Query call)."""
    pk_attribute, sk_attribute = INDEXES[index] if index else (PARTITION_KEY, SORT_KEY)
    names = {"#pk": pk_attribute}
    values: dict[str, Any] = {":pk": partition}
    condition = "#pk = :pk"
    if sort_prefix:
        names["#sk"] = sk_attribute
        values[":prefix"] = sort_prefix
        condition += " AND begins_with(#sk, :prefix)"
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": condition,
        "Limit": limit,
        "ScanIndexForward": not newest_first,
    }
    if filters:
        clauses = []
        for n, (attribute, wanted) in enumerate(sorted(filters.items())):
            names[f"#f{n}"] = attribute
            values[f":f{n}"] = wanted
            clauses.append(f"#f{n} = :f{n}")
        request["FilterExpression"] = " AND ".join(clauses)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = _to_raw(values)
    if index:
        request["IndexName"] = index
    if next_token:
        request["ExclusiveStartKey"] = _decode_token(next_token, index, partition)
    response = _client().query(**request)
    last = response.get("LastEvaluatedKey")
    return Page([_to_item(raw) for raw in response["Items"]], _encode_token(last) if last else None)


# -- reads ------------------------------------------------------------------------------------


def get(kind: str, item_id: str) -> dict[str, Any] | None:
    response = _client().get_item(TableName=_table(), Key=_to_raw(KEYS[kind](item_id)))
    raw = response.get("Item")
    return _to_item(raw) if raw else None


def batch_get(kind: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Items of one kind by id, in as few BatchGetItem calls as the 100-key limit allows."""
    unique = list(dict.fromkeys(i for i in ids if i))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        pending: dict[str, Any] = {
            _table(): {"Keys": [_to_raw(KEYS[kind](i)) for i in unique[start : start + BATCH_GET_LIMIT]]}
        }
        while pending:
            response = _client().batch_get_item(RequestItems=pending)
            for raw in response["Responses"].get(_table(), []):
                item = _to_item(raw)
                found[item["id"]] = item
            pending = response.get("UnprocessedKeys") or {}
    return found


# -- writes -----------------------------------------------------------------------------------


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


def _transact(actions: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Run a transaction; on a failed condition return, per action, None or the failed item."""
    try:
        _client().transact_write_items(TransactItems=actions)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons") or []
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


def create_artist(artist: Mapping[str, Any]) -> dict[str, Any]:
    failed = _transact([_put("ARTIST", artist)])
    if failed:
        raise ConflictError("An artist with this id already exists")
    return dict(artist)


def create_album(album: Mapping[str, Any]) -> dict[str, Any]:
    failed = _transact([_put("ALBUM", album), _count("ARTIST", album["artistId"], "albumCount", 1)])
    if failed and failed[1] is not None:
        raise NotFoundError(f"Artist {album['artistId']} not found")
    if failed:
        raise ConflictError("An album with this id already exists")
    return dict(album)


def create_song(song: Mapping[str, Any]) -> dict[str, Any]:
    actions = [_put("SONG", song), _count("ARTIST", song["artistId"], "songCount", 1)]
    if song.get("albumId"):
        actions.append(
            _count(
                "ALBUM",
                song["albumId"],
                "songCount",
                1,
                condition="attribute_exists(PK) AND artistId = :artist",
                values={":artist": song["artistId"]},
            )
        )
    failed = _transact(actions)
    if not failed:
        return dict(song)
    if failed[1] is not None:
        raise NotFoundError(f"Artist {song['artistId']} not found")
    if len(failed) > 2 and failed[2] is not None:
        if failed[2]:
            raise ValidationError("albumId: the album belongs to another artist")
        raise NotFoundError(f"Album {song['albumId']} not found")
    raise ConflictError("A song with this id already exists")


# The fields each kind's index keys are derived from (see index_keys).
INDEXED_FIELDS: dict[str, set[str]] = {"ARTIST": {"name"}, "ALBUM": {"releaseDate"}, "SONG": {"genre", "trackNumber"}}


def update(kind: str, item_id: str, changes: Mapping[str, Any], updated_at: str) -> dict[str, Any]:
    """Set (or, for None, remove) fields of an existing item, moving its index keys with them.

    A change to an indexed field needs the rest of the item to derive the new keys: it is
    read first and the write is conditional on the item not having changed since
    (ConflictError if it did), so the keys always match the fields they come from.
    """
    values: dict[str, Any] = {}
    condition = "attribute_exists(PK)"
    index: dict[str, str] = {}
    if INDEXED_FIELDS.get(kind, set()) & changes.keys():
        current = get(kind, item_id)
        if current is None:
            raise NotFoundError(f"{kind.title()} {item_id} not found")
        index = index_keys(kind, {**current, **changes})
        condition += " AND updatedAt = :seen"
        values[":seen"] = current["updatedAt"]
    sets = {**{k: v for k, v in changes.items() if v is not None}, **index, "updatedAt": updated_at}
    removes = [k for k, v in changes.items() if v is None]
    names = {f"#a{n}": name for n, name in enumerate([*sets, *removes])}
    by_name = {name: alias for alias, name in names.items()}
    expression = "SET " + ", ".join(f"{by_name[k]} = :v{n}" for n, k in enumerate(sets))
    if removes:
        expression += " REMOVE " + ", ".join(by_name[k] for k in removes)
    values |= {f":v{n}": v for n, v in enumerate(sets.values())}
    try:
        response = _client().update_item(
            TableName=_table(),
            Key=_to_raw(KEYS[kind](item_id)),
            UpdateExpression=expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_to_raw(values),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        if error.response.get("Item"):
            raise ConflictError(f"{kind.title()} {item_id} changed while updating it: try again") from None
        raise NotFoundError(f"{kind.title()} {item_id} not found") from None
    return _to_item(response["Attributes"])


_EMPTY = "(attribute_not_exists({c}) OR {c} = :zero)"


def delete_artist(artist_id: str) -> None:
    condition = "attribute_exists(PK) AND " + _EMPTY.format(c="albumCount") + " AND " + _EMPTY.format(c="songCount")
    failed = _transact([_delete("ARTIST", artist_id, condition, {":zero": 0})])
    if failed and failed[0]:
        raise ConflictError("The artist still has albums or songs: delete those first")
    if failed:
        raise NotFoundError(f"Artist {artist_id} not found")


def delete_album(album: Mapping[str, Any]) -> None:
    """Delete an album we have read; the condition re-checks what we read."""
    condition = "attribute_exists(PK) AND artistId = :artist AND " + _EMPTY.format(c="songCount")
    failed = _transact(
        [
            _delete("ALBUM", album["id"], condition, {":zero": 0, ":artist": album["artistId"]}),
            _count("ARTIST", album["artistId"], "albumCount", -1),
        ]
    )
    if failed and failed[0]:
        raise ConflictError("The album still has songs: delete those first")
    if failed:
        raise NotFoundError(f"Album {album['id']} not found")


def delete_song(song: Mapping[str, Any]) -> None:
    """Delete a song we have read, and release it from its artist's and album's counts."""
    actions = [
        _delete("SONG", song["id"], "attribute_exists(PK) AND artistId = :artist", {":artist": song["artistId"]}),
        _count("ARTIST", song["artistId"], "songCount", -1),
    ]
    if song.get("albumId"):
        actions.append(_count("ALBUM", song["albumId"], "songCount", -1))
    if _transact(actions):
        raise NotFoundError(f"Song {song['id']} not found")
