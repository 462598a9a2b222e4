"""The play queue through the API handler on in-process moto: the version rule, the checks, songs
position for position, and the subscription's owner filter."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from emulator import filters
from resolvers.errors import ConflictError, UnauthorizedError, ValidationError
from tests.unit.conftest import LISTENER_SUB, appsync_event, invoke, listener_event

pytestmark = pytest.mark.usefixtures("aws")

OTHER_SUB = str(uuid.uuid4())
SONGS = [str(uuid.uuid4()) for _ in range(3)]


def queue(
    song_ids: list[str] = SONGS, index: int = 1, position: int = 42_000, device: str = "phone", **more: Any
) -> dict[str, Any]:
    return {"songIds": song_ids, "currentIndex": index, "positionMs": position, "device": device, **more}


def save(entry: dict[str, Any], sub: str = LISTENER_SUB, selected: tuple[str, ...] = ()) -> dict[str, Any]:
    event = listener_event("Mutation", "savePlayQueue", {"input": entry}, sub=sub)
    event["info"]["selectionSetList"] = list(selected)
    return invoke(event)


def stored(sub: str = LISTENER_SUB, selected: tuple[str, ...] = ()) -> dict[str, Any] | None:
    event = listener_event("Query", "playQueue", sub=sub)
    event["info"]["selectionSetList"] = list(selected)
    return invoke(event)


def test_versions_start_at_1_and_each_save_must_name_the_one_it_replaces() -> None:
    assert stored() is None
    first = save(queue())
    assert {k: first[k] for k in ("ownerId", "songIds", "currentIndex", "positionMs", "device", "version")} == {
        "ownerId": LISTENER_SUB,
        "songIds": SONGS,
        "currentIndex": 1,
        "positionMs": 42_000,
        "device": "phone",
        "version": 1,
    }
    assert first["updatedAt"].endswith("Z")
    assert stored() == first
    second = save(queue(index=2, position=0, device="laptop", expectedVersion=1))
    assert (second["version"], second["device"]) == (2, "laptop")
    with pytest.raises(ConflictError, match=r"changed since version 1 \(now version 2, saved from 'laptop'"):
        save(queue(device="car", expectedVersion=1))
    with pytest.raises(ConflictError, match="saved already"):
        save(queue(device="car"))
    assert stored() == second, "a refused save changes nothing"


def test_a_version_ahead_or_without_a_queue_is_a_conflict_too() -> None:
    with pytest.raises(ConflictError, match="No play queue is saved yet"):
        save(queue(expectedVersion=1))
    assert stored() is None
    save(queue())
    with pytest.raises(ConflictError, match="changed since version 5"):
        save(queue(expectedVersion=5))


def test_each_listener_has_a_queue_of_their_own() -> None:
    save(queue())
    assert stored(OTHER_SUB) is None
    mine = save(queue(song_ids=SONGS[:1], index=0), sub=OTHER_SUB)
    assert mine["version"] == 1 and mine["ownerId"] == OTHER_SUB
    assert stored()["songIds"] == SONGS


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (queue(song_ids=[str(uuid.uuid4()) for _ in range(501)], index=0), "songIds: at most 500 songs, not 501"),
        (queue(index=3), "currentIndex: must be a whole number from 0 to 2"),
        (queue(index=-1), "currentIndex: must be a whole number from 0 to 2"),
        (queue(song_ids=[], index=1), "currentIndex: must be a whole number from 0 to 0"),
        (queue(position=-1), "positionMs: must be a whole number from 0 to 86400000"),
        (queue(position=86_400_001), "positionMs: must be a whole number from 0 to 86400000"),
        (queue(device="x" * 101), "device: at most 100 characters"),
        (queue(device="phone\nlaptop"), "device: must be a single line"),
        (queue(device="  "), "device: must not be empty"),
        (queue(song_ids=[*SONGS[:2], "SONG#x"]), "songIds: not a valid id"),
        (queue(expectedVersion=0), "expectedVersion: must be a whole number from 1"),
    ],
    ids=[
        "501-songs",
        "index-past-end",
        "index-negative",
        "index-in-empty",
        "position-negative",
        "position-past-a-day",
        "device-long",
        "device-two-lines",
        "device-blank",
        "id-not-an-id",
        "version-0",
    ],
)
def test_checks_refuse_a_save_before_anything_is_written(entry: dict[str, Any], why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        save(entry)
    assert stored() is None


def test_an_empty_queue_at_index_0_and_500_songs_are_saved() -> None:
    assert save(queue(song_ids=[], index=0, position=0))["songIds"] == []
    many = [str(uuid.uuid4()) for _ in range(500)]
    assert save(queue(song_ids=many, index=499, expectedVersion=1))["currentIndex"] == 499
    assert stored()["songIds"] == many


def test_songs_stay_aligned_with_song_ids_and_a_deleted_one_is_null() -> None:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Nina Vale"}}))
    kept, gone = (
        invoke(
            appsync_event("Mutation", "createSong", {"input": {"title": t, "artistId": artist["id"], "genre": "jazz"}})
        )
        for t in ("Tram", "Gone")
    )
    song_ids = [kept["id"], gone["id"], kept["id"]]
    saved = save(queue(song_ids=song_ids, index=2), selected=("version", "songs", "songs/title"))
    assert [song["title"] for song in saved["songs"]] == ["Tram", "Gone", "Tram"]
    invoke(appsync_event("Mutation", "deleteSong", {"id": gone["id"]}))
    resumed = stored(selected=("songs", "songs/id"))
    assert [song and song["id"] for song in resumed["songs"]] == [kept["id"], None, kept["id"]]
    assert resumed["songIds"] == song_ids, "the queue resumes as saved"
    assert "songs" not in stored(), "read only when selected"


def test_the_subscription_filter_matches_the_subscribers_own_saves_only() -> None:
    spec = filters.check(invoke(listener_event("Subscription", "onPlayQueueChanged")))
    assert filters.matches(spec, save(queue()))
    assert not filters.matches(spec, save(queue(), sub=OTHER_SUB))
    assert not filters.matches(spec, {"version": 1}), "a save that did not select ownerId reaches nobody"


def test_a_guest_has_no_queue() -> None:
    for type_name, field, arguments in (
        ("Query", "playQueue", {}),
        ("Mutation", "savePlayQueue", {"input": queue()}),
        ("Subscription", "onPlayQueueChanged", {}),
    ):
        with pytest.raises(UnauthorizedError):
            invoke(appsync_event(type_name, field, arguments, groups=None))
