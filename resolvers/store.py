"""The one data-access module: the single DynamoDB table, designed from the access patterns.

Every read on a request path is a GetItem, a Query or a BatchGetItem (never a Scan).
Counters that guard deletes (an artist's albums and songs, an album's songs) move in
the same transaction as the item they count, so a delete can never strand children;
so do the counts of follows (an artist's followers, a user's follows).
Items are returned as plain dicts of GraphQL-shaped attributes, numbers as int.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.settings import settings
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_KEY_ATTRIBUTES = {PARTITION_KEY, SORT_KEY} | {a for keys in INDEXES.values() for a in keys}
_HIDDEN = _KEY_ATTRIBUTES | {"kind", TTL_ATTRIBUTE}
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25


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


def _decode_token(token: str, index: str | None, partition: str, sort_prefix: str | None = None) -> dict[str, Any]:
    """Turn a client's nextToken back into a start key, refusing anything we did not issue."""
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
        request["ExclusiveStartKey"] = _decode_token(next_token, index, partition, sort_prefix)
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
