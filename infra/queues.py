"""Every work queue of the stack: encrypted, TLS only, with a dead-letter queue after three receives."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

MAX_RECEIVES = 3


def queue_with_dlq(scope: Construct, name: str, consumer_timeout: Duration) -> tuple[sqs.Queue, sqs.Queue]:
    """A queue for a Lambda consumer (visibility six times its timeout, as AWS advises) and its DLQ."""
    dead_letters = sqs.Queue(
        scope,
        f"{name}Dlq",
        retention_period=Duration.days(14),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
    )
    queue = sqs.Queue(
        scope,
        name,
        visibility_timeout=Duration.seconds(consumer_timeout.to_seconds() * 6),
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=MAX_RECEIVES),
    )
    return queue, dead_letters
