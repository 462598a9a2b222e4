"""emulator/moto_fixes/compact_items.py: moto answers as before while its items at rest hold no attribute objects.

One seeded script of DynamoDB calls (every attribute type, nested updates, set and list
changes, conditions, transactions, batches, queries, scans) runs on moto as released and
with the fix: every answer and every error must be the same. Updates follow reads of the
same items, so an in-place change that the fix failed to notice (the item's old bytes
kept) shows as a different answer.
"""

from __future__ import annotations

import copy
import gc
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

from emulator import moto_fixes
from emulator.moto_fixes import compact_items
from tests.unit.moto_table import TABLE, fresh_table, offline_credentials

Call = Callable[[Any], Any]


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    offline_credentials(monkeypatch)


@contextmanager
def _dynamodb(fixed: bool) -> Iterator[Any]:
    if fixed:
        compact_items.install()
    try:
        with fresh_table() as client:
            yield client
            compact_items.uninstall()  # moto as released reads what the fix wrote
            assert client.scan(TableName=TABLE)["Count"] >= 0
    finally:
        moto_fixes.uninstall()


def _value(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    kinds = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS"] + (["M", "L"] if depth < 2 else [])
    kind = rng.choice(kinds)
    if kind == "S":
        return {"S": rng.choice(["jazz", "Ünïcode ✓", "a#b", ""])}
    if kind == "N":
        return {"N": rng.choice(["0", "-3", "12.50", "1e3"])}
    if kind == "B":
        return {"B": bytes([rng.randint(0, 255) for _ in range(4)])}
    if kind == "BOOL":
        return {"BOOL": rng.random() < 0.5}
    if kind == "NULL":
        return {"NULL": True}
    if kind == "SS":
        return {"SS": rng.sample(["a", "b", "c", "d"], 2)}
    if kind == "NS":
        return {"NS": rng.sample(["1", "2", "3.5", "40"], 2)}
    if kind == "BS":
        return {"BS": [b"\x00\x01", b"\xff"]}
    if kind == "M":
        return {"M": {f"k{n}": _value(rng, depth + 1) for n in range(rng.randint(0, 3))}}
    return {"L": [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]}


def _item(rng: random.Random, pk: str) -> dict[str, Any]:
    item = {
        "PK": {"S": pk},
        "SK": {"S": "SONG"},
        "GSI2PK": {"S": rng.choice(["ALBUM#1", "ALBUM#2"])},
        "GSI2SK": {"S": f"{rng.randint(0, 20):02d}"},
        "n": {"N": str(rng.randint(0, 9))},
        "tags": {"SS": ["x", "y"]},
        "plays": {"L": [{"N": "1"}]},
        "meta": {"M": {"inner": {"M": {"count": {"N": "1"}}}}},
    }
    for n in range(rng.randint(0, 4)):
        item[f"extra{n}"] = _value(rng)
    return item


def _calls(rng: random.Random) -> Iterator[Call]:
    """The seeded script: each call takes the client and returns the answer to compare."""
    keys = [f"SONG#{n}" for n in range(12)]
    for pk in keys:
        item = _item(rng, pk)
        yield lambda c, item=item: c.put_item(TableName=TABLE, Item=item)
    updates = [
        ("SET meta.inner.count = meta.inner.count + :one, n = n + :one", {":one": {"N": "1"}}),
        ("SET plays = list_append(plays, :more)", {":more": {"L": [{"N": "2"}, {"S": "z"}]}}),
        ("ADD tags :t", {":t": {"SS": ["new"]}}),
        ("DELETE tags :t", {":t": {"SS": ["x"]}}),
        ("REMOVE extra0, meta.inner", None),
        (
            "SET newer = if_not_exists(newer, :v), meta.deep = :m",
            {":v": {"S": "first"}, ":m": {"M": {"a": {"BOOL": True}}}},
        ),
    ]
    for _ in range(120):
        pk = rng.choice(keys)
        key = {"PK": {"S": pk}, "SK": {"S": "SONG"}}
        roll = rng.random()
        if roll < 0.3:
            expression, values = rng.choice(updates)
            request: dict[str, Any] = {"TableName": TABLE, "Key": key, "UpdateExpression": expression}
            if values:
                request["ExpressionAttributeValues"] = values
            request["ReturnValues"] = rng.choice(["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE"])
            yield lambda c, request=request: c.update_item(**request)
        elif roll < 0.4:
            item = _item(rng, pk)
            yield lambda c, item=item: c.put_item(
                TableName=TABLE,
                Item=item,
                ConditionExpression="attribute_not_exists(PK) OR n < :n",
                ExpressionAttributeValues={":n": {"N": "5"}},
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        elif roll < 0.5:
            yield lambda c, key=key: c.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD")
        elif roll < 0.6:
            other = {"PK": {"S": rng.choice(keys)}, "SK": {"S": "SONG"}}
            actions = [
                {"Update": {"TableName": TABLE, "Key": key, "UpdateExpression": "ADD tags :t",
                            "ExpressionAttributeValues": {":t": {"SS": ["tx"]}}}},
                {"ConditionCheck": {"TableName": TABLE, "Key": other, "ConditionExpression": "attribute_exists(PK)"}},
            ]  # fmt: skip
            yield lambda c, actions=actions: c.transact_write_items(TransactItems=actions)
        elif roll < 0.7:
            yield lambda c: c.query(
                TableName=TABLE,
                IndexName="byParent",
                KeyConditionExpression="GSI2PK = :p AND GSI2SK > :s",
                FilterExpression="contains(tags, :t) OR attribute_exists(newer)",
                ExpressionAttributeValues={":p": {"S": "ALBUM#1"}, ":s": {"S": "05"}, ":t": {"S": "y"}},
                ScanIndexForward=rng.random() < 0.5,
                Limit=rng.randint(1, 6),
            )
        elif roll < 0.8:
            item = _item(rng, rng.choice(keys))
            yield lambda c, item=item: c.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item}}]})
        elif roll < 0.9:
            wanted = [{"PK": {"S": k}, "SK": {"S": "SONG"}} for k in rng.sample(keys, 3)]
            yield lambda c, wanted=wanted: c.batch_get_item(RequestItems={TABLE: {"Keys": wanted}})
        else:
            yield lambda c, key=key: c.get_item(TableName=TABLE, Key=key, ProjectionExpression="meta.inner, plays[1]")
    yield lambda c: c.scan(TableName=TABLE)


