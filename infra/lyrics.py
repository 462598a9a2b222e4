"""Lyrics by Amazon Transcribe: an EventBridge rule on Transcribe's job state changes, the
lyrics function it invokes (with retries and a dead-letter queue), and the Transcribe
permissions of the functions that start jobs (see resolvers/lyrics.py)."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.catalog_table import CatalogTable
from infra.functions import PythonFunction
from infra.nag import acknowledge
from infra.names import Stage

LYRICS_TIMEOUT = Duration.minutes(1)
TRANSCRIPTS_PREFIX = "transcripts/"  # resolvers/transcription.py
# Our job names: resolvers/transcription.py job_name().
JOB_PREFIX = "lyrics-"


class Lyrics(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: Stage, catalog: CatalogTable, bucket: s3.IBucket
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = bucket
        self.dead_letters = sqs.Queue(
            self,
            "EventsDlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(
            self.dead_letters,
            "SQS3",
            "It is the dead-letter queue of the EventBridge rule's target (a rule's DLQ, not a queue's redrive)",
        )
        self.function = PythonFunction(
            self,
            "Function",
            stage=stage,
            handler="resolvers.handlers.lyrics.handler",
            description="Turns a finished Transcribe job into a song's synced lyrics, or FAILED with a reason",
            environment={"TABLE_NAME": catalog.table.table_name, "MEDIA_BUCKET": bucket.bucket_name},
            memory_size=512,
            timeout=LYRICS_TIMEOUT,
        )
        catalog.grant_read_write(self.function.role)
        self.function.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["transcribe:GetTranscriptionJob"], resources=[self._jobs_arn()])
        )
        self.function.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[bucket.arn_for_objects(f"{TRANSCRIPTS_PREFIX}*")])
        )
        bucket_id = Stack.of(self).get_logical_id(bucket.node.default_child)  # type: ignore[arg-type]
        acknowledge(
            self.function.role,
            f"IAM5[Resource::<{bucket_id}.Arn>/{TRANSCRIPTS_PREFIX}*]",
            "Transcripts are named per song and job under their folder",
        )
        acknowledge(
            self.function.role,
            f"IAM5[Resource::arn:aws:transcribe:<AWS::Region>:<AWS::AccountId>:transcription-job/{JOB_PREFIX}*]",
            "Jobs are named per song and audio version; the function reads only ours",
        )
        # Only finished jobs of ours: a job that is still running changes nothing.
        events.Rule(
            self,
            "JobFinished",
            description="Transcribe lyrics jobs that completed or failed",
            event_pattern=events.EventPattern(
                source=["aws.transcribe"],
                detail_type=["Transcribe Job State Change"],
                detail={
                    "TranscriptionJobStatus": ["COMPLETED", "FAILED"],
                    "TranscriptionJobName": [{"prefix": JOB_PREFIX}],
                },
            ),
            targets=[
                targets.LambdaFunction(
                    self.function.function,
                    dead_letter_queue=self.dead_letters,
                    retry_attempts=4,
                    max_event_age=Duration.hours(2),
                )
            ],
        )

    def _jobs_arn(self) -> str:
        stack = Stack.of(self)
        return f"arn:aws:transcribe:{stack.region}:{stack.account}:transcription-job/{JOB_PREFIX}*"

    def grant_start(self, role: iam.IRole) -> None:
        """Start lyrics jobs: Transcribe reads the audio and writes the transcript with the caller's rights."""
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["transcribe:StartTranscriptionJob"], resources=[self._jobs_arn()])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"], resources=[self.bucket.arn_for_objects(f"{TRANSCRIPTS_PREFIX}*")]
            )
        )
        bucket_id = Stack.of(self).get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]
        acknowledge(
            role,
            f"IAM5[Resource::<{bucket_id}.Arn>/{TRANSCRIPTS_PREFIX}*]",
            "Transcripts are named per song and job under their folder",
        )
        acknowledge(
            role,
            f"IAM5[Resource::arn:aws:transcribe:<AWS::Region>:<AWS::AccountId>:transcription-job/{JOB_PREFIX}*]",
            "Jobs are named per song and audio version",
        )
