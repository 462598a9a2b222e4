"""Unit tests call the Lambda handlers with AppSync events, against in-process moto (no sockets)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from emulator.lambdas import LambdaContext
from resolvers import accounts, media, store
from resolvers.handlers.api import handler
from resolvers.settings import settings
from resolvers.table_layout import create_table_request

ADMIN_SUB = str(uuid.uuid4())
# Clients and settings made once per cold start; each test has its own mocked account.
CACHED_CLIENTS = (settings, store._client, accounts._cognito, media._s3, media._sqs)
LISTENER_SUB = str(uuid.uuid4())


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A fresh mocked account with the table, a user pool, its groups and app client."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-test"))
        cognito = boto3.client("cognito-idp")
        pool = cognito.create_user_pool(PoolName="test", UsernameAttributes=["email"])["UserPool"]
        for group in ("admin", "users"):
            cognito.create_group(UserPoolId=pool["Id"], GroupName=group)
        client = cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        monkeypatch.setenv("CLEANUP_QUEUE_URL", boto3.client("sqs").create_queue(QueueName="cleanup")["QueueUrl"])
        monkeypatch.setenv("TABLE_NAME", "music-test")
        monkeypatch.setenv("USER_POOL_ID", pool["Id"])
        monkeypatch.setenv("USER_POOL_CLIENT_ID", client["ClientId"])
        for cached in CACHED_CLIENTS:
            cached.cache_clear()
        yield {"user_pool_id": pool["Id"], "client_id": client["ClientId"]}
        for cached in CACHED_CLIENTS:
            cached.cache_clear()


def appsync_event(
    type_name: str,
    field_name: str,
    arguments: dict[str, Any] | None = None,
    *,
    source: dict[str, Any] | None = None,
    groups: tuple[str, ...] | None = ("admin",),
) -> dict[str, Any]:
    """An AppSync resolver event; groups=None is a guest calling with the API key."""
    identity = None
    if groups is not None:
        sub = ADMIN_SUB if "admin" in groups else LISTENER_SUB
        identity = {
            "sub": sub,
            "username": sub,
            "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test",
            "claims": {"sub": sub, "cognito:groups": list(groups)},
            "sourceIp": ["127.0.0.1"],
            "defaultAuthStrategy": "ALLOW",
            "groups": list(groups),
        }
    return {
        "arguments": arguments or {},
        "identity": identity,
        "source": source,
        "info": {"fieldName": field_name, "parentTypeName": type_name, "variables": {}, "selectionSetList": []},
        "request": {"headers": {}},
        "prev": None,
        "stash": {},
    }


def invoke(event: dict[str, Any] | list[dict[str, Any]]) -> Any:
    return handler(event, LambdaContext("music-api-test"))
