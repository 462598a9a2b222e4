"""The media processor: S3 `ObjectCreated` events, delivered through SQS, become playable songs.

Each SQS record holds one S3 notification. Records fail one by one (partial batch
response), so SQS retries only those, and its redrive policy parks a poison message in
the dead-letter queue.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import media
from resolvers.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def process_notification(record: SQSRecord) -> None:
    notification = json.loads(record.body)
    if notification.get("Event") == "s3:TestEvent":
        return  # S3 checks the queue is reachable when the notification is configured
    for s3_record in notification.get("Records", []):
        if not s3_record.get("eventName", "").startswith("ObjectCreated:"):
            continue
        bucket = s3_record["s3"]["bucket"]["name"]
        key = unquote_plus(s3_record["s3"]["object"]["key"])
        media.process_upload(bucket, key)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=process_notification, processor=processor, context=context
    )
