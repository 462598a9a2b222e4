"""emulator/moto_fixes/indexes.py: every Query answers what moto's walk over every item answers.

A randomized table with the real key layout changes under puts, updates that move index
keys, deletes and cancelled transactions; after each change, random queries (table and
indexes, key conditions, directions, limits and pages, filters) run with the partitions
and then with moto's own walk, and must return the same pages.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from emulator import moto_fixes
from emulator.moto_fixes import indexes
from resolvers.table_layout import INDEXES, key_type
from tests.unit.moto_table import TABLE, fresh_table, offline_credentials

PARTITIONS = ["A", "B", "C"]


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    offline_credentials(monkeypatch)
    moto_fixes.install()
    try:
        with fresh_table() as client:
            yield client
    finally:
        moto_fixes.uninstall()


def _sort_value(attribute: str, n: int) -> dict[str, str]:
    """An index sort key value of the attribute's type (`playCount` is a number)."""
    return {"N": str(n)} if key_type(attribute) == "N" else {"S": f"{n:02d}"}


def _item(rng: random.Random, pk: str, sk: str) -> dict[str, Any]:
    item = {"PK": {"S": pk}, "SK": {"S": sk}, "n": {"N": str(rng.randint(0, 9))}}
    for index_pk, index_sk in rng.sample(list(INDEXES.values()), 3):
        item[index_pk] = {"S": rng.choice(PARTITIONS)}
        item[index_sk] = _sort_value(index_sk, rng.randint(0, 30))
    return item


def _change(client: Any, rng: random.Random, keys: list[tuple[str, str]]) -> None:
    pk, sk = rng.choice(keys)
    key = {"PK": {"S": pk}, "SK": {"S": sk}}
    index_pk, index_sk = rng.choice(list(INDEXES.values()))
    roll = rng.random()
    if roll < 0.4:
        client.put_item(TableName=TABLE, Item=_item(rng, pk, sk))
    elif roll < 0.7:
        client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression=f"SET {index_pk} = :p, {index_sk} = :s",
            ExpressionAttributeValues={
                ":p": {"S": rng.choice(PARTITIONS)},
                ":s": _sort_value(index_sk, rng.randint(0, 30)),
            },
        )
    elif roll < 0.85:
        client.delete_item(TableName=TABLE, Key=key)
    else:
        cancelled = [
            {"Put": {"TableName": TABLE, "Item": _item(rng, "X", f"{rng.randint(0, 99):02d}")}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": key,
                    "UpdateExpression": f"SET {index_pk} = :p",
                    "ExpressionAttributeValues": {":p": {"S": rng.choice(PARTITIONS)}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": key,
                    "ConditionExpression": "attribute_not_exists(nothing)",
                }
            },
            {"Delete": {"TableName": TABLE, "Key": {"PK": {"S": "none"}, "SK": {"S": "x"}}}},
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": {"PK": {"S": "none"}, "SK": {"S": "y"}},
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
        ]
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=cancelled)


def _random_query(rng: random.Random, keys: list[tuple[str, str]]) -> dict[str, Any]:
    request: dict[str, Any] = {"TableName": TABLE, "ScanIndexForward": rng.random() < 0.5}
    if rng.random() < 0.3:
        request["KeyConditionExpression"] = "PK = :p"
        request["ExpressionAttributeValues"] = {":p": {"S": rng.choice(keys)[0]}}
    else:
        name = rng.choice(list(INDEXES))
        index_pk, index_sk = INDEXES[name]
        request["IndexName"] = name
        request["KeyConditionExpression"] = f"{index_pk} = :p"
        request["ExpressionAttributeValues"] = {":p": {"S": rng.choice(PARTITIONS)}}
        if rng.random() < 0.5:
            request["KeyConditionExpression"] += f" AND {index_sk} BETWEEN :low AND :high"
            low = rng.randint(0, 20)
            request["ExpressionAttributeValues"] |= {
                ":low": _sort_value(index_sk, low),
                ":high": _sort_value(index_sk, low + 10),
            }
    if rng.random() < 0.5:
        request["Limit"] = rng.randint(1, 6)
    if rng.random() < 0.3:
        request["FilterExpression"] = "n > :min"
        request["ExpressionAttributeValues"][":min"] = {"N": str(rng.randint(0, 9))}
    return request


def _pages(client: Any, request: dict[str, Any]) -> list[Any]:
    pages, start = [], None
    while True:
        page = client.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        pages.append((page["Items"], page.get("LastEvaluatedKey")))
        start = page.get("LastEvaluatedKey")
        if not start or len(pages) > 60:
            return pages


def test_queries_answer_as_moto_walking_every_item_does(dynamodb: Any) -> None:
    rng = random.Random(2026)  # noqa: S311 - a reproducible test script
    keys = [(f"{kind}#{n}", kind) for kind in ("SONG", "ALBUM") for n in range(25)] + [
        ("USER#1", f"NOTE#{n}") for n in range(15)
    ]
    for pk, sk in keys:
        dynamodb.put_item(TableName=TABLE, Item=_item(rng, pk, sk))
    compared = answered = 0
    for _ in range(60):
        _change(dynamodb, rng, keys)
        for _ in range(5):
            request = _random_query(rng, keys)
            fixed = _pages_as_moto_walks_them(dynamodb, request)
            compared += 1
            answered += bool(fixed[0][0])
    assert answered > compared // 2  # most queries found items: the comparison was not of empty pages


