"""What operators need: an encrypted alarm topic, alarms on errors, and the access-log bucket."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.buckets import private_bucket
from infra.nag import acknowledge
from infra.names import Stage


class Operations(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage) -> None:
        super().__init__(scope, construct_id)
        self.alarm_topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"{stage.prefix} alarms",
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        self.access_logs = private_bucket(
            self,
            "AccessLogs",
            stage=stage,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,  # CloudFront's standard logs need ACLs
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365 if stage.production else 30))],
        )
        acknowledge(self.access_logs, "S1", "This is the access-log bucket; logging it into itself would loop")

    def _alarm(self, construct_id: str, metric: cloudwatch.Metric, description: str) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self,
            construct_id,
            alarm_description=description,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.alarm_topic))
        return alarm

    def watch_function(self, name: str, function: lambda_.IFunction) -> None:
        """Alarm on any error of the function within five minutes."""
        self._alarm(
            f"{name}Errors",
            function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
            f"{name} raised errors (see its log group)",
        )

    def watch_queue(self, name: str, dead_letters: sqs.IQueue) -> None:
        """Alarm as soon as a message lands in a dead-letter queue: it needs a person."""
        self._alarm(
            f"{name}Depth",
            dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5), statistic="Maximum"),
            f"{name} holds messages that failed every retry",
        )

    def watch_api(self, api: appsync.IGraphqlApi) -> None:
        """Alarm on AppSync answering with server errors."""
        self._alarm(
            "Api5xx",
            cloudwatch.Metric(
                namespace="AWS/AppSync",
                metric_name="5XXError",
                dimensions_map={"GraphQLAPIId": api.api_id},
                period=Duration.minutes(5),
                statistic="Sum",
            ),
            "The GraphQL API answered with server errors",
        )
