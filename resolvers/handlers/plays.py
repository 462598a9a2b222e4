"""The play consumer: queued plays are added to their songs' counts, one update per song per batch.

The whole batch is tallied first (`resolvers/play_counts.py`: grouping by song is the point),
then Powertools reports, record by record, which messages failed: a poison message, or one
whose plays' transaction failed, comes back alone (partial batch response) and ends in the
dead-letter queue after three receives. Redelivery adds nothing twice (markers per play).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import play_counts
from resolvers.observability import logger, tracer

processor = BatchProcessor(event_type=EventType.SQS)


class PlaysNotCounted(Exception):
    """The record's plays were not all added (its failure is logged where it happened)."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    failed = play_counts.tally_batch((record["messageId"], record["body"]) for record in records)

    def report(record: SQSRecord) -> None:
        if record.message_id in failed:
            raise PlaysNotCounted(record.message_id)

    return process_partial_response(event=event, record_handler=report, processor=processor, context=context)
