"""The media processor handler: partial batch failures, redelivery, the S3 test event."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from emulator.lambdas import LambdaContext
from resolvers.data import table
from resolvers.handlers import media_processor
from resolvers.settings import settings
from tests.media_files import wav
from tests.unit.conftest import appsync_event, invoke

BUCKET = "media-test"


@pytest.fixture
def song(new_content: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("MEDIA_BUCKET", BUCKET)
    settings.cache_clear()
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "A"}}))
    return invoke(
        appsync_event("Mutation", "createSong", {"input": {"title": "T", "artistId": artist["id"], "genre": "rock"}})
    )


def sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": message_id,
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:uploads",
        "awsRegion": "us-east-1",
    }


def created(key: str) -> str:
    return json.dumps(
        {"Records": [{"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]}
    )


def test_only_the_failing_record_is_retried_and_redelivery_changes_nothing(
    song: dict[str, Any], new_content: dict[str, str]
) -> None:
    upload = invoke(
        appsync_event(
            "Mutation",
            "requestUpload",
            {"input": {"kind": "AUDIO", "songId": song["id"], "contentType": "audio/wav", "sizeBytes": 64044}},
        )
    )
    boto3.client("s3").put_object(Bucket=BUCKET, Key=upload["key"], Body=wav(4.0))
    event = {
        "Records": [
            sqs_record("test-event", json.dumps({"Event": "s3:TestEvent", "Bucket": BUCKET})),
            sqs_record("upload", created(upload["key"])),
            sqs_record("poison", "this is not an S3 notification"),
        ]
    }
    response = media_processor.handler(event, LambdaContext("media-processor"))
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    released = boto3.client("sqs").receive_message(QueueUrl=new_content["queue"], MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["id"] for m in released] == [song["id"]]  # its first READY is a release
    ready = table.get("SONG", song["id"])
    assert (ready["status"], ready["durationSeconds"], ready["audioKey"]) == ("READY", 4, upload["key"])

    again = media_processor.handler({"Records": [sqs_record("upload", created(upload["key"]))]}, LambdaContext("m"))
    assert again == {"batchItemFailures": []}
    assert table.get("SONG", song["id"]) == ready
    assert boto3.client("s3").head_object(Bucket=BUCKET, Key=upload["key"])["ContentLength"] == len(wav(4.0))
