"""Lambda event source mappings for SQS, locally: poll a queue, invoke a function, settle the batch.

As on AWS: a batch of up to `batch_size` records per invocation; records named in the
response's `batchItemFailures` (or the whole batch, when the function fails) stay on the
queue and come back after the visibility timeout; the queue's redrive policy moves a
message that keeps failing to its dead-letter queue. Everything else is deleted.
"""

from __future__ import annotations

import threading
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
    """One event source mapping: a queue feeding a function, polled on a daemon thread."""

    def __init__(self, queue_url: str, function: Function, batch_size: int = 10) -> None:
        self.queue_url = queue_url
        self.function = function
        self.batch_size = batch_size
        self._sqs = boto3.client("sqs")
        self.queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sqs->{function.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

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
