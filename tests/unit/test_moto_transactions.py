"""emulator/moto_fixes/transactions.py: the same outcomes as moto's TransactWriteItems, without copying tables.

Every behaviour test runs twice, on moto as released and on the fixed backend, and
expects the same: the fix may only change what a transaction costs.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item

from emulator.moto_fixes import transactions
from tests.unit.moto_table import TABLE, fresh_table, offline_credentials


@pytest.fixture(params=["moto", "fixed"])
def dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A DynamoDB client on a fresh in-process table with a stream, on moto as released or fixed."""
    offline_credentials(monkeypatch)
    if request.param == "fixed":
        transactions.install()
    try:
        with fresh_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}) as client:
            yield client
    finally:
        transactions.uninstall()


def _table() -> Any:
    return dynamodb_backends["123456789012"]["us-east-1"].tables[TABLE]


def _everything(client: Any) -> list[dict[str, Any]]:
    items = client.scan(TableName=TABLE)["Items"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def _key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "X"}}


def _put(pk: str, **attrs: Any) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {**_key(pk), **attrs}}}


def _seed(client: Any) -> None:
    client.put_item(TableName=TABLE, Item={**_key("kept"), "n": {"N": "1"}, "GSI1PK": {"S": "K"}, "GSI1SK": {"S": "a"}})
    client.put_item(TableName=TABLE, Item={**_key("gone"), "n": {"N": "5"}})
    client.put_item(TableName=TABLE, Item={**_key("guard"), "n": {"N": "0"}})


def _changes_then(last: dict[str, Any]) -> list[dict[str, Any]]:
    """A new item, an item updated in place (its index key too), an item deleted, then `last`."""
    return [
        _put("new", n={"N": "9"}),
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("kept"),
                "UpdateExpression": "ADD n :one SET GSI1SK = :b",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":b": {"S": "b"}},
            }
        },
        {"Delete": {"TableName": TABLE, "Key": _key("gone")}},
        last,
    ]


FAILING_CHECK = {
    "ConditionCheck": {
        "TableName": TABLE,
        "Key": _key("guard"),
        "ConditionExpression": "n > :zero",
        "ExpressionAttributeValues": {":zero": {"N": "0"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
}


def test_a_cancelled_transaction_leaves_every_item_and_the_stream_as_before(dynamodb: Any) -> None:
    _seed(dynamodb)
    before, records = _everything(dynamodb), len(_table().stream_shard.items)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=_changes_then(FAILING_CHECK))
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in error["CancellationReasons"]] == ["None", "None", "None", "ConditionalCheckFailed"]
    assert error["CancellationReasons"][3]["Item"] == {**_key("guard"), "n": {"N": "0"}}
    assert _everything(dynamodb) == before
    kept_by_index = dynamodb.query(
        TableName=TABLE,
        IndexName="byKind",
        KeyConditionExpression="GSI1PK = :k",
        ExpressionAttributeValues={":k": {"S": "K"}},
    )["Items"]
    assert [item["GSI1SK"]["S"] for item in kept_by_index] == ["a"]
    assert len(_table().stream_shard.items) == records


def test_a_cancelled_transaction_keeps_the_table_and_its_stream_objects(dynamodb: Any) -> None:
    """moto swapped in its copy of the table, so whoever held the table or its stream held a stale one."""
    _seed(dynamodb)
    table, shard = _table(), _table().stream_shard
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=_changes_then(FAILING_CHECK))
    if transactions.PATCH.installed:
        assert _table() is table
        assert _table().stream_shard is shard
    else:
        assert _table() is not table


def test_a_transaction_that_names_an_item_twice_is_refused_and_undone(dynamodb: Any) -> None:
    _seed(dynamodb)
    before = _everything(dynamodb)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=_changes_then(_put("new", n={"N": "10"})))
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _everything(dynamodb) == before


def test_a_transaction_that_passes_applies_every_action(dynamodb: Any) -> None:
    _seed(dynamodb)
    passing = {"ConditionCheck": {**FAILING_CHECK["ConditionCheck"], "ConditionExpression": "n >= :zero"}}
    dynamodb.transact_write_items(TransactItems=_changes_then(passing))
    assert [(item["PK"]["S"], item["n"]["N"]) for item in _everything(dynamodb)] == [
        ("guard", "0"),
        ("kept", "2"),
        ("new", "9"),
    ]


def test_random_transactions_end_as_they_do_on_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many transactions (puts, updates, deletes, checks; some cancelled, some refused) replayed on both."""
    offline_credentials(monkeypatch)
    script = _random_transactions(random.Random(13), count=150)  # noqa: S311 - a reproducible test script
    outcomes = {}
    for variant in ("moto", "fixed"):
        if variant == "fixed":
            transactions.install()
        try:
            with fresh_table() as client:
                results = [_outcome(client, actions) for actions in copy.deepcopy(script)]
                outcomes[variant] = (results, _everything(client))
        finally:
            transactions.uninstall()
    assert outcomes["fixed"] == outcomes["moto"]
    results = outcomes["moto"][0]
    assert {"ok", "TransactionCanceledException", "ValidationException"} <= {r[0] for r in results}


def test_a_transaction_copies_only_the_items_it_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    offline_credentials(monkeypatch)
    copies = []
    original = Item.__deepcopy__

    def counted(item: Item, memo: dict[int, Any]) -> Item:
        copies.append(item)
        return original(item, memo)

    monkeypatch.setattr(Item, "__deepcopy__", counted)
    transactions.install()
    try:
        with fresh_table() as client:
            for n in range(200):
                client.put_item(TableName=TABLE, Item={**_key(f"item-{n}"), "n": {"N": "0"}})
            _seed(client)
            copies.clear()
            with pytest.raises(ClientError):
                client.transact_write_items(TransactItems=_changes_then(FAILING_CHECK))
    finally:
        transactions.uninstall()
    # "kept" and "gone" ("new" did not exist, "guard" is only checked); moto's table copy held all 203
    assert {item.hash_key.value for item in copies} == {"kept", "gone"}


def _random_transactions(rng: random.Random, count: int) -> list[list[dict[str, Any]]]:
    keys = [f"k{n}" for n in range(8)]
    script = []
    for _ in range(count):
        actions = []
        for pk in rng.sample(keys, rng.randint(1, 4)) + ([rng.choice(keys)] if rng.random() < 0.1 else []):
            kind = rng.choice(["Put", "Update", "Delete", "ConditionCheck"])
            condition = rng.choice([None, "attribute_exists(PK)", "attribute_not_exists(PK)", "n < :limit"])
            action: dict[str, Any] = {"TableName": TABLE}
            values: dict[str, Any] = {}
            if kind == "Put":
                action["Item"] = {**_key(pk), "n": {"N": str(rng.randint(0, 9))}, "GSI1PK": {"S": rng.choice("AB")}}
            else:
                action["Key"] = _key(pk)
            if kind == "Update":
                action["UpdateExpression"] = "ADD n :one"
                values[":one"] = {"N": "1"}
            if kind == "ConditionCheck" and condition is None:
                condition = "attribute_exists(PK)"
            if condition:
                action["ConditionExpression"] = condition
                action["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
                if ":limit" in condition:
                    values[":limit"] = {"N": "5"}
            if values:
                action["ExpressionAttributeValues"] = values
            actions.append({kind: action})
        script.append(actions)
    return script


def _outcome(client: Any, actions: list[dict[str, Any]]) -> tuple[str, Any]:
    try:
        client.transact_write_items(TransactItems=actions)
    except ClientError as error:
        return error.response["Error"]["Code"], error.response.get("CancellationReasons")
    return "ok", None
