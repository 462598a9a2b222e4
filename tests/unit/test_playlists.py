"""Playlists through the API handler: ordered keys, rebalancing a used-up gap, exact counts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from emulator.lambdas import LambdaContext
from resolvers import playlists, positions
from resolvers.data import playlists as playlists_data
from resolvers.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from resolvers.handlers import cleanup
from resolvers.settings import settings
from tests.media_stand_in import mark_ready
from tests.unit.conftest import appsync_event, invoke, listener_event

pytestmark = pytest.mark.usefixtures("aws")

ANNA = str(uuid.uuid4())


def call(field: str, **arguments: Any) -> Any:
    type_name = "Query" if field in ("playlist", "myPlaylists") else "Mutation"
    return invoke(listener_event(type_name, field, arguments, sub=ANNA))


def order(playlist_id: str) -> list[str]:
    event = listener_event("Playlist", "entries", {"limit": 100}, sub=ANNA)
    event["source"] = call("playlist", id=playlist_id)
    (page,) = invoke([event])
    return [entry["song"]["title"] for entry in page["items"]]


@pytest.fixture
def songs() -> dict[str, str]:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Nina Vale"}}))
    made = {}
    for title in "ABCD":
        song = invoke(
            appsync_event(
                "Mutation", "createSong", {"input": {"title": title, "artistId": artist["id"], "genre": "jazz"}}
            )
        )
        mark_ready(song["id"])
        made[title] = song["id"]
    return made


def test_between_keeps_order_and_says_when_a_gap_is_used_up() -> None:
    assert positions.between(None, None, 2) == [positions.MIDDLE, positions.MIDDLE + positions.STEP]
    low, high = 10, 20
    placed = positions.between(low, high, 3)
    assert placed is not None and low < placed[0] < placed[1] < placed[2] < high
    assert positions.between(10, 13, 3) is None
    assert positions.between(None, 5, 2) == [1, 3]  # below the first, when STEP does not fit
    assert positions.encode(5) < positions.encode(40) and len(positions.encode(5)) == positions.WIDTH


def test_inserting_at_one_spot_until_the_gap_is_used_up_rebalances(
    songs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(positions, "STEP", 8)  # a gap of 8 is used up after three halvings
    playlist = call("createPlaylist", input={"name": "Tight"})
    call("addToPlaylist", playlistId=playlist["id"], songIds=[songs["A"], songs["D"]])
    first = call("playlist", id=playlist["id"])
    event = listener_event("Playlist", "entries", {}, sub=ANNA)
    event["source"] = first
    (page,) = invoke([event])
    a_entry = page["items"][0]["id"]
    for title in "CBBB":
        call("addToPlaylist", playlistId=playlist["id"], songIds=[songs[title]], afterEntryId=a_entry)
    assert order(playlist["id"]) == ["A", "B", "B", "B", "C", "D"]
    assert call("playlist", id=playlist["id"])["songCount"] == 6


def test_only_the_owner_changes_and_errors_are_typed(songs: dict[str, str]) -> None:
    playlist = call("createPlaylist", input={"name": "Mine", "visibility": "PUBLIC"})
    other = listener_event("Mutation", "addToPlaylist", {"playlistId": playlist["id"], "songIds": [songs["A"]]})
    with pytest.raises(UnauthorizedError, match="Only the owner"):
        invoke(other)
    with pytest.raises(NotFoundError):
        call("addToPlaylist", playlistId=playlist["id"], songIds=[str(uuid.uuid4())])
    with pytest.raises(ValidationError):
        call("createPlaylist", input={"name": "x" * 201})
    with pytest.raises(ValidationError):
        call("createPlaylist", input={"name": "Fine", "visibility": "SECRET"})


def test_the_entry_limit_is_kept(songs: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playlists, "MAX_ENTRIES", 3)
    playlist = call("createPlaylist", input={"name": "Small"})
    call("addToPlaylist", playlistId=playlist["id"], songIds=[songs["A"], songs["B"]])
    with pytest.raises(ConflictError):
        call("addToPlaylist", playlistId=playlist["id"], songIds=[songs["C"], songs["D"]])
    assert call("playlist", id=playlist["id"])["songCount"] == 2


def _cleanup_event(body: str) -> dict[str, Any]:
    record = {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "r",
        "body": body,
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:cleanup",
        "awsRegion": "us-east-1",
    }
    return {"Records": [record]}


def test_a_deleted_playlists_entries_go_with_the_cleanup_even_when_redelivered(
    songs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIA_BUCKET", "media-test")
    settings.cache_clear()
    playlist = call("createPlaylist", input={"name": "Gone"})
    call("addToPlaylist", playlistId=playlist["id"], songIds=list(songs.values()))
    assert call("deletePlaylist", id=playlist["id"]) == playlist["id"]
    with pytest.raises(NotFoundError):
        call("playlist", id=playlist["id"])
    body = json.dumps({"kind": "PLAYLIST", "id": playlist["id"]})
    for _ in range(2):  # SQS delivers at least once
        assert cleanup.handler(_cleanup_event(body), LambdaContext("cleanup"))["batchItemFailures"] == []
    assert playlists_data.all_entries(playlist["id"]) == []
    assert playlists_data.forget_entries(playlist["id"]) == 0


def test_a_smart_playlist_keeps_a_fractional_minimum_rating(songs: dict[str, str]) -> None:
    for song_id, stars in zip(songs.values(), (5, 4, 3, 1), strict=True):
        invoke(listener_event("Mutation", "rateSong", {"songId": song_id, "stars": stars}, sub=ANNA))
    made = call("createSmartPlaylist", input={"name": "Good", "rules": {"minRating": 3.5, "sort": "TOP_RATED"}})
    assert made["rules"]["minRating"] == 3.5 and made["songCount"] == 2
    assert call("playlist", id=made["id"])["rules"]["minRating"] == 3.5
    assert order(made["id"]) == ["A", "B"]
