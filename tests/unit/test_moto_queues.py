"""emulator/moto_fixes/queues.py: a receive keeps and drops messages as moto does, without building queue attributes per message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.sqs.models import Queue, sqs_backends

from emulator.moto_fixes import queues
from tests.unit.moto_table import offline_credentials


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    offline_credentials(monkeypatch)
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def _received(sqs: Any, built: list[int]) -> list[str]:
    """Bodies received from a queue keeping messages 60 s, where the last two of five are 2 minutes old."""
    url = sqs.create_queue(QueueName="q", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
    queue = sqs_backends["123456789012"]["us-east-1"].queues["q"]
    for message in list(queue._messages)[3:]:
        message.sent_timestamp -= 120_000  # sent two minutes ago (milliseconds)
    built.clear()
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    receiving = len(built)
    sqs.delete_queue(QueueUrl=url)
    built[:] = built[:receiving]
    return sorted(m["Body"] for m in got)


def test_a_receive_drops_expired_messages_as_moto_does(sqs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    attributes = Queue.attributes
    monkeypatch.setattr(Queue, "attributes", property(lambda q: built.append(1) or attributes.fget(q)))  # type: ignore[attr-defined]
    released = _received(sqs, built)
    assert len(built) >= 4 * 3  # moto as released: three times per message looked at
    queues.install()
    try:
        fixed = _received(sqs, built)
    finally:
        queues.uninstall()
    assert fixed == released == ["m0", "m1", "m2"]  # moto stops at the first expired one
    assert built == [], "the receive built no queue attributes"
