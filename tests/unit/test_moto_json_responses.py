"""emulator/moto_fixes/json_responses.py: DynamoDB answers byte for byte what moto's serializer answers.

One moto server on 127.0.0.1 serves the same script of calls twice, from a reset state:
once with moto's response serializer, once with ours (the other moto_fixes installed both
times). Every response's status, headers (but the request id and date) and body bytes
must be the same. The script covers the calls our Lambda code makes: every attribute
type, GetItem, Query (index, filter, projection, Select COUNT, pages, both directions),
Scan, BatchGetItem with UnprocessedKeys, BatchWriteItem, PutItem/UpdateItem/DeleteItem
ReturnValues, TransactWriteItems and its CancellationReasons, TransactGetItems, consumed
capacity, and errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from emulator import moto_fixes
from emulator.aws import free_port
from emulator.moto_fixes import json_responses
from resolvers.table_layout import create_table_request

TABLE = "music-test"
VARIABLE_HEADERS = {"x-amzn-requestid", "date"}
Response = tuple[str, int, dict[str, str], bytes]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access log line per call
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        moto_fixes.uninstall()


def _record(endpoint: str, script: Callable[[Any], None]) -> list[Response]:
    """Every HTTP response `script` gets from a freshly reset server."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",
        config=Config(retries={"total_max_attempts": 1}),
    )
    responses: list[Response] = []

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        headers = {k.lower(): v for k, v in http_response.headers.items() if k.lower() not in VARIABLE_HEADERS}
        responses.append((model.name, http_response.status_code, headers, http_response.content))

    client.meta.events.register("after-call.dynamodb", keep)
    script(client)
    return responses


def _compare(endpoint: str, script: Callable[[Any], None]) -> list[Response]:
    moto_fixes.install()
    json_responses.uninstall()
    moto = _record(endpoint, script)
    json_responses.install()
    ours = _record(endpoint, script)
    assert [operation for operation, *_ in ours] == [operation for operation, *_ in moto]
    for mine, theirs in zip(ours, moto, strict=True):
        if mine[0] in json_responses.ENCODED_HERE:  # the others hold timestamps, and are moto's path anyway
            assert mine == theirs
    return ours


def _error(call: Callable[..., Any], **arguments: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**arguments)
    return raised.value.response["Error"]["Code"]


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _song(number: int) -> dict[str, Any]:
    """An item with every attribute type, in the byKind index partition SONG."""
    return {
        **_key(f"SONG#{number:03d}", "SONG"),
        "GSI1PK": {"S": "SONG"},
        "GSI1SK": {"S": f'Title {number:03d} — ünïcödé "quoted" \\ / \n'},
        "title": {"S": f"Title {number}"},
        "empty": {"S": ""},
        "duration": {"N": str(100 + number)},
        "ratio": {"N": "0.125"},
        "cover": {"B": bytes(range(number % 7, 40))},
        "tags": {"SS": ["jazz", f"t{number}"]},
        "scores": {"NS": ["1", "2.5"]},
        "blobs": {"BS": [b"\x00\xff", b"\x10"]},
        "meta": {
            "M": {"nested": {"M": {"deep": {"L": [{"S": "x"}, {"N": "3"}, {"NULL": True}]}}}, "flag": {"BOOL": False}}
        },
        "lines": {"L": [{"M": {"at": {"N": "1.5"}, "text": {"S": "la"}}}, {"B": b"\x01"}]},
        "gone": {"NULL": True},
        "isPublic": {"BOOL": number % 2 == 0},
    }


def _reads_and_writes(client: Any) -> None:
    client.create_table(**create_table_request(TABLE))
    for number in range(12):
        client.put_item(TableName=TABLE, Item=_song(number))
    client.put_item(TableName=TABLE, Item=_song(3), ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL")
    client.get_item(TableName=TABLE, Key=_key("SONG#001", "SONG"))
    client.get_item(TableName=TABLE, Key=_key("SONG#999", "SONG"), ReturnConsumedCapacity="TOTAL")
    client.get_item(
        TableName=TABLE,
        Key=_key("SONG#002", "SONG"),
        ProjectionExpression="#t, meta.nested, lines[0], cover",
        ExpressionAttributeNames={"#t": "title"},
    )
    pages = {"TableName": TABLE, "IndexName": "byKind", "KeyConditionExpression": "GSI1PK = :k"}
    values = {":k": {"S": "SONG"}}
    page = client.query(**pages, ExpressionAttributeValues=values, Limit=5, ReturnConsumedCapacity="INDEXES")
    while "LastEvaluatedKey" in page:
        page = client.query(
            **pages, ExpressionAttributeValues=values, Limit=5, ExclusiveStartKey=page["LastEvaluatedKey"]
        )
    client.query(**pages, ExpressionAttributeValues=values, ScanIndexForward=False, Limit=3)
    client.query(**pages, ExpressionAttributeValues=values, Select="COUNT")
    client.query(
        **pages,
        ExpressionAttributeValues={**values, ":yes": {"BOOL": True}},
        FilterExpression="#p = :yes",
        ExpressionAttributeNames={"#p": "isPublic"},
        ProjectionExpression="PK, title, tags",
    )
    client.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :s)",
        ExpressionAttributeValues={":pk": {"S": "SONG#004"}, ":s": {"S": "SO"}},
    )
    client.query(TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": "none"}})
    client.scan(TableName=TABLE, Limit=4)
    client.batch_get_item(
        RequestItems={
            TABLE: {
                "Keys": [_key(f"SONG#{n:03d}", "SONG") for n in (1, 5, 7, 500)],
                "ProjectionExpression": "PK, #t, cover",
                "ExpressionAttributeNames": {"#t": "title"},
            }
        }
    )
    client.batch_write_item(
        RequestItems={
            TABLE: [
                {"PutRequest": {"Item": _song(20)}},
                {"PutRequest": {"Item": _song(21)}},
                {"DeleteRequest": {"Key": _key("SONG#000", "SONG")}},
            ]
        }
    )
    counter = {"TableName": TABLE, "Key": _key("ALBUM#1", "ALBUM")}
    for returned in ("NONE", "ALL_NEW", "UPDATED_NEW", "UPDATED_OLD", "ALL_OLD"):
        client.update_item(
            **counter,
            UpdateExpression="ADD songCount :one SET info = :info, tags = :tags",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":info": {"M": {"title": {"S": returned}, "cover": {"B": b"\x02\x03"}}},
                ":tags": {"SS": ["a", returned]},
            },
            ReturnValues=returned,
        )
    client.delete_item(TableName=TABLE, Key=_key("SONG#001", "SONG"), ReturnValues="ALL_OLD")
    client.delete_item(TableName=TABLE, Key=_key("SONG#001", "SONG"), ReturnValues="ALL_OLD")
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _song(30), "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Update": {
                    **counter,
                    "UpdateExpression": "ADD songCount :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": TABLE,
                    "Key": _key("SONG#002", "SONG"),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            {"Delete": {"TableName": TABLE, "Key": _key("SONG#003", "SONG")}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": TABLE, "Key": _key("SONG#030", "SONG")}},
            {"Get": {"TableName": TABLE, "Key": _key("SONG#404", "SONG")}},
            {"Get": {"TableName": TABLE, **counter, "ProjectionExpression": "songCount"}},
        ]
    )


