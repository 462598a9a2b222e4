"""The new-content fan-out: SQS events in, inbox items, one SNS publish and one AppSync call out."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from emulator.events import QueueTrigger, sqs_event
from emulator.lambdas import LambdaContext, LocalFunction
from resolvers import realtime, releases
from resolvers.data import releases as releases_data
from resolvers.errors import ValidationError
from resolvers.handlers import new_content
from tests.unit.conftest import add_profile, appsync_event, invoke, listener_event

ARTIST_FAN, GENRE_FAN, BOTH_FAN, BYSTANDER = (str(uuid.uuid4()) for _ in range(4))


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What the fan-out sends to AppSync (unit tests open no sockets)."""
    calls: list[dict[str, Any]] = []

    def publish(content: dict[str, Any]) -> dict[str, Any]:
        calls.append(dict(content))
        return dict(content)

    monkeypatch.setattr(realtime, "publish_new_content", publish)
    return calls


@pytest.fixture
def email_queue(new_content: dict[str, str]) -> str:
    """An SQS queue subscribed to the topic like an email subscriber who follows every genre."""
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="mail")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=new_content["topic"],
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps({"follows": ["genre:jazz"]}), "RawMessageDelivery": "true"},
    )
    return queue


@pytest.fixture
def song(new_content: dict[str, str]) -> dict[str, Any]:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Beyoncé Ortiz"}}))
    song = invoke(
        appsync_event(
            "Mutation", "createSong", {"input": {"title": "Fuego", "artistId": artist["id"], "genre": "jazz"}}
        )
    )
    for sub, follow in (
        (ARTIST_FAN, [{"artistId": artist["id"]}]),
        (GENRE_FAN, [{"genre": "jazz"}]),
        (BOTH_FAN, [{"artistId": artist["id"]}, {"genre": "jazz"}]),
        (BYSTANDER, [{"genre": "rock"}]),
    ):
        add_profile(sub, f"{sub[:8]}@example.com")
        for target in follow:
            invoke(listener_event("Mutation", "follow", {"input": target}, sub=sub))
    return song


def receive(queue: str) -> list[dict[str, Any]]:
    return boto3.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])


