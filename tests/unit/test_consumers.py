"""Every SQS consumer under faults, through the local event source mapping and the stack's redrive.

For each queue consumer (media processor, cleanup, new-content fan-out, feed, play counts): in a batch
with a poison message, the good record's work is done once and only the poison one comes
back; it is delivered as many times as infra/queues.py's `maxReceiveCount`, then parked in
the dead-letter queue; and the good message delivered again (SQS delivers at least once)
changes nothing anywhere: table, bucket, downstream queues, AppSync.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from emulator.events import QueueTrigger
from emulator.lambdas import LocalFunction
from infra.queues import MAX_RECEIVES
from resolvers import realtime, releases
from resolvers.clock import now_iso
from resolvers.settings import settings
from tests.media_files import wav
from tests.media_stand_in import mark_ready
from tests.unit.conftest import add_profile, appsync_event, invoke, listener_event

BUCKET = "media-test"
POISON = "{not json"
LISTENER = str(uuid.uuid4())
HANDLERS = Path(__file__).resolve().parents[2] / "resolvers" / "handlers"


def _song(genre: str = "jazz") -> dict[str, Any]:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Nina Vale"}}))
    return invoke(
        appsync_event("Mutation", "createSong", {"input": {"title": "Tram", "artistId": artist["id"], "genre": genre}})
    )


def _upload(song_id: str) -> str:
    upload = invoke(
        appsync_event(
            "Mutation",
            "requestUpload",
            {"input": {"kind": "AUDIO", "songId": song_id, "contentType": "audio/wav", "sizeBytes": 32044}},
        )
    )
    boto3.client("s3").put_object(Bucket=BUCKET, Key=upload["key"], Body=wav(2.0))
    return upload["key"]


def uploaded_audio() -> str:
    """An S3 notification for a song's freshly uploaded audio: the processor makes it READY."""
    key = _upload(_song()["id"])
    record = {"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}
    return json.dumps({"Records": [record]})


def deleted_song() -> str:
    """A deleted song with a stored file and a rating: the cleanup removes both."""
    song = _song()
    _upload(song["id"])
    mark_ready(song["id"])
    invoke(listener_event("Mutation", "rateSong", {"songId": song["id"], "stars": 4}, sub=LISTENER))
    invoke(appsync_event("Mutation", "deleteSong", {"id": song["id"]}))
    return json.dumps({"kind": "SONG", "id": song["id"]})


def new_release() -> str:
    """A release event for a song a listener's genre follow covers: the fan-out writes their inbox."""
    add_profile(LISTENER, "fan@example.com")
    invoke(listener_event("Mutation", "follow", {"input": {"genre": "jazz"}}, sub=LISTENER))
    sqs = boto3.client("sqs")
    queue = settings().new_content_queue_url
    releases.announce("SONG", {**_song(), "status": "READY"})
    (queued,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=queued["ReceiptHandle"])
    return queued["Body"]


def changed_ratings() -> str:
    """A listener's ratings changed: the feed function recomputes their picks."""
    add_profile(LISTENER, "fan@example.com")
    song = _song()
    mark_ready(song["id"])
    invoke(listener_event("Mutation", "rateSong", {"songId": song["id"], "stars": 5}, sub=LISTENER))
    return json.dumps({"userId": LISTENER, "changedAt": now_iso()})


def counted_play() -> str:
    """A listener's counted play, queued by recordPlay: the play consumer adds it to the song."""
    song = _song()
    mark_ready(song["id"], duration_seconds=120)
    play = {"songId": song["id"], "startedAt": now_iso(), "playedMs": 60_000, "device": "phone"}
    assert invoke(listener_event("Mutation", "recordPlay", {"input": play}, sub=LISTENER)) == {"counted": True}
    sqs = boto3.client("sqs")
    queue = settings().plays_queue
    (queued,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=queued["ReceiptHandle"])
    return queued["Body"]


def _play_counts() -> list[int]:
    return [int(i["playCount"]["N"]) for i in _table() if i.get("kind", {}).get("S") == "SONG" and "playCount" in i]


@dataclass(frozen=True)
class Consumer:
    handler: str
    good_message: Callable[[], str]
    done: Callable[[], bool]  # the good message's work is visible


def _table() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName="music-test")["Items"]


def _kinds() -> list[str]:
    return sorted(item["kind"]["S"] for item in _table() if "kind" in item)


CONSUMERS = {
    "media_processor": Consumer(
        "resolvers.handlers.media_processor.handler",
        uploaded_audio,
        lambda: any(i.get("status", {}).get("S") == "READY" for i in _table()),
    ),
    "cleanup": Consumer(
        "resolvers.handlers.cleanup.handler",
        deleted_song,
        lambda: "Contents" not in boto3.client("s3").list_objects_v2(Bucket=BUCKET) and "RATING" not in _kinds(),
    ),
    "new_content": Consumer(
        "resolvers.handlers.new_content.handler",
        new_release,
        lambda: len(invoke(listener_event("Query", "notifications", {}, sub=LISTENER))["items"]) == 1,
    ),
    "feed": Consumer(
        "resolvers.handlers.feed.handler",
        changed_ratings,
        lambda: "FEED" in _kinds(),
    ),
    "plays": Consumer(
        "resolvers.handlers.plays.handler",
        counted_play,
        lambda: _play_counts() == [1],
    ),
}


@pytest.fixture
def world(new_content: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    """The stack's bucket and queues; returns a function that captures everything a consumer may change."""
    monkeypatch.setenv("MEDIA_BUCKET", BUCKET)
    settings.cache_clear()
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(realtime, "publish_new_content", lambda content: published.append(dict(content)) or content)
    sqs = boto3.client("sqs")

    def capture() -> Any:
        items = sorted(json.dumps(item, sort_keys=True) for item in _table())
        objects = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        queued = {
            url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
            for url in sqs.list_queues()["QueueUrls"]
        }
        return items, objects, queued, list(published)

    return capture


def _work_queue() -> tuple[str, str]:
    """A queue and its DLQ, redriven after the stack's number of receives."""
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="work",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)}),
        },
    )["QueueUrl"]
    return queue, dlq


def _drain(trigger: QueueTrigger) -> list[int]:
    """Poll until the queue is empty; the size of each delivered batch."""
    batches: list[int] = []
    while delivered := trigger.poll_once():
        batches.append(delivered)
        assert len(batches) <= MAX_RECEIVES + 1, "a message keeps coming back"
    return batches


@pytest.mark.parametrize("name", sorted(CONSUMERS))
def test_a_poison_message_retries_alone_then_dead_letters_and_redelivery_is_a_no_op(
    name: str, world: Callable[[], Any]
) -> None:
    consumer = CONSUMERS[name]
    good = consumer.good_message()
    queue, dlq = _work_queue()
    sqs = boto3.client("sqs")
    for body in (good, POISON):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    trigger = QueueTrigger(queue, LocalFunction(name, consumer.handler), batch_size=10)

    assert _drain(trigger) == [2] + [1] * (MAX_RECEIVES - 1), "only the poison message came back"
    assert consumer.done()
    parked = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in parked] == [POISON]

    after_first = world()
    sqs.send_message(QueueUrl=queue, MessageBody=good)
    assert _drain(trigger) == [1], "a redelivered message succeeds"
    assert world() == after_first, "and changes nothing"


def test_every_queue_consumer_is_covered() -> None:
    """A new SQS consumer gets the same checks: it must be listed above."""
    consumers = {
        path.stem for path in HANDLERS.glob("*.py") if "process_partial_response" in path.read_text(encoding="utf-8")
    }
    assert consumers == set(CONSUMERS)
