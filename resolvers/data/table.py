"""What every domain's data shares: the client, item keys, pages, tokens, batches and transactions.

A nextToken is opaque (base64 of the last key) and checked on the way back: a token we did
not issue, or one outside the query's key range, is a ValidationError rather than a request
DynamoDB would refuse. A transaction cancelled by a failed condition returns, per action,
the item that failed (`ReturnValuesOnConditionCheckFailure`), so callers map it to a typed
error without a second read.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from resolvers import aws_clients
from resolvers.errors import UnavailableError, ValidationError
from resolvers.settings import settings
from resolvers.table_layout import INDEXES, NUMERIC_KEYS, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

_serializer = TypeSerializer()


_deserializer = TypeDeserializer()


# Keys made only to be found by; a numeric key is the item's own field (`playCount`), shown as such.
_KEY_ATTRIBUTES = {PARTITION_KEY, SORT_KEY} | {a for keys in INDEXES.values() for a in keys} - NUMERIC_KEYS


_HIDDEN = _KEY_ATTRIBUTES | {"kind", TTL_ATTRIBUTE}


BATCH_GET_LIMIT = 100


BATCH_WRITE_LIMIT = 25


# A filtered page left short by its filter reads ahead once, this many times what it misses.
READ_AHEAD = 5


MAX_EVALUATED = 500
# DynamoDB refuses an empty key value and a sort key over 1,024 bytes: a token carrying one is not ours.
KEY_VALUE_MAX = 1024
# TransactionConflict retries: up to 6 attempts, pauses drawn up to 25, 50, ... 400 ms.
CONFLICT_ATTEMPTS = 6
CONFLICT_PAUSE = 0.025
CONFLICT_PAUSE_CAP = 0.4


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


@cache
def client() -> Any:
    return aws_clients.client("dynamodb")


def table_name() -> str:
    return settings().table_name


def artist_key(artist_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ARTIST#{artist_id}", SORT_KEY: "ARTIST"}


def album_key(album_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ALBUM#{album_id}", SORT_KEY: "ALBUM"}


def song_key(song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"SONG#{song_id}", SORT_KEY: "SONG"}


def profile_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "PROFILE"}


def playlist_key(playlist_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"PLAYLIST#{playlist_id}", SORT_KEY: "PLAYLIST"}


KEYS = {
    "ARTIST": artist_key,
    "ALBUM": album_key,
    "SONG": song_key,
    "PROFILE": profile_key,
    "PLAYLIST": playlist_key,  # search reads a PUBLIC playlist's header with the catalog's items
}


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


def to_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in raw.items() if k not in _HIDDEN}


def _stored(value: Any) -> Any:
    """The inverse of `_plain` for numbers: DynamoDB's are Decimals, and boto3 refuses a float
    (a smart playlist's `minRating`, say); str() keeps the float's shortest exact form."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_stored(v) for v in value]
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    return value


def to_raw(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_stored(v)) for k, v in values.items()}


def _encode_token(last_key: Mapping[str, Any]) -> str:
    plain = {k: _deserializer.deserialize(v) for k, v in last_key.items()}
    plain = {k: int(v) if isinstance(v, Decimal) else v for k, v in plain.items()}  # counts are whole
    return base64.urlsafe_b64encode(json.dumps(plain, sort_keys=True).encode()).decode().rstrip("=")


def _key_value(attribute: str, value: Any) -> bool:
    """A key value DynamoDB would take: a whole count ≥ 0 for a numeric key, else a non-empty short string."""
    if attribute in NUMERIC_KEYS:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18
    return isinstance(value, str) and 0 < len(value.encode()) <= KEY_VALUE_MAX


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
        or not all(_key_value(k, v) for k, v in plain.items())
        or plain[partition_attribute] != partition
        or (sort_prefix and not plain[sort_attribute].startswith(sort_prefix))
        or (sort_range and not sort_range[0] <= plain[sort_attribute] <= sort_range[1])
    ):
        raise ValidationError("Invalid nextToken: pass back the value a previous page returned")
    return to_raw(plain)


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
    lie within the prefix). With `where`, the Query evaluates `limit` items first (on most
    pages every one matches); only when the filter left the page short does a second Query
    evaluate up to READ_AHEAD times what is missing. At most `limit` matches come back, in at
    most two calls; the page may still be short.
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
        "TableName": table_name(),
        "KeyConditionExpression": condition,
        "Limit": limit,
        "ScanIndexForward": not newest_first,
    }
    if where:
        request["FilterExpression"] = _filter_expression(where, names, values)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = to_raw(values)
    if index:
        request["IndexName"] = index
    if next_token:
        request["ExclusiveStartKey"] = _decode_token(next_token, index, partition, sort_prefix, sort_range)
    response = client().query(**request)
    raws = response["Items"]
    last = response.get("LastEvaluatedKey")
    if where and last and len(raws) < limit:  # the filter left the page short: read ahead, once
        request |= {"Limit": min((limit - len(raws)) * READ_AHEAD, MAX_EVALUATED), "ExclusiveStartKey": last}
        response = client().query(**request)
        raws += response["Items"]
        last = response.get("LastEvaluatedKey")
    if len(raws) > limit:  # more matches than the page holds: continue after the last one returned
        raws = raws[:limit]
        last = {attribute: raws[-1][attribute] for attribute in (PARTITION_KEY, SORT_KEY, pk_attribute, sk_attribute)}
    return Page([to_item(raw) for raw in raws], _encode_token(last) if last else None)