def _pages_as_moto_walks_them(client: Any, request: dict[str, Any]) -> list[Any]:
    """The query's pages through the patch, checked equal to moto's own walk over every item."""
    fixed = _pages(client, request)
    indexes.QUERY.uninstall()
    try:
        walked = _pages(client, request)
    finally:
        indexes.QUERY.install()
    assert fixed == walked, request
    return fixed


def sorted_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items each query hands moto to sort (what it looked at), from now on."""
    seen: list[int] = []
    original = Table.sorted_items

    def counted(table: Any, hash_attrs: Any, range_attrs: Any, items: list[Item]) -> list[Item]:
        seen.append(len(items))
        return original(table, hash_attrs, range_attrs, items)

    monkeypatch.setattr(Table, "sorted_items", counted)
    return seen


def test_a_query_looks_only_at_its_partition(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(300):
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "PK": {"S": f"SONG#{n}"},
                "SK": {"S": "SONG"},
                "GSI2PK": {"S": f"ALBUM#{n % 30}"},
                "GSI2SK": {"S": "x"},
            },
        )
    seen = sorted_sizes(monkeypatch)
    page = dynamodb.query(
        TableName=TABLE,
        IndexName="byParent",
        KeyConditionExpression="GSI2PK = :p",
        ExpressionAttributeValues={":p": {"S": "ALBUM#7"}},
    )
    assert len(page["Items"]) == 10
    assert seen == [10]  # the album's ten songs, not the table's 300 items


SORT_CONDITIONS = (
    "{sk} = :a",
    "{sk} < :a",
    "{sk} <= :a",
    "{sk} > :a",
    "{sk} >= :a",
    "{sk} BETWEEN :a AND :b",
    "begins_with({sk}, :prefix)",
)


def _ordered_query(rng: random.Random) -> dict[str, Any]:
    """An index query of the kinds a page is cut from: each sort key condition, both directions, a Limit.
    String sort keys only: a numeric one (`playCount`) is walked by moto, as the test above checks."""
    name = rng.choice([name for name, (_, sort_key) in INDEXES.items() if key_type(sort_key) == "S"])
    index_pk, index_sk = INDEXES[name]
    low = rng.randint(0, 25)
    values = {":p": {"S": rng.choice(PARTITIONS)}, ":a": {"S": f"{low:02d}"}, ":b": {"S": f"{low + 6:02d}"}}
    condition = f"{index_pk} = :p"
    if rng.random() < 0.7:
        sort_condition = rng.choice(SORT_CONDITIONS)
        condition += " AND " + sort_condition.format(sk=index_sk)
        values = {k: v for k, v in values.items() if k == ":p" or k in sort_condition}
        if ":prefix" in sort_condition:
            values[":prefix"] = {"S": str(rng.randint(0, 3))}
    else:
        values = {":p": values[":p"]}
    request: dict[str, Any] = {
        "TableName": TABLE,
        "IndexName": name,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": rng.random() < 0.5,
        "Limit": rng.choice([1, 2, 3, 5, 8, 13, 40]),
    }
    if rng.random() < 0.2:
        request["FilterExpression"] = "n > :min"
        request["ExpressionAttributeValues"][":min"] = {"N": str(rng.randint(0, 9))}
    return request


def test_pages_cut_from_an_ordered_partition_are_motos_pages(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sort key condition, direction, limit and page boundary; the partitions change in between."""
    rng = random.Random(13)  # noqa: S311 - a reproducible test script
    keys = [(f"SONG#{n}", "SONG") for n in range(60)] + [("USER#1", f"NOTE#{n}") for n in range(20)]
    for pk, sk in keys:
        dynamodb.put_item(TableName=TABLE, Item=_item(rng, pk, sk))
    cut = []
    original_page = indexes._page

    def counted(table: Any, asked: Any) -> Any:
        page = original_page(table, asked)
        cut.append(page is not None)
        return page

    monkeypatch.setattr(indexes, "_page", counted)
    compared = 0
    for _ in range(60):  # an item carries 3 of the indexes' keys: 60 rounds compare over 500 items
        _change(dynamodb, rng, keys)
        for _ in range(6):
            request = _ordered_query(rng)
            fixed = _pages_as_moto_walks_them(dynamodb, request)
            compared += len(fixed)
    assert compared > 500
    assert sum(cut) > 0.9 * len(cut)  # nearly every page was cut from the ordered partition


def test_a_page_reads_the_page_not_the_partition(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(300):
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "PK": {"S": f"SONG#{n:03d}"},
                "SK": {"S": "SONG"},
                "GSI1PK": {"S": "SONG"},
                "GSI1SK": {"S": f"{n:03d}"},
            },
        )
    query = {
        "TableName": TABLE,
        "IndexName": "byKind",
        "KeyConditionExpression": "GSI1PK = :p",
        "ExpressionAttributeValues": {":p": {"S": "SONG"}},
        "ScanIndexForward": False,
        "Limit": 10,
    }
    dynamodb.query(**query)  # the partition's order is made at its first query
    seen = sorted_sizes(monkeypatch)
    first = dynamodb.query(**query)
    second = dynamodb.query(**query, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [item["GSI1SK"]["S"] for item in first["Items"]] == [f"{n:03d}" for n in range(299, 289, -1)]
    assert [item["GSI1SK"]["S"] for item in second["Items"]] == [f"{n:03d}" for n in range(289, 279, -1)]
    assert seen == [11, 11]  # the page and the item after it, of 300
