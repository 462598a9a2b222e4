"""The new-content fan-out: new-release events, delivered through SQS, reach the followers.

Records fail one by one (partial batch response): SQS retries only those, and its
redrive policy parks a poison message in the dead-letter queue. Redelivered events
change nothing (see `resolvers/releases.py`).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import releases
from resolvers.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def process_release(record: SQSRecord, lambda_context: LambdaContext) -> None:
    try:
        releases.fan_out(json.loads(record.body), lambda_context.get_remaining_time_in_millis())
    except Exception:
        logger.exception("new-content event failed; SQS will retry it", extra={"messageId": record.message_id})
        raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=process_release, processor=processor, context=context)
