"""emulator/moto_fixes/request_tokens.py: TransactWriteItems' ClientRequestToken as DynamoDB honours it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.moto_fixes import request_tokens
from emulator.moto_fixes.request_tokens import IDEMPOTENCY_SECONDS, RequestTokens
from tests.unit.moto_table import TABLE, fresh_table, offline_credentials

KEY = {"PK": {"S": "SONG#1"}, "SK": {"S": "SONG"}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(request_tokens, "TOKENS", RequestTokens(clock))
    return clock


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[Any]:
    offline_credentials(monkeypatch)
    request_tokens.install()
    try:
        with fresh_table() as client:
            yield client
    finally:
        request_tokens.uninstall()


def _create_once(title: str = "First") -> list[dict[str, Any]]:
    """A create guarded by attribute_not_exists, plus a counter: running it twice would show."""
    return [
        {
            "Put": {
                "TableName": TABLE,
                "Item": {**KEY, "title": {"S": title}},
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"PK": {"S": "ALBUM#1"}, "SK": {"S": "ALBUM"}},
                "UpdateExpression": "ADD songCount :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]


def _song_count(client: Any) -> int:
    album = client.get_item(TableName=TABLE, Key={"PK": {"S": "ALBUM#1"}, "SK": {"S": "ALBUM"}})["Item"]
    return int(album["songCount"]["N"])


def test_a_retry_with_the_same_token_succeeds_without_writing_again(dynamodb: Any, clock: Clock) -> None:
    dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-1")
    clock.now += IDEMPOTENCY_SECONDS - 1
    dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-1")
    assert _song_count(dynamodb) == 1


def test_without_a_token_botocore_makes_a_new_one_for_each_call(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=_create_once())
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=_create_once())
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _song_count(dynamodb) == 1


def test_the_same_token_with_other_parameters_is_refused(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-2")
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=_create_once("Other"), ClientRequestToken="retry-2")
    assert raised.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert _song_count(dynamodb) == 1
    assert dynamodb.get_item(TableName=TABLE, Key=KEY)["Item"]["title"] == {"S": "First"}


def test_after_ten_minutes_the_token_is_new_again(dynamodb: Any, clock: Clock) -> None:
    dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-3")
    clock.now += IDEMPOTENCY_SECONDS
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-3")
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"  # ran again: the song exists
    dynamodb.transact_write_items(TransactItems=_create_once("Other")[1:], ClientRequestToken="retry-3")
    assert _song_count(dynamodb) == 2
    assert len(request_tokens.TOKENS) == 1  # the expired entry was forgotten


def test_a_cancelled_transaction_runs_again_under_its_token(dynamodb: Any) -> None:
    dynamodb.put_item(TableName=TABLE, Item={**KEY, "title": {"S": "Earlier"}})
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-4")
    dynamodb.delete_item(TableName=TABLE, Key=KEY)
    dynamodb.transact_write_items(TransactItems=_create_once(), ClientRequestToken="retry-4")
    assert _song_count(dynamodb) == 1
    assert dynamodb.get_item(TableName=TABLE, Key=KEY)["Item"]["title"] == {"S": "First"}
