"""The lyrics function: Transcribe's job state changes (EventBridge) become a song's synced lyrics.

EventBridge invokes it asynchronously: a failure is retried by Lambda, then the event goes
to the rule target's dead-letter queue. Repeating an event is harmless: the song stops
waiting for a job once its result is stored, so a second delivery is dropped.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import lyrics
from resolvers.observability import logger, tracer

FINISHED = ("COMPLETED", "FAILED")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    detail = event.get("detail") or {}
    if detail.get("TranscriptionJobStatus") not in FINISHED:
        return
    lyrics.on_job_finished(str(detail.get("TranscriptionJobName", "")))
