"""Cleanup: the files of deleted songs are removed here, off the request path, with retries."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import media
from resolvers.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def remove(record: SQSRecord) -> None:
    song_id = json.loads(record.body)["songId"]
    removed = media.remove_song_files(song_id)
    logger.info("removed a deleted song's files", extra={"songId": song_id, "objects": removed})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=remove, processor=processor, context=context)
