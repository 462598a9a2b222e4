"""Lambda event sources, locally: SQS event source mappings (poll a queue, invoke a function,
settle the batch), and EventBridge rule targets (RuleTarget, at the end).

As on AWS: a batch of up to `batch_size` records per invocation; records named in the
response's `batchItemFailures` (or the whole batch, when the function fails) stay on the
queue and come back after the visibility timeout; the queue's redrive policy moves a
message that keeps failing to its dead-letter queue. Everything else is deleted.
"""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from typing import Any

import boto3

from emulator.lambdas import Function, LambdaError

REGION = "us-east-1"


def sqs_event(queue_arn: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda receives from an SQS event source mapping."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "dataType": value["DataType"],
                        "stringListValues": [],
                        "binaryListValues": [],
                    }
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


class QueueTrigger:
    """One event source mapping: a queue feeding a function, polled on daemon threads.

    Lambda polls a standard queue with several pollers at once (five concurrent batches to
    begin with, up to the mapping's maximum concurrency), so a backlog is worked off by
    several instances side by side; `pollers` threads do the same here, each invoking the
    function's instance pool (emulator/instances.py) with its own batch.
    """

    def __init__(self, queue_url: str, function: Function, batch_size: int = 10, pollers: int = 1) -> None:
        self.queue_url = queue_url
        self.function = function
        self.batch_size = batch_size
        self._sqs = boto3.client("sqs")
        self.queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, name=f"sqs->{function.name}#{n}", daemon=True) for n in range(pollers)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, wait: float = 0) -> None:
        """Stop polling; with `wait`, until the pollers' last receive returned (a test's mock ends next)."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive() and wait:
                thread.join(wait)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(wait_seconds=1)
            except Exception as error:  # the poller must outlive a failed poll, as Lambda's does
                print(f"[events] polling {self.queue_url} failed: {error}", flush=True)
                self._stop.wait(1)

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch, invoke, settle; returns how many records were delivered."""
        messages = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        try:
            response = self.function.invoke(sqs_event(self.queue_arn, messages))
        except LambdaError as error:
            print(f"[events] {self.function.name} failed a batch of {len(messages)}: {error.error_type}", flush=True)
            return len(messages)
        failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done[start : start + 10])
                ],
            )
        return len(messages)


class RuleTarget:
    """An EventBridge rule's Lambda target, locally: events are delivered asynchronously, as
    Lambda's async invoke does (two retries), then parked in the target's dead-letter queue."""

    RETRIES = 2

    def __init__(self, function: Function, dead_letter_queue_url: str | None = None) -> None:
        self.function = function
        self.dead_letter_queue_url = dead_letter_queue_url

    def put_event(self, source: str, detail_type: str, detail: dict[str, Any]) -> None:
        """PutEvents for one event matching the rule: returns at once, delivers on a thread."""
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": "123456789012",
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "region": REGION,
            "resources": [],
            "detail": detail,
        }
        threading.Thread(target=self.deliver, args=(event,), name=f"events->{self.function.name}", daemon=True).start()

    def deliver(self, event: dict[str, Any]) -> bool:
        """Invoke with retries; False (and the event in the dead-letter queue) when every attempt failed."""
        for attempt in range(1 + self.RETRIES):
            try:
                self.function.invoke(event)
                return True
            except LambdaError as error:
                print(f"[events] {self.function.name} failed attempt {attempt + 1}: {error.error_type}", flush=True)
        if self.dead_letter_queue_url:
            boto3.client("sqs").send_message(QueueUrl=self.dead_letter_queue_url, MessageBody=json.dumps(event))
        return False
