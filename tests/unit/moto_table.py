"""A fresh in-process table for the tests of emulator/moto_fixes: moto as a library, no sockets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from resolvers.table_layout import create_table_request

TABLE = "music-test"


def offline_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Placeholder credentials, and no endpoint: boto3 talks to the in-process moto only."""
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@contextmanager
def fresh_table(**table_options: Any) -> Iterator[Any]:
    """A DynamoDB client on the table the stack creates (its key layout and indexes), in a fresh moto."""
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(**create_table_request(TABLE), **table_options)
        yield client
