"""emulator/moto_fixes/dispatch.py: moto's server finds each request's service as before, without listing its
package, and its JSON-protocol services answer without Flask exactly as they did through it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.test import Client

from emulator.moto_fixes import dispatch


@pytest.fixture
def fixed() -> Iterator[None]:
    dispatch.install()
    try:
        yield
    finally:
        dispatch.uninstall()


def test_the_modules_are_motos_and_listed_once(fixed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = list(dispatch.PATCHES[0].original())
    assert list(backends.list_of_moto_modules()) == expected

    def no_listing(path: str) -> list[str]:
        raise AssertionError(f"listed {path} again")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert list(backends.list_of_moto_modules()) == expected


def test_requests_still_reach_their_service(fixed: None) -> None:
    app = DomainDispatcherApplication(create_backend_app)
    signed = "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"
    for service, expected in (("dynamodb", "dynamodb"), ("s3", "s3"), ("sqs", "sqs")):
        environ = {
            "PATH_INFO": "/",
            "HTTP_AUTHORIZATION": signed.format(service),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query",
        }
        assert app.get_application(environ).service == expected


SIGNED = "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"
# Calls whose answers do not change when repeated (no new ids, no clocks), successes and errors.
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("dynamodb", "DynamoDB_20120810.DescribeTable", {"TableName": "fast-path"}),
    ("dynamodb", "DynamoDB_20120810.GetItem", {"TableName": "fast-path", "Key": {"pk": {"S": "a"}}}),
    ("dynamodb", "DynamoDB_20120810.GetItem", {"TableName": "no-such-table", "Key": {"pk": {"S": "a"}}}),
    ("dynamodb", "DynamoDB_20120810.Query", {"TableName": "fast-path", "KeyConditionExpression": "pk = :a"}),
    ("sqs", "AmazonSQS.GetQueueUrl", {"QueueName": "fast-path"}),
    ("sqs", "AmazonSQS.GetQueueUrl", {"QueueName": "no-such-queue"}),
    ("cognito-idp", "AWSCognitoIdentityProviderService.DescribeUserPool", {"UserPoolId": "us-east-1_missing"}),
]


def call(app: DomainDispatcherApplication, service: str, target: str, body: dict[str, Any]) -> tuple[Any, ...]:
    response = Client(app).post(
        "/",
        data=json.dumps(body),
        headers={
            "Authorization": SIGNED.format(service),
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in ("x-amzn-requestid", "date")}
    return response.status_code, headers, response.get_data()


def test_json_services_answer_without_flask_as_they_did_through_it() -> None:
    app = DomainDispatcherApplication(create_backend_app)
    table = {
        "TableName": "fast-path",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    call(app, "dynamodb", "DynamoDB_20120810.CreateTable", table)
    item = {"TableName": "fast-path", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}
    call(app, "dynamodb", "DynamoDB_20120810.PutItem", item)
    call(app, "sqs", "AmazonSQS.CreateQueue", {"QueueName": "fast-path"})
    through_flask = [call(app, *c) for c in CALLS]
    fresh = DomainDispatcherApplication(create_backend_app)  # the same moto backends, no Flask app made yet
    dispatch.install()
    try:
        direct = [call(fresh, *c) for c in CALLS]
    finally:
        dispatch.uninstall()
    assert fresh.app_instances == {}, "no Flask app was asked"
    assert direct == through_flask
    assert [status for status, _, _ in direct] == [200, 200, 400, 400, 200, 400, 400], "successes and errors both"


def test_a_browsers_call_still_gets_flasks_cors_answer() -> None:
    app = DomainDispatcherApplication(create_backend_app)
    dispatch.install()
    try:
        flask_apps = len(app.app_instances)
        response = Client(app).post(
            "/",
            data=json.dumps({"UserPoolId": "us-east-1_missing"}),
            headers={
                "Authorization": SIGNED.format("cognito-idp"),
                "X-Amz-Target": "AWSCognitoIdentityProviderService.DescribeUserPool",
                "Origin": "https://127.0.0.1:5173",
            },
        )
    finally:
        dispatch.uninstall()
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://127.0.0.1:5173")
    assert len(app.app_instances) > flask_apps, "it went through moto's Flask app"
