"""New releases: the new-content queue and DLQ, the email topic, and the fan-out function.

A song's first READY queues an event; the fan-out writes inbox items for the followers,
publishes once to SNS (email subscribers filter on their follows) and calls the API's
IAM-only `publishNewContent`, which AppSync pushes to real-time subscribers.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.catalog_table import CatalogTable
from infra.functions import PythonFunction
from infra.nag import acknowledge
from infra.names import Stage
from infra.queues import queue_with_dlq
from schema import NONE_FIELDS

FAN_OUT_TIMEOUT = Duration.minutes(5)


class Releases(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, catalog: CatalogTable) -> None:
        super().__init__(scope, construct_id)
        self.queue, self.dead_letters = queue_with_dlq(self, "NewContent", FAN_OUT_TIMEOUT)
        self.topic = sns.Topic(
            self,
            "Emails",
            display_name=f"{stage.prefix} new releases",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        self.catalog = catalog
        self.stage = stage

    def fan_out(self, api: appsync.IGraphqlApi) -> PythonFunction:
        """The fan-out function, calling back into this API (so built once the API exists)."""
        function = PythonFunction(
            self,
            "FanOut",
            stage=self.stage,
            handler="resolvers.handlers.new_content.handler",
            description="Tells followers about a new release: inbox, email, real-time",
            environment={
                "TABLE_NAME": self.catalog.table.table_name,
                "NEW_CONTENT_TOPIC_ARN": self.topic.topic_arn,
                "APPSYNC_URL": api.graphql_url,
            },
            memory_size=1024,
            timeout=FAN_OUT_TIMEOUT,
        )
        function.function.add_event_source(
            sources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)
        )
        self.catalog.grant_read_write(function.role)
        self.topic.grant_publish(function.role)
        stack = Stack.of(self)
        function.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["appsync:GraphQL"],
                resources=[
                    stack.format_arn(
                        service="appsync",
                        resource="apis",
                        resource_name=f"{api.api_id}/types/{field.type_name}/fields/{field.field_name}",
                    )
                    for field in NONE_FIELDS
                ],
            )
        )
        return function

    def grant_email_subscriptions(self, role: iam.IRole) -> None:
        """Listeners opt in and out of email: the API manages their topic subscriptions."""
        role.add_to_principal_policy(iam.PolicyStatement(actions=["sns:Subscribe"], resources=[self.topic.topic_arn]))
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["sns:Unsubscribe", "sns:SetSubscriptionAttributes"],
                resources=[f"{self.topic.topic_arn}:*"],
            )
        )
        topic_id = Stack.of(self).get_logical_id(self.topic.node.default_child)  # type: ignore[arg-type]
        acknowledge(
            role,
            f"IAM5[Resource::<{topic_id}>:*]",
            "A subscription's ARN is the topic's ARN plus an id SNS assigns: only this topic's subscriptions",
        )
