"""Cleanup: the files of deleted songs, albums and artists, a deleted song's ratings, and a
deleted playlist's entries are removed here, off the request path."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import lyrics, media, playlists, ratings
from resolvers.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def remove(record: SQSRecord) -> None:
    deleted = json.loads(record.body)
    if deleted["kind"] == "PLAYLIST":
        entries = playlists.forget_entries(deleted["id"])
        logger.info("removed a deleted playlist's entries", extra={**deleted, "entries": entries})
        return
    removed = media.remove_files(deleted["kind"], deleted["id"])
    forgotten = ratings.forget_song(deleted["id"]) if deleted["kind"] == "SONG" else 0
    if deleted["kind"] == "SONG":
        lyrics.forget_song(deleted["id"])
    logger.info("removed a deleted item's files", extra={**deleted, "objects": removed, "ratings": forgotten})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=remove, processor=processor, context=context)
