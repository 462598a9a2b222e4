"""Play counts: the queue `recordPlay` sends counted plays to, and the consumer that adds them up.

Sizing for 10,000 plays a second (docs/api/plays.md#counts-at-scale): the consumer takes up
to 1,000 messages per invocation, waiting up to a second to fill a batch, and at most
MAX_CONCURRENCY invocations run at once, so a hot song sees a handful of count updates a
second (each one transaction per 100 actions), never one write per play.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.catalog_table import CatalogTable
from infra.functions import PythonFunction
from infra.names import Stage
from infra.queues import queue_with_dlq

TALLY_TIMEOUT = Duration.minutes(1)
BATCH_SIZE = 1000  # messages per invocation (a standard queue allows 10,000 with a batching window)
BATCHING_WINDOW = Duration.seconds(1)
MAX_CONCURRENCY = 5  # fewer concurrent writers on a hot song: fewer TransactionConflicts


class PlayCounts(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, catalog: CatalogTable) -> None:
        super().__init__(scope, construct_id)
        self.queue, self.dead_letters = queue_with_dlq(self, "Plays", TALLY_TIMEOUT)
        self.function = PythonFunction(
            self,
            "Tally",
            stage=stage,
            handler="resolvers.handlers.plays.handler",
            description="Adds queued plays to their songs' counts, one update per song per batch",
            environment={"TABLE_NAME": catalog.table.table_name},
            memory_size=512,
            timeout=TALLY_TIMEOUT,
        )
        self.function.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                max_batching_window=BATCHING_WINDOW,
                max_concurrency=MAX_CONCURRENCY,
                report_batch_item_failures=True,
            )
        )
        catalog.grant_read_write(self.function.role)

    def grant_plays(self, role: iam.IRole) -> None:
        """recordPlay and recordPlays queue the plays they count."""
        self.queue.grant_send_messages(role)
