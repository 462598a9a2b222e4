"""Media: the private bucket for audio, the upload and cleanup queues, and their functions.

S3 → SQS → processor turns uploads into playable songs; deleting a song queues the
removal of its files for the cleanup function. The emulator (emulator/aws.py) provisions
the same shape through boto3. Clients reach the bucket only through presigned URLs.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as notifications
from constructs import Construct

from infra.buckets import private_bucket
from infra.catalog_table import CatalogTable
from infra.functions import PythonFunction
from infra.nag import acknowledge
from infra.names import Stage
from infra.queues import queue_with_dlq

# Songs' audio, albums' covers, artists' images: the folders uploads land in (resolvers/media.py SLOTS).
MEDIA_PREFIXES = ("songs/", "albums/", "artists/")
PROCESSOR_TIMEOUT = Duration.minutes(5)
CLEANUP_TIMEOUT = Duration.minutes(1)


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
        self.bucket = private_bucket(
            self,
            "Bucket",
            stage=stage,
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
        )
        self.uploads, self.dead_letters = queue_with_dlq(self, "Uploads", PROCESSOR_TIMEOUT)
        self.cleanup, self.cleanup_dead_letters = queue_with_dlq(self, "Cleanup", CLEANUP_TIMEOUT)
        for prefix in MEDIA_PREFIXES:
            self.bucket.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                notifications.SqsDestination(self.uploads),
                s3.NotificationKeyFilter(prefix=prefix),
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

        cleaner = PythonFunction(
            self,
            "Cleaner",
            stage=stage,
            handler="resolvers.handlers.cleanup.handler",
            description="Removes the files of deleted items and the ratings of deleted songs",
            environment={"TABLE_NAME": catalog.table.table_name, "MEDIA_BUCKET": self.bucket.bucket_name},
            memory_size=256,
            timeout=CLEANUP_TIMEOUT,
        )
        self.cleaner = cleaner.function
        self.cleaner.add_event_source(
            sources.SqsEventSource(self.cleanup, batch_size=10, report_batch_item_failures=True)
        )
        # It checks the item is gone, then deletes a deleted song's ratings (found by its raters index).
        cleaner.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:BatchWriteItem"], resources=[catalog.table.table_arn]
            )
        )
        cleaner.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[f"{catalog.table.table_arn}/index/byParent"])
        )
        cleaner.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in MEDIA_PREFIXES]}},
            )
        )
        self.bucket_objects(cleaner.role, "s3:DeleteObject")
        self._acknowledge_notification_helper()

    def bucket_objects(self, role: iam.IRole, *actions: str) -> None:
        """Grant actions on the media objects only (the upload folders; not the bucket itself)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(actions),
                resources=[self.bucket.arn_for_objects(f"{prefix}*") for prefix in MEDIA_PREFIXES],
            )
        )
        bucket_id = Stack.of(self).get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]
        for prefix in MEDIA_PREFIXES:
            acknowledge(
                role,
                f"IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                "Media objects are named per item and upload under their folder",
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
