"""The local SQS event source mapping settles batches as Lambda does."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest

from emulator.aws import MAX_RECEIVES as LOCAL_MAX_RECEIVES
from emulator.events import QueueTrigger
from emulator.lambdas import LocalFunction
from infra.queues import MAX_RECEIVES as STACK_MAX_RECEIVES

SEEN: list[str] = []


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fails the records whose body says so; a body of "crash" fails the whole batch."""
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        if body == "crash":
            raise RuntimeError("whole batch fails")
        SEEN.append(body)
        if body.startswith("bad"):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


@pytest.fixture
def queues(aws: dict[str, str]) -> tuple[str, str]:
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="work",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
        },
    )["QueueUrl"]
    SEEN.clear()
    return queue, dlq


def count(queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_only_failed_records_stay_and_poison_ends_in_the_dlq(queues: tuple[str, str]) -> None:
    queue, dlq = queues
    sqs = boto3.client("sqs")
    for body in ("good-1", "bad-1", "good-2"):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(body))
    trigger = QueueTrigger(queue, LocalFunction("test", "tests.unit.test_events.handler"))
    assert trigger.poll_once() == 3
    assert count(queue) == 1
    for _ in range(3):
        trigger.poll_once()
    assert SEEN.count("good-1") == 1
    assert SEEN.count("bad-1") == 2  # maxReceiveCount deliveries, then the dead-letter queue
    assert count(queue) == 0
    assert count(dlq) == 1


def test_a_failed_invocation_keeps_the_whole_batch(queues: tuple[str, str]) -> None:
    queue, _ = queues
    boto3.client("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps("crash"))
    trigger = QueueTrigger(queue, LocalFunction("test", "tests.unit.test_events.handler"))
    assert trigger.poll_once() == 1
    assert count(queue) == 1


def test_local_queues_retry_as_often_as_the_stacks() -> None:
    """A poison message reaches the DLQ after the same number of receives locally and on AWS."""
    assert LOCAL_MAX_RECEIVES == STACK_MAX_RECEIVES


BATCHES_AT_ONCE = threading.Barrier(3, timeout=10)


def waits_for_two_more(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Returns only once two other batches are being handled at the same moment."""
    BATCHES_AT_ONCE.wait()
    SEEN.extend(json.loads(record["body"]) for record in event["Records"])
    return {"batchItemFailures": []}


class Instances:
    """A function run as an instance per event, as the emulator's pools run them side by side."""

    def __init__(self) -> None:
        self.name = "side-by-side"

    def invoke(self, event: dict[str, Any]) -> Any:
        return waits_for_two_more(event, None)


def test_several_pollers_work_a_backlog_off_side_by_side(queues: tuple[str, str]) -> None:
    """As Lambda's mapping runs several batches of a standard queue at once: three pollers hand
    three batches to three instances together (one poller alone would wait on the barrier forever)."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="backlog", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(f"job-{n}"))
    trigger = QueueTrigger(queue, Instances(), batch_size=1, pollers=3)  # type: ignore[arg-type]
    trigger.start()
    try:
        deadline = time.monotonic() + 10
        while len(SEEN) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        trigger.stop(wait=5)
    assert sorted(SEEN) == ["job-0", "job-1", "job-2"]
    assert not BATCHES_AT_ONCE.broken
