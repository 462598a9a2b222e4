"""The feed: a queue of listeners whose ratings or follows changed, and the function that
recomputes their picks into the table (see resolvers/feed.py)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.catalog_table import CatalogTable
from infra.functions import PythonFunction
from infra.names import Stage
from infra.queues import queue_with_dlq

REFRESH_TIMEOUT = Duration.minutes(1)


class Feed(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, catalog: CatalogTable) -> None:
        super().__init__(scope, construct_id)
        self.queue, self.dead_letters = queue_with_dlq(self, "Changes", REFRESH_TIMEOUT)
        self.function = PythonFunction(
            self,
            "Refresh",
            stage=stage,
            handler="resolvers.handlers.feed.handler",
            description="Recomputes a listener's feed picks after their ratings or follows change",
            environment={"TABLE_NAME": catalog.table.table_name},
            memory_size=512,
            timeout=REFRESH_TIMEOUT,
        )
        self.function.function.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)
        )
        catalog.grant_read_write(self.function.role)

    def grant_changes(self, role: iam.IRole) -> None:
        """Rating and following queue the listener for a refresh (and so does reading stale picks)."""
        self.queue.grant_send_messages(role)
