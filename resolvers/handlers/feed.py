"""The feed function: a listener's ratings or follows changed, so their picks are recomputed.

Records fail one by one (partial batch response) and a poison message ends in the
dead-letter queue. Several changes of one listener in a batch cost one computation
(see `resolvers/feed.py`: `refresh` skips changes an earlier computation already saw).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import feed
from resolvers.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def process_change(record: SQSRecord) -> None:
    try:
        feed.refresh(*feed.parse_change(json.loads(record.body)))
    except Exception:
        logger.exception("feed refresh failed; SQS will retry it", extra={"messageId": record.message_id})
        raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=process_change, processor=processor, context=context)
