"""Plays through the API handler on in-process moto: the play rule, checks, history, and the
aggregating consumer (duplicates in one batch, redelivery, poison, deleted songs, big batches)."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import boto3
import pytest

from emulator.lambdas import LambdaContext
from resolvers import play_counts
from resolvers.data import plays as plays_data
from resolvers.errors import NotFoundError, ValidationError
from resolvers.handlers import plays as plays_handler
from resolvers.settings import settings
from tests.media_stand_in import mark_ready
from tests.unit.conftest import appsync_event, invoke, listener_event


def _at(seconds_ago: float, base: datetime.datetime | None = None) -> str:
    """A moment before `base` (default: the clock now; a module-level "now" would drift through the session)."""
    moment = (base or datetime.datetime.now(datetime.UTC)) - datetime.timedelta(seconds=seconds_ago)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _song(duration: int | None = 200, genre: str = "jazz") -> str:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Nina Vale"}}))
    song = invoke(
        appsync_event("Mutation", "createSong", {"input": {"title": "Tram", "artistId": artist["id"], "genre": genre}})
    )
    if duration is not None:
        mark_ready(song["id"], duration_seconds=duration)
    return song["id"]


def _play(song_id: str, played_ms: int, started: str | None = None, device: str = "phone") -> dict[str, Any]:
    return {"songId": song_id, "startedAt": started or _at(3600), "playedMs": played_ms, "device": device}


def record(play: dict[str, Any], sub: str | None = None) -> bool:
    event = listener_event("Mutation", "recordPlay", {"input": play}, **({"sub": sub} if sub else {}))
    return invoke(event)["counted"]


def _queued() -> list[dict[str, str]]:
    """Take every queued message off the plays queue: (id, body) as the consumer gets them."""
    sqs = boto3.client("sqs")
    found = []
    while messages := sqs.receive_message(QueueUrl=settings().plays_queue, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append({"messageId": message["MessageId"], "body": message["Body"]})
            sqs.delete_message(QueueUrl=settings().plays_queue, ReceiptHandle=message["ReceiptHandle"])
    return found


def consume(records: list[dict[str, str]]) -> list[str]:
    """Run the consumer on these records; the ids it reports failed."""
    response = plays_handler.handler({"Records": [_sqs_record(r) for r in records]}, LambdaContext("plays-test"))
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def _sqs_record(record: dict[str, str]) -> dict[str, Any]:
    return {
        "messageId": record["messageId"],
        "receiptHandle": "handle",
        "body": record["body"],
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:plays",
        "awsRegion": "us-east-1",
    }


def play_count(song_id: str) -> int:
    return invoke(listener_event("Query", "song", {"id": song_id}))["playCount"]


@pytest.mark.parametrize(
    ("duration", "played_ms", "counted"),
    [
        (200, 29_999, False),  # a long song: 30 s is the shorter
        (200, 30_000, True),
        (40, 19_999, False),  # a short song: half of it is the shorter
        (40, 20_000, True),
        (60, 30_000, True),  # both rules meet at 30 s
        (60, 29_999, False),
    ],
)
def test_a_play_counts_after_30_seconds_or_half_the_song(
    aws: dict[str, str], duration: int, played_ms: int, counted: bool
) -> None:
    song_id = _song(duration)
    assert record(_play(song_id, played_ms)) is counted
    assert len(_queued()) == int(counted)
    assert len(invoke(listener_event("Query", "recentlyPlayed", {}))["items"]) == int(counted)


def test_a_retried_play_answers_the_same_and_is_counted_once(aws: dict[str, str]) -> None:
    song_id = _song()
    play = _play(song_id, 45_000)
    assert [record(play) for _ in range(3)] == [True, True, True]
    # Written with another offset, the same moment is the same play.
    moment = datetime.datetime.fromisoformat(play["startedAt"].replace("Z", "+00:00"))
    shifted = moment.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat(timespec="milliseconds")
    assert record({**play, "startedAt": shifted}) is True
    assert consume(_queued()) == []
    assert play_count(song_id) == 1
    assert record(play) is True
    assert _queued() == [], "a tallied play is not queued again"
    assert invoke(listener_event("Query", "song", {"id": song_id}, sub=str(uuid.uuid4())))["playCount"] == 1
    event = listener_event("Query", "song", {"id": song_id})
    assert invoke(
        [
            {
                **event,
                "source": {"id": song_id},
                "info": {**event["info"], "fieldName": "myPlayCount", "parentTypeName": "Song"},
            }
        ]
    ) == [1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"playedMs": 205_001}, "playedMs"),
        ({"playedMs": -1}, "playedMs"),
        ({"startedAt": "2026-13-01T00:00:00Z"}, "startedAt"),
        ({"startedAt": "2026-12-01T00:00:00"}, "startedAt"),  # no offset
        ({"device": ""}, "device"),
        ({"device": "x" * 101}, "device"),
        ({"device": "phone\x07"}, "device"),
        ({"songId": "not-an-id"}, "songId"),
    ],
)
def test_a_play_is_checked(aws: dict[str, str], change: dict[str, Any], message: str) -> None:
    song_id = _song(200)
    with pytest.raises(ValidationError, match=message):
        record({**_play(song_id, 60_000), **change})
    assert _queued() == []


def test_plays_are_checked_against_the_clock(aws: dict[str, str]) -> None:
    song_id = _song(200)
    assert record(_play(song_id, 205_000, started=_at(-50))) is True  # 50 s ahead: a clock a little fast
    with pytest.raises(ValidationError, match="minute"):
        record(_play(song_id, 60_000, started=_at(-90)))
    assert record(_play(song_id, 60_000, started=_at(29 * 86400))) is True
    with pytest.raises(ValidationError, match="30 days"):
        record(_play(song_id, 60_000, started=_at(30 * 86400 + 60)))


def test_only_ready_songs_that_exist_can_be_played(aws: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="READY"):
        record(_play(_song(None), 60_000))
    with pytest.raises(NotFoundError):
        record(_play(str(uuid.uuid4()), 60_000))


def test_counted_plays_of_one_listener_do_not_overlap(aws: dict[str, str]) -> None:
    first, second = _song(200), _song(200)
    base = datetime.datetime.now(datetime.UTC)
    assert record(_play(first, 100_000, started=_at(1000, base))) is True
    with pytest.raises(ValidationError, match="overlaps"):
        record(_play(second, 60_000, started=_at(950, base)))  # starts inside the first
    with pytest.raises(ValidationError, match="overlaps"):
        record(_play(second, 60_000, started=_at(1030, base)))  # ends inside the first
    assert record(_play(second, 10_000, started=_at(950, base))) is False, "a play that does not count is no overlap"
    assert record(_play(second, 60_000, started=_at(1000 - 100, base))) is True, "starts as the first ends"
    assert record(_play(first, 100_000, started=_at(1000, base))) is True, "a retry is no overlap"
    assert record(_play(second, 60_000, started=_at(1000, base)), sub=str(uuid.uuid4())) is True, "another listener"


def test_history_is_newest_first_and_pages(aws: dict[str, str]) -> None:
    songs = [_song(200) for _ in range(5)]
    for n, song_id in enumerate(songs):
        record(_play(song_id, 60_000, started=_at(10_000 - 1000 * n), device=f"device {n}"))
    seen: list[dict[str, Any]] = []
    token = None
    while True:
        page = invoke(listener_event("Query", "recentlyPlayed", {"limit": 2, "nextToken": token}))
        seen += page["items"]
        token = page["nextToken"]
        if not token:
            break
    assert [p["songId"] for p in seen] == songs[::-1]
    assert [p["device"] for p in seen] == [f"device {n}" for n in range(4, -1, -1)]
    assert invoke(listener_event("Query", "recentlyPlayed", {}, sub=str(uuid.uuid4())))["items"] == []
    with pytest.raises(ValidationError, match="nextToken"):
        invoke(listener_event("Query", "recentlyPlayed", {"nextToken": "bm90LW91cnM"}))


def test_record_plays_checks_all_before_keeping_any(aws: dict[str, str]) -> None:
    song_id = _song(200)
    good = _play(song_id, 60_000, started=_at(5000))
    overlapping = _play(song_id, 60_000, started=_at(4970))
    with pytest.raises(ValidationError, match="overlap"):
        invoke(listener_event("Mutation", "recordPlays", {"plays": [good, overlapping]}))
    with pytest.raises(ValidationError, match="plays"):
        invoke(listener_event("Mutation", "recordPlays", {"plays": [good] * 51}))
    assert invoke(listener_event("Query", "recentlyPlayed", {}))["items"] == []
    assert _queued() == []
    short = _play(song_id, 1_000, started=_at(3000))
    answers = invoke(listener_event("Mutation", "recordPlays", {"plays": [good, short, good]}))
    assert answers == [{"counted": True}, {"counted": False}, {"counted": True}]
    (message,) = _queued()
    assert consume([message]) == []
    assert play_count(song_id) == 1


def _stored_plays(count: int, songs: list[str]) -> list[dict[str, str]]:
    """`count` counted plays spread over `songs` by different listeners; their queued messages."""
    for n in range(count):
        assert record(_play(songs[n % len(songs)], 60_000), sub=str(uuid.uuid4()))
    return _queued()


def test_the_consumer_counts_duplicates_and_redeliveries_once(aws: dict[str, str]) -> None:
    songs = [_song(200) for _ in range(3)]
    messages = _stored_plays(9, songs)
    doubled = [*messages, {"messageId": "again", "body": messages[0]["body"]}]
    assert consume(doubled) == []
    assert [play_count(s) for s in songs] == [3, 3, 3]
    assert consume(messages) == [], "a redelivered batch succeeds"
    assert [play_count(s) for s in songs] == [3, 3, 3], "and adds nothing"


def test_a_poison_record_fails_alone(aws: dict[str, str]) -> None:
    song_id = _song(200)
    (message,) = _stored_plays(1, [song_id])
    poison = [
        {"messageId": "junk", "body": "{not json"},
        {"messageId": "empty", "body": json.dumps({"plays": []})},
        {"messageId": "forged", "body": json.dumps({"plays": [{"userId": "x", "songId": song_id, "startedAt": "y"}]})},
    ]
    assert sorted(consume([*poison, message])) == ["empty", "forged", "junk"]
    assert play_count(song_id) == 1


def test_a_play_never_stored_or_of_a_deleted_song_is_not_counted(aws: dict[str, str]) -> None:
    kept, deleted = _song(200), _song(200)
    messages = _stored_plays(2, [kept, deleted])
    invoke(appsync_event("Mutation", "deleteSong", {"id": deleted}))
    forged = {"userId": str(uuid.uuid4()), "songId": kept, "startedAt": _at(50)}
    assert consume([*messages, {"messageId": "forged", "body": json.dumps({"plays": [forged]})}]) == []
    assert play_count(kept) == 1
    assert invoke(appsync_event("Query", "song", {"id": deleted})) is None


def test_a_big_batch_is_cut_into_transactions_of_at_most_100_actions(aws: dict[str, str]) -> None:
    plays = [play_counts.QueuedPlay(str(uuid.uuid4()), f"song-{n % 7}", _at(n)) for n in range(500)]
    chunks = play_counts.chunks(plays)
    assert sorted(p for chunk in chunks for p in chunk) == sorted(plays)
    for chunk in chunks:
        actions = len(chunk) + len({p.song_id for p in chunk}) + len({(p.song_id, p.day) for p in chunk})
        assert actions <= play_counts.TRANSACTION_ACTIONS
    assert len(chunks) <= 500 // (100 - 14) + 1, "a song is updated once per transaction, not once per play"


def test_a_play_stored_meanwhile_by_another_device_is_checked_against(
    aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Device A checks its play, device B's overlapping play lands before A writes: A's write
    finds the listener's history moved, checks again, and is refused; only B's play is kept."""
    song, other = _song(200), _song(200)
    write = plays_data.write_play
    raced: list[bool] = []

    def b_lands_first(play: dict[str, Any], expires_at: int, version: int) -> Any:
        if not raced:
            raced.append(True)
            assert record(_play(other, 60_000, _at(3590), device="laptop"))
        return write(play, expires_at, version)

    monkeypatch.setattr(plays_data, "write_play", b_lands_first)
    with pytest.raises(ValidationError, match="overlaps"):
        record(_play(song, 60_000, _at(3600), device="phone"))
    history = invoke(listener_event("Query", "recentlyPlayed", {}))["items"]
    assert [(p["songId"], p["device"]) for p in history] == [(other, "laptop")]
    assert record(_play(song, 60_000, _at(3000), device="phone")), "a play after B's is counted"
