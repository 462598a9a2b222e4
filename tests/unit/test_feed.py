"""The feed through the API handler and the feed function: sources, reasons, order, pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from emulator.events import sqs_event
from emulator.lambdas import LambdaContext
from resolvers import feed
from resolvers.clock import now_iso
from resolvers.data import feed as feed_data
from resolvers.data import inbox as inbox_data
from resolvers.errors import UnauthorizedError, ValidationError
from resolvers.handlers import feed as feed_function
from tests.media_stand_in import mark_ready
from tests.unit.conftest import add_profile, appsync_event, invoke, listener_event
from tests.unit.test_plays import _at, _play, _queued, consume, record

pytestmark = pytest.mark.usefixtures("aws")

ANNA, BEN = (str(uuid.uuid4()) for _ in range(2))


def add_song(artist_id: str, title: str, genre: str, *, ready: bool = True) -> dict[str, Any]:
    song = invoke(
        appsync_event("Mutation", "createSong", {"input": {"title": title, "artistId": artist_id, "genre": genre}})
    )
    if ready:
        mark_ready(song["id"])
    return song


def add_artist(name: str) -> str:
    return invoke(appsync_event("Mutation", "createArtist", {"input": {"name": name}}))["id"]


def read_feed(sub: str, **arguments: Any) -> dict[str, Any]:
    return invoke(listener_event("Query", "feed", arguments, sub=sub))


def rate(sub: str, song: dict[str, Any], stars: int) -> None:
    invoke(listener_event("Mutation", "rateSong", {"songId": song["id"], "stars": stars}, sub=sub))


def run_feed_function() -> int:
    """Deliver what is queued for the feed function, as the SQS event source would; returns the messages."""
    sqs = boto3.client("sqs")
    queue = sqs.get_queue_url(QueueName="feed")["QueueUrl"]
    delivered = 0
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for m in messages:
            m.setdefault("MD5OfBody", "")
        result = feed_function.handler(sqs_event("arn:aws:sqs:us-east-1:123456789012:feed", messages), ctx())
        assert result == {"batchItemFailures": []}
        sqs.delete_message_batch(
            QueueUrl=queue,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
        )
        delivered += len(messages)
    return delivered


def ctx() -> LambdaContext:
    return LambdaContext("feed")


@pytest.fixture
def catalog() -> dict[str, list[dict[str, Any]]]:
    """Six jazz songs by two artists, three rock and two blues songs, and one jazz draft."""
    nina, oscar, rocky, bluey = (add_artist(n) for n in ("Nina Vale", "Oscar Mbeki", "Rocky Lane", "Bluey Hart"))
    jazz = [add_song(nina if n < 3 else oscar, f"Jazz {n}", "jazz") for n in range(6)]
    rock = [add_song(rocky, f"Rock {n}", "rock") for n in range(3)]
    blues = [add_song(bluey, f"Blues {n}", "blues") for n in range(2)]
    draft = add_song(nina, "Unfinished", "jazz", ready=False)
    for sub in (ANNA, BEN):
        add_profile(sub, f"{sub[:8]}@example.com")
    return {"jazz": jazz, "rock": rock, "blues": blues, "draft": [draft]}


def ids(page: dict[str, Any]) -> list[str]:
    return [item["song"]["id"] for item in page["items"]]


def test_a_new_listener_gets_popular_and_new_songs_and_a_refresh_is_queued(catalog: dict) -> None:
    page = read_feed(ANNA, limit=100)
    playable = {s["id"] for kind in ("jazz", "rock", "blues") for s in catalog[kind]}
    assert set(ids(page)) == playable, "every READY song, no draft"
    assert {item["source"] for item in page["items"]} <= {"POPULAR", "NEW_IN_CATALOG"}
    assert all(item["reason"].startswith(("New in ", "Popular in ")) for item in page["items"])
    assert run_feed_function() == 1
    assert feed_data.get_feed(ANNA) is not None


def test_rating_three_jazz_songs_lifts_the_other_jazz_songs_with_a_reason(catalog: dict) -> None:
    rock_before = read_feed(ANNA, limit=100)
    jazz = catalog["jazz"]
    for song in jazz[:3]:
        rate(ANNA, song, 5)
    run_feed_function()
    page = read_feed(ANNA, limit=100)
    rated = {s["id"] for s in jazz[:3]}
    assert not rated & set(ids(page)), "never a song the listener rated"
    top = page["items"][:3]
    assert {item["song"]["id"] for item in top} == {s["id"] for s in jazz[3:]}
    titles = {f"Because you rated {s['title']} 5 stars" for s in jazz[:3]}
    assert all(item["source"] == "TASTE" and item["reason"] in titles for item in top)
    positions_before = {song_id: n for n, song_id in enumerate(ids(rock_before))}
    positions_after = {song_id: n for n, song_id in enumerate(ids(page))}
    assert all(positions_after[s["id"]] <= positions_before[s["id"]] for s in jazz[3:])


def test_songs_liked_by_listeners_who_rate_alike(catalog: dict) -> None:
    shared, rock, blues = catalog["jazz"][0], catalog["rock"][0], catalog["blues"][0]
    for song in (shared, rock, blues):
        rate(BEN, song, 5)
    rate(ANNA, shared, 5)
    run_feed_function()
    by_song = {item["song"]["id"]: item for item in read_feed(ANNA, limit=100)["items"]}
    for song in (rock, blues):
        assert by_song[song["id"]]["source"] == "SIMILAR_LISTENERS"
        assert by_song[song["id"]]["reason"] == f"Liked by listeners who like {shared['title']}"


def test_follows_bring_new_releases_first(catalog: dict) -> None:
    rocky = catalog["rock"][0]["artistId"]
    invoke(listener_event("Mutation", "follow", {"input": {"artistId": rocky}}, sub=ANNA))
    run_feed_function()
    page = read_feed(ANNA, limit=3)
    assert set(ids(page)) == {s["id"] for s in catalog["rock"]}, "the followed artist's newest songs first"
    assert {item["reason"] for item in page["items"]} == {"New from Rocky Lane"}
    # A release after the computation reaches the feed through the inbox the fan-out writes.
    fresh = add_song(rocky, "Rock Fresh", "rock")
    inbox_data.put_notifications(
        [ANNA],
        {
            "id": str(uuid.uuid4()),
            "kind": "SONG",
            "contentId": fresh["id"],
            "artistId": rocky,
            "albumId": None,
            "title": fresh["title"],
            "artistName": "Rocky Lane",
            "genre": "rock",
            "publishedAt": now_iso(),
        },
        expires_at=2_000_000_000,
    )
    releases = read_feed(ANNA, limit=4)["items"]
    assert fresh["id"] in {item["song"]["id"] for item in releases}
    assert {(item["source"], item["reason"]) for item in releases} == {("NEW_RELEASE", "New from Rocky Lane")}


def test_pages_cover_the_feed_once_in_order(catalog: dict) -> None:
    rate(ANNA, catalog["jazz"][0], 4)
    run_feed_function()
    whole = ids(read_feed(ANNA, limit=100))
    seen: list[str] = []
    token = None
    while True:
        page = read_feed(ANNA, limit=3, nextToken=token)
        seen += ids(page)
        token = page["nextToken"]
        if token is None:
            break
    assert seen == whole
    assert len(whole) == 10, "eleven playable songs, one rated"


@pytest.mark.parametrize("token", ["nope", "WzEsMl0", "W1siYSJdLCAiYiJd", "WzIwMDAwMDAsICJ4Il0"])
def test_foreign_tokens_are_validation_errors(catalog: dict, token: str) -> None:
    with pytest.raises(ValidationError, match="nextToken"):
        read_feed(ANNA, nextToken=token)


def test_a_refresh_skips_changes_an_earlier_computation_saw(catalog: dict) -> None:
    changed = now_iso()
    assert feed.refresh(ANNA, changed) is True
    assert feed.refresh(ANNA, changed) is False
    assert feed.refresh(ANNA, now_iso()) is True


def test_a_malformed_change_fails_alone() -> None:
    good = {"userId": ANNA, "changedAt": now_iso()}
    messages = [
        {"MessageId": str(n), "ReceiptHandle": "r", "Body": json.dumps(body), "MD5OfBody": ""}
        for n, body in enumerate([good, {"userId": "x"}, "junk"])
    ]
    result = feed_function.handler(sqs_event("arn:aws:sqs:us-east-1:123456789012:feed", messages), ctx())
    assert result == {"batchItemFailures": [{"itemIdentifier": "1"}, {"itemIdentifier": "2"}]}


def test_guests_have_no_feed() -> None:
    with pytest.raises(UnauthorizedError):
        invoke(appsync_event("Query", "feed", {}, groups=None))


def test_plays_bring_the_artists_a_listener_plays_most_and_make_songs_popular(catalog: dict) -> None:
    played, others, hit = catalog["rock"][0], catalog["rock"][1:], catalog["blues"][1]
    for song in (played, hit):
        mark_ready(song["id"], duration_seconds=200)
    for n in range(3):  # "often": three counted plays of Rocky Lane
        assert record(_play(played["id"], 60_000, _at(3600 - 200 * n)), sub=ANNA)
    for _ in range(4):
        assert record(_play(hit["id"], 60_000, _at(7200)), sub=str(uuid.uuid4()))
    assert consume(_queued()) == []
    rate(ANNA, catalog["jazz"][0], 2)  # any change of taste recomputes the picks; plays alone wait a day
    run_feed_function()
    items = read_feed(ANNA, limit=100)["items"]
    by_song = {item["song"]["id"]: item for item in items}
    for song in others:
        assert by_song[song["id"]]["source"] == "PLAYED"
        assert by_song[song["id"]]["reason"] == "Because you often play Rocky Lane"
    assert by_song[played["id"]]["source"] != "PLAYED", "what the listener already plays is not suggested as such"
    popular = [item["song"]["id"] for item in items if item["source"] == "POPULAR"]
    assert popular[0] == hit["id"], "the most played song of the last 30 days leads the popular ones"
    sources = [item["source"] for item in items]
    assert max(i for i, s in enumerate(sources) if s == "PLAYED") < min(
        i for i, s in enumerate(sources) if s == "POPULAR"
    )