def _answer(client: Any, call: Call) -> Any:
    try:
        answer = call(client)
    except ClientError as error:
        return {"error": error.response["Error"], "item": error.response.get("Item")}
    answer.pop("ResponseMetadata", None)
    if "Responses" in answer:  # BatchGetItem's order is not defined
        answer["Responses"] = {t: sorted(items, key=lambda i: i["PK"]["S"]) for t, items in answer["Responses"].items()}
    return answer


def _replay(fixed: bool) -> list[Any]:
    with _dynamodb(fixed) as client:
        script = random.Random(13)  # noqa: S311 - a reproducible test script
        return [_answer(client, call) for call in _calls(script)]


def test_every_answer_is_moto_s() -> None:
    fixed, released = _replay(fixed=True), _replay(fixed=False)
    assert fixed == released
    assert sum("error" in answer for answer in released) > 5  # refusals were compared too
    assert released[-1]["Count"] > 5  # and a table with items in it


def _dynamo_types() -> int:
    gc.collect()
    return sum(type(o) is DynamoType for o in gc.get_objects())


def _reachable(value: Any) -> set[int]:
    """The ids of the DynamoType objects in value, nested ones included."""
    if isinstance(value, DynamoType):
        return {id(value)} | _reachable(value.value)
    if isinstance(value, dict):
        return set().union(*map(_reachable, value.values()))
    if isinstance(value, list):
        return set().union(*map(_reachable, value))
    return set()


def test_the_items_read_last_stay_decoded_a_bounded_number_of_them(monkeypatch: pytest.MonkeyPatch) -> None:
    moto_fixes.install()
    monkeypatch.setattr(compact_items, "RECENT_ITEMS", 10)
    with _dynamodb(fixed=True) as client:
        rng = random.Random(3)  # noqa: S311 - a reproducible test script
        for n in range(50):
            client.put_item(TableName=TABLE, Item=_item(rng, f"SONG#{n}"))
        compact_items._recent.clear()
        compact_items._recent_attrs.clear()
        keys = [{"PK": {"S": f"SONG#{n}"}, "SK": {"S": "SONG"}} for n in range(50)]
        client.batch_get_item(RequestItems={TABLE: {"Keys": keys[:40]}})
        assert len(compact_items._recent) == 10
        before = _dynamo_types()
        client.get_item(TableName=TABLE, Key=keys[45])  # one more read: the oldest of the ten goes
        assert len(compact_items._recent) == 10
        assert abs(_dynamo_types() - before) < 60  # one item's attributes in, one item's out


