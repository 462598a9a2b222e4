"""Media: the private bucket for audio, its upload queue and DLQ, and the processor function.

S3 → SQS → processor, as in the emulator (emulator/aws.py provisions the same shape
through boto3). Clients reach the bucket only through presigned URLs the API signs.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as notifications
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.catalog_table import CatalogTable
from infra.functions import PythonFunction
from infra.nag import acknowledge
from infra.names import Stage

AUDIO_PREFIX = "songs/"
PROCESSOR_TIMEOUT = Duration.minutes(5)
MAX_RECEIVES = 3


class Media(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        catalog: CatalogTable,
        access_logs: s3.IBucket,
        web_origins: list[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="media-bucket/",
            cors=[
                s3.CorsRule(
                    allowed_origins=web_origins,
                    allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.POST],
                    allowed_headers=["*"],
                    exposed_headers=["ETag", "Content-Length", "Content-Range", "Accept-Ranges"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))],
            removal_policy=RemovalPolicy.RETAIN if stage.production else RemovalPolicy.DESTROY,
            auto_delete_objects=not stage.production,
        )
        self.dead_letters = sqs.Queue(
            self,
            "UploadsDlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.uploads = sqs.Queue(
            self,
            "Uploads",
            visibility_timeout=Duration.seconds(PROCESSOR_TIMEOUT.to_seconds() * 6),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters, max_receive_count=MAX_RECEIVES),
        )
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            notifications.SqsDestination(self.uploads),
            s3.NotificationKeyFilter(prefix=AUDIO_PREFIX),
        )
        processor = PythonFunction(
            self,
            "Processor",
            stage=stage,
            handler="resolvers.handlers.media_processor.handler",
            description="Checks uploaded audio and makes the song READY or FAILED",
            environment={"TABLE_NAME": catalog.table.table_name, "MEDIA_BUCKET": self.bucket.bucket_name},
            memory_size=1024,
            timeout=PROCESSOR_TIMEOUT,
        )
        self.processor = processor.function
        self.processor.add_event_source(
            sources.SqsEventSource(self.uploads, batch_size=5, report_batch_item_failures=True)
        )
        catalog.grant_read_write(processor.role)
        self.bucket_objects(processor.role, "s3:GetObject", "s3:DeleteObject")
        self._acknowledge_notification_helper()

    def bucket_objects(self, role: iam.IRole, *actions: str) -> None:
        """Grant actions on the audio objects only (not the bucket, not other prefixes)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(actions), resources=[self.bucket.arn_for_objects(f"{AUDIO_PREFIX}*")])
        )
        acknowledge(
            role,
            f"IAM5[Resource::<{Stack.of(self).get_logical_id(self.bucket.node.default_child)}.Arn>/{AUDIO_PREFIX}*]",  # type: ignore[arg-type]
            "Audio objects are named per song and upload under this prefix",
        )

    def _acknowledge_notification_helper(self) -> None:
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                acknowledge(
                    child,
                    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                    "CDK's bucket-notification helper logs with the basic execution policy",
                )
                acknowledge(
                    child,
                    "IAM5[Resource::*]",
                    "CDK's bucket-notification helper configures notifications at deploy time",
                )
