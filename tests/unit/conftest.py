"""Unit tests call the Lambda handlers with AppSync events, against in-process moto (no sockets)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from emulator.lambdas import LambdaContext
from resolvers import accounts, charts, cleanup, feed, mailing, media, plays, realtime, releases
from resolvers.data import accounts as accounts_data
from resolvers.data import table
from resolvers.handlers.api import handler
from resolvers.settings import settings
from resolvers.table_layout import create_table_request

ADMIN_SUB = str(uuid.uuid4())
LISTENER_SUB = str(uuid.uuid4())
# Clients and settings the Lambda code creates once per cold start: reset for each test.
CACHED_CLIENTS = (
    settings,
    table.client,
    accounts._cognito,
    media._s3,
    cleanup._sqs,
    mailing._sns,
    releases._sqs,
    realtime._session,
    feed._sqs,
    plays._sqs,
    charts.kept,
)


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
        sqs = boto3.client("sqs")
        monkeypatch.setenv("CLEANUP_QUEUE_URL", sqs.create_queue(QueueName="cleanup")["QueueUrl"])
        monkeypatch.setenv("FEED_QUEUE_URL", sqs.create_queue(QueueName="feed")["QueueUrl"])
        monkeypatch.setenv("PLAYS_QUEUE_URL", sqs.create_queue(QueueName="plays")["QueueUrl"])
        monkeypatch.setenv("TABLE_NAME", "music-test")
        monkeypatch.setenv("USER_POOL_ID", pool["Id"])
        monkeypatch.setenv("USER_POOL_CLIENT_ID", client["ClientId"])
        for cached in CACHED_CLIENTS:
            cached.cache_clear()
        yield {"user_pool_id": pool["Id"], "client_id": client["ClientId"]}
        for cached in CACHED_CLIENTS:
            cached.cache_clear()


@pytest.fixture
def new_content(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The new-content queue (with its dead-letter queue) and the email topic, as the stack has them."""
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="new-content-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="new-content",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
        },
    )["QueueUrl"]
    topic = boto3.client("sns").create_topic(Name="new-content")["TopicArn"]
    monkeypatch.setenv("NEW_CONTENT_QUEUE_URL", queue)
    monkeypatch.setenv("NEW_CONTENT_TOPIC_ARN", topic)
    monkeypatch.setenv("APPSYNC_URL", "https://example.appsync-api.us-east-1.amazonaws.com/graphql")
    settings.cache_clear()
    return {"queue": queue, "dlq": dlq, "topic": topic}


def listener_event(
    type_name: str, field_name: str, arguments: dict[str, Any] | None = None, *, sub: str = LISTENER_SUB
) -> dict[str, Any]:
    """An AppSync event from the listener with this sub (group `users`)."""
    event = appsync_event(type_name, field_name, arguments, groups=("users",))
    event["identity"] |= {"sub": sub, "username": sub}
    event["identity"]["claims"]["sub"] = sub
    return event


def add_profile(sub: str, email: str) -> None:
    """What the post-confirmation trigger writes for a new account."""
    accounts_data.put_profile(
        {"id": sub, "email": email, "displayName": email.split("@", maxsplit=1)[0], "createdAt": "2026-01-01T00:00:00Z"}
    )


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