def test_items_at_rest_keep_only_their_keys_as_objects() -> None:
    moto_fixes.install()  # all of them, as the emulator runs: moto as released keeps every query result
    with _dynamodb(fixed=True) as client:
        before = _dynamo_types()
        rng = random.Random(7)  # noqa: S311 - a reproducible test script
        for n in range(100):
            client.put_item(TableName=TABLE, Item=_item(rng, f"SONG#{n}"))
        client.query(TableName=TABLE, IndexName="byParent", KeyConditionExpression="GSI2PK = :p",
                     ExpressionAttributeValues={":p": {"S": "ALBUM#1"}})  # fmt: skip
        client.update_item(TableName=TABLE, Key={"PK": {"S": "SONG#1"}, "SK": {"S": "SONG"}},
                           UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "7"}})  # fmt: skip
        # Each item keeps its partition and sort key (moto's table is keyed by them), nothing
        # more; the index keeps one value per partition (two albums). Besides, the items read
        # last stay decoded, a bounded number of them (compact_items.RECENT_ITEMS).
        # (The index's values are objects of the items that were decoded: counted once.)
        table = dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE]
        indexed = {id(value) for _, value in table._emulator_partitions._pairs}
        recent = len(_reachable([entry.attrs for entry in compact_items._recent.values()]) - indexed)
        assert recent > 0 and len(compact_items._recent) <= compact_items.RECENT_ITEMS
        assert _dynamo_types() - before - recent == 2 * 100 + 2
        table = dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE]
        assert table.get_item(DynamoType({"S": "SONG#1"}), DynamoType({"S": "SONG"})).attrs["n"].value == "7"


def test_packing_gives_back_what_moto_held() -> None:
    attrs = LimitedSizeDict(
        {
            "PK": DynamoType({"S": "SONG#1"}),
            "blob": DynamoType({"B": b"\x00\x01"}),  # moto 5.2.5 keeps binaries as bytes
            "m": DynamoType({"M": {"l": {"L": [{"N": "1.50"}, {"NULL": True}, {"BOOL": False}]}}}),
            "s": DynamoType({"NS": ["2", "1"]}),
        }
    )
    packed = compact_items.pack(attrs)
    assert packed is not None
    unpacked = compact_items.unpack(packed)
    assert type(unpacked) is LimitedSizeDict
    assert repr(unpacked) == repr(attrs)  # the same types, values (bytes stay bytes) and order
    assert compact_items.pack({"PK": DynamoType({"S": "x"})}) is None  # not moto's: left as it is


def test_a_copy_shares_what_was_read_and_keeps_it_when_the_item_changes() -> None:
    """A Query's result copies share the decoded attributes; an in-place update of the item changes a fresh decode."""
    with _dynamodb(fixed=True) as client:
        key = {"PK": {"S": "SONG#1"}, "SK": {"S": "SONG"}}
        client.put_item(TableName=TABLE, Item={**key, "tags": {"L": [{"S": "a"}]}, "n": {"N": "1"}})
        compact_items.settle()  # as at the end of the request (json_responses._locked)
        table = dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE]
        item = table.get_item(DynamoType(key["PK"]), DynamoType(key["SK"]))
        read = item.attrs  # decoded, only read
        copied = copy.deepcopy(item)
        assert copied.attrs is read  # not decoded a second time
        assert copied.size() == item.size() == compact_items.SIZE.original(copied)
        client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET tags = list_append(tags, :more), n = :n",
            ExpressionAttributeValues={":more": {"L": [{"S": "b"}]}, ":n": {"N": "2"}},
        )
        assert [v.value for v in copied.attrs["tags"].value] == ["a"] and copied.attrs["n"].value == "1"
        stored = table.get_item(DynamoType(key["PK"]), DynamoType(key["SK"]))
        assert [v.value for v in stored.attrs["tags"].value] == ["a", "b"] and stored.attrs["n"].value == "2"