def get(kind: str, item_id: str) -> dict[str, Any] | None:
    response = client().get_item(TableName=table_name(), Key=to_raw(KEYS[kind](item_id)))
    raw = response.get("Item")
    return to_item(raw) if raw else None


def batch_get_raw(keys: Iterable[Mapping[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
    """Raw items by key, in as few BatchGetItem calls as the 100-key limit allows."""
    unique = list({(k[PARTITION_KEY], k[SORT_KEY]): k for k in keys}.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        request: dict[str, Any] = {"Keys": [to_raw(k) for k in unique[start : start + BATCH_GET_LIMIT]]}
        if consistent:
            request["ConsistentRead"] = True
        pending: dict[str, Any] = {table_name(): request}
        while pending:
            response = client().batch_get_item(RequestItems=pending)
            found += response["Responses"].get(table_name(), [])
            pending = response.get("UnprocessedKeys") or {}
    return found


def batch_get(kind: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Items of one kind by id."""
    items = (to_item(raw) for raw in batch_get_raw(KEYS[kind](i) for i in ids if i))
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


def partition_request(
    index: str | None, partition: str, values: Mapping[str, Any] | None = None, **options: Any
) -> dict[str, Any]:
    """A Query of one whole partition of the table or of an index, for `query_all` (or a COUNT).
    `options` are the request's other parameters (ProjectionExpression, FilterExpression,
    Select); `values` the expression values they name, beside the partition's `:pk`."""
    request: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": {"#pk": INDEXES[index][0] if index else PARTITION_KEY},
        "ExpressionAttributeValues": to_raw({":pk": partition, **(values or {})}),
        **options,
    }
    if index:
        request["IndexName"] = index
    return request


def query_all(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every raw item of a Query, page after page (1 MB each)."""
    while True:
        response = client().query(**request)
        yield from response["Items"]
        if "LastEvaluatedKey" not in response:
            return
        request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def batch_write(requests: Sequence[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, resending what DynamoDB leaves unprocessed; returns the calls made."""
    calls = 0
    for start in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending: dict[str, Any] = {table_name(): list(requests[start : start + BATCH_WRITE_LIMIT])}
        attempt = 0
        while pending:
            if attempt:
                time.sleep(min(0.05 * 2**attempt, 2))
            response = client().batch_write_item(RequestItems=pending)
            calls += 1
            attempt += 1
            pending = response.get("UnprocessedItems") or {}
    return calls


def count_action(
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
            "TableName": table_name(),
            "Key": to_raw(KEYS[kind](item_id)),
            "UpdateExpression": f"ADD {counter} :delta",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": to_raw({":delta": delta, **(values or {})}),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def delete_action(kind: str, item_id: str, condition: str, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    delete: dict[str, Any] = {
        "TableName": table_name(),
        "Key": to_raw(KEYS[kind](item_id)),
        "ConditionExpression": condition,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if values:
        delete["ExpressionAttributeValues"] = to_raw(values)
    return {"Delete": delete}


def write_or_blocker(operation: str, **request: Any) -> dict[str, Any] | None:
    """Run one conditional write on the table (`put_item`, `delete_item`, `update_item`); None
    when written, otherwise the item whose state failed the condition ({} when there was none),
    from the same call (`ReturnValuesOnConditionCheckFailure`), so the caller can say what it
    clashed with. A failed condition is an answer for these callers, not an error."""
    try:
        getattr(client(), operation)(TableName=table_name(), ReturnValuesOnConditionCheckFailure="ALL_OLD", **request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raw = error.response.get("Item")
            return to_item(raw) if raw else {}
        raise
    return None


def written(operation: str, **request: Any) -> bool:
    """`write_or_blocker` for callers that only need to know whether it was written."""
    return write_or_blocker(operation, **request) is None


def cancellation(error: ClientError) -> list[dict[str, Any]] | None:
    """The per-action reasons of a cancelled transaction; None for any other error."""
    if error.response["Error"]["Code"] != "TransactionCanceledException":
        return None
    return error.response.get("CancellationReasons") or []


def is_conflict(reasons: Sequence[Mapping[str, Any]]) -> bool:
    """True when another transaction held one of the items: nothing was wrong with this one."""
    return any(r.get("Code") == "TransactionConflict" for r in reasons)


def conflict_pause(attempt: int) -> None:
    """Full jitter (a random pause up to an exponential cap), so writers that collided spread out."""
    time.sleep(random.uniform(0, min(CONFLICT_PAUSE_CAP, CONFLICT_PAUSE * 2**attempt)))  # noqa: S311 - jitter


def transact(actions: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Run a transaction; on a failed condition return, per action, None or the failed item.

    DynamoDB cancels a transaction that touches an item another one is writing
    (`TransactionConflict`; concurrent songs of one album all move its count). That is
    nobody's mistake, so it is retried with jittered backoff, and only when it keeps
    happening is the caller told to try again (UnavailableError), never that its request
    was wrong. botocore gives each call its own ClientRequestToken, which makes its own
    retry of a call that timed out idempotent; a retry here is a new call, after a
    cancellation that wrote nothing.
    """
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            client().transact_write_items(TransactItems=actions)
        except ClientError as error:
            reasons = cancellation(error)
            if reasons is None:
                raise
            if is_conflict(reasons):
                if attempt + 1 < CONFLICT_ATTEMPTS:
                    conflict_pause(attempt)
                continue
            if not any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                raise
            return [
                (to_item(r["Item"]) if r.get("Item") else {}) if r.get("Code") == "ConditionalCheckFailed" else None
                for r in reasons
            ]
        return []
    raise UnavailableError("Many changes to the same items at once: try again in a moment")