def _errors(client: Any) -> None:
    client.create_table(**create_table_request(TABLE))
    client.put_item(TableName=TABLE, Item=_song(1))
    exists = {"ConditionExpression": "attribute_not_exists(PK)"}
    assert _error(client.put_item, TableName=TABLE, Item=_song(1), **exists) == "ConditionalCheckFailedException"
    assert (
        _error(
            client.put_item,
            TableName=TABLE,
            Item=_song(1),
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            **exists,
        )
        == "ConditionalCheckFailedException"
    )
    assert (
        _error(
            client.update_item,
            TableName=TABLE,
            Key=_key("SONG#001", "SONG"),
            UpdateExpression="SET title = :t",
            ConditionExpression="title = :other",
            ExpressionAttributeValues={":t": {"S": "x"}, ":other": {"S": "y"}},
        )
        == "ConditionalCheckFailedException"
    )
    cancelled = _error(
        client.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _song(2), "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": _song(1),
                    "ConditionExpression": "attribute_not_exists(PK)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
        ],
    )
    assert cancelled == "TransactionCanceledException"
    same_item = [
        {"Put": {"TableName": TABLE, "Item": _song(5)}},
        {"Delete": {"TableName": TABLE, "Key": _key("SONG#005", "SONG")}},
    ]
    assert _error(client.transact_write_items, TransactItems=same_item) == "ValidationException"
    assert _error(client.get_item, TableName="missing", Key=_key("a", "b")) == "ResourceNotFoundException"
    assert _error(client.get_item, TableName=TABLE, Key={"PK": {"S": "a"}}) == "ValidationException"
    assert (
        _error(client.query, TableName=TABLE, KeyConditionExpression="PK = :pk", ExpressionAttributeValues={})
        == "ValidationException"
    )
    assert (
        _error(
            client.query,
            TableName=TABLE,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "a"}},
            Select="COUNT",
            ProjectionExpression="title",
        )
        == "ValidationException"
    )
    client.describe_table(TableName=TABLE)  # not encoded here: moto's own path, under the lock


def _unprocessed_keys(client: Any) -> None:
    """BatchGetItem past DynamoDB's 16 MB answer: moto returns the rest as UnprocessedKeys."""
    client.create_table(**create_table_request(TABLE))
    padding = "x" * 390_000
    for number in range(44):
        client.put_item(TableName=TABLE, Item={**_key(f"BIG#{number:02d}", "BIG"), "padding": {"S": padding}})
    keys = [_key(f"BIG#{number:02d}", "BIG") for number in range(44)]
    answer = client.batch_get_item(RequestItems={TABLE: {"Keys": keys}})
    assert answer["UnprocessedKeys"][TABLE]["Keys"]


def test_reads_and_writes_are_encoded_as_moto_encodes_them(endpoint: str) -> None:
    responses = _compare(endpoint, _reads_and_writes)
    operations = {operation for operation, *_ in responses}
    assert operations >= json_responses.ENCODED_HERE


def test_errors_are_moto_s(endpoint: str) -> None:
    responses = _compare(endpoint, _errors)
    assert sum(status >= 400 for _, status, _, _ in responses) == 9


def test_unprocessed_keys_are_moto_s(endpoint: str) -> None:
    responses = _compare(endpoint, _unprocessed_keys)
    assert b"UnprocessedKeys" in responses[-1][3]


def test_data_actions_wait_for_the_lock(endpoint: str) -> None:
    """A request waits while someone holds the lock, and is answered once it is released."""
    moto_fixes.install()
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="t",
        aws_secret_access_key="t",
    )
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    client.create_table(**create_table_request(TABLE))
    answered = threading.Event()

    def read() -> None:
        client.get_item(TableName=TABLE, Key=_key("a", "b"))
        answered.set()

    with json_responses.LOCK:
        reader = threading.Thread(target=read)
        reader.start()
        assert not answered.wait(0.5)
    reader.join(10)
    assert answered.is_set()