def deliver(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Invoke the fan-out handler as the SQS event source mapping would."""
    for m in messages:
        m.setdefault("MD5OfBody", "")
    return new_content.handler(sqs_event("arn:aws:sqs:us-east-1:123456789012:new-content", messages), ctx())


def ctx() -> LambdaContext:
    return LambdaContext("new-content")


def message(body: Any) -> dict[str, Any]:
    return {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": json.dumps(body), "MD5OfBody": ""}


def inbox(sub: str, **arguments: Any) -> list[dict[str, Any]]:
    return invoke(listener_event("Query", "notifications", arguments, sub=sub))["items"]


def unread(sub: str) -> int:
    return invoke(listener_event("Query", "unreadNotificationCount", sub=sub))


def test_one_release_reaches_every_follower_once(
    song: dict[str, Any], new_content: dict[str, str], email_queue: str, published: list[dict[str, Any]]
) -> None:
    releases.announce("SONG", {**song, "status": "READY"})
    queued = receive(new_content["queue"])
    assert len(queued) == 1
    assert deliver(queued) == {"batchItemFailures": []}

    for sub in (ARTIST_FAN, GENRE_FAN, BOTH_FAN):
        (note,) = inbox(sub)
        assert (note["kind"], note["contentId"], note["title"], note["artistName"], note["read"]) == (
            "SONG",
            song["id"],
            "Fuego",
            "Beyoncé Ortiz",
            False,
        )
        assert unread(sub) == 1
    assert inbox(BYSTANDER) == []

    (content,) = published
    assert content["eventId"] == note["id"]
    assert (content["kind"], content["id"], content["genre"], content["artistName"]) == (
        "SONG",
        song["id"],
        "jazz",
        "Beyoncé Ortiz",
    )
    (mail,) = receive(email_queue)
    assert "Fuego" in mail["Body"]

    # The same message again (SQS delivers at least once): nothing changes.
    assert deliver(queued) == {"batchItemFailures": []}
    assert len(published) == 1
    assert receive(email_queue) == []
    assert [len(inbox(sub)) for sub in (ARTIST_FAN, GENRE_FAN, BOTH_FAN)] == [1, 1, 1]


def test_two_identical_releases_are_two_events(
    song: dict[str, Any], new_content: dict[str, str], published: list
) -> None:
    releases.announce("SONG", song)
    releases.announce("SONG", song)
    bodies = [json.loads(m["Body"]) for m in receive(new_content["queue"])]
    assert len({b["eventId"] for b in bodies}) == 2, "idempotency is keyed on the event, not its content"


def test_poison_fails_alone_and_ends_in_the_dlq(
    song: dict[str, Any], new_content: dict[str, str], published: list[dict[str, Any]]
) -> None:
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=new_content["queue"], MessageBody="{not json")
    sqs.send_message(QueueUrl=new_content["queue"], MessageBody=json.dumps({"eventId": "x", "kind": "SONG"}))
    releases.announce("SONG", song)
    trigger = QueueTrigger(new_content["queue"], LocalFunction("new-content", "resolvers.handlers.new_content.handler"))
    for _ in range(4):
        trigger.poll_once()
    assert len(published) == 1, "the good record in the same batch went through"
    dead = sqs.get_queue_attributes(QueueUrl=new_content["dlq"], AttributeNames=["ApproximateNumberOfMessages"])
    assert dead["Attributes"]["ApproximateNumberOfMessages"] == "2"
    assert len(inbox(GENRE_FAN)) == 1


def test_a_failed_step_is_retried_alone(
    song: dict[str, Any], new_content: dict[str, str], email_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(content: dict[str, Any]) -> dict[str, Any]:
        raise realtime.PublishError("AppSync answered 503")

    monkeypatch.setattr(realtime, "publish_new_content", unreachable)
    releases.announce("SONG", song)
    queued = receive(new_content["queue"])
    with pytest.raises(BatchProcessingError):  # every record of the batch failed: the invocation fails
        deliver(queued)
    assert len(inbox(ARTIST_FAN)) == 1
    assert len(receive(email_queue)) == 1

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(realtime, "publish_new_content", calls.append)
    assert deliver(queued) == {"batchItemFailures": []}, "the lease was released with the failure"
    assert len(calls) == 1
    assert receive(email_queue) == [], "the email went out once"


def test_a_concurrent_delivery_waits_for_the_lease(song: dict[str, Any], published: list[dict[str, Any]]) -> None:
    body = {
        "eventId": releases.new_event_id(),
        "kind": "SONG",
        "id": song["id"],
        "title": song["title"],
        "artistId": song["artistId"],
        "genre": "jazz",
        "publishedAt": "2026-01-01T00:00:00.000Z",
    }
    releases_data.claim_event(
        body["eventId"], now=100, lease_until=2**40, expires_at=2**41
    )  # another delivery holds it
    busy, healthy = message(body), message({**body, "eventId": releases.new_event_id()})
    response = deliver([busy, healthy])
    assert response == {"batchItemFailures": [{"itemIdentifier": busy["MessageId"]}]}
    assert [p["eventId"] for p in published] == [json.loads(healthy["Body"])["eventId"]]


def test_malformed_events_are_validation_errors() -> None:
    with pytest.raises(ValidationError, match="kind"):
        releases.parse_event({"eventId": str(uuid.uuid4()), "kind": "PODCAST"})
    with pytest.raises(ValueError, match="kind"):
        releases.announce("PODCAST", {})


def test_inbox_reads_and_marks_only_the_callers_own(
    song: dict[str, Any], new_content: dict[str, str], published: list[dict[str, Any]]
) -> None:
    for _ in range(3):
        releases.announce("SONG", song)
    deliver(receive(new_content["queue"]))
    notes = inbox(GENRE_FAN)
    assert len(notes) == 3
    assert [n["id"] for n in notes] == sorted((n["id"] for n in notes), reverse=True), "newest first"

    other = inbox(ARTIST_FAN)[0]["id"]
    marked = invoke(
        listener_event("Mutation", "markNotificationsRead", {"ids": [notes[0]["id"], other]}, sub=GENRE_FAN)
    )
    assert marked == 1, "another listener's notification is out of reach"
    assert unread(ARTIST_FAN) == 3
    assert unread(GENRE_FAN) == 2
    assert [n["id"] for n in inbox(GENRE_FAN, unreadOnly=True)] == [n["id"] for n in notes[1:]]
    assert inbox(GENRE_FAN)[0]["read"] is True

    page = invoke(listener_event("Query", "notifications", {"limit": 1, "unreadOnly": True}, sub=GENRE_FAN))
    with pytest.raises(ValidationError, match="nextToken"):
        invoke(listener_event("Query", "notifications", {"nextToken": page["nextToken"], "unreadOnly": True}))

    assert invoke(listener_event("Mutation", "markNotificationsRead", {"all": True}, sub=GENRE_FAN)) == 2
    assert unread(GENRE_FAN) == 0
    with pytest.raises(ValidationError):
        invoke(listener_event("Mutation", "markNotificationsRead", {}, sub=GENRE_FAN))
