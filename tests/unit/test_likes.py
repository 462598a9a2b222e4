"""Likes through the API handler: one like per item, newest first, `liked` batched, errors typed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from resolvers import feed
from resolvers.errors import NotFoundError, ValidationError
from tests.media_stand_in import mark_ready
from tests.unit.conftest import appsync_event, invoke, listener_event

pytestmark = pytest.mark.usefixtures("aws")

ANNA, BEN = str(uuid.uuid4()), str(uuid.uuid4())


def like(user: str, **target: str) -> dict[str, Any]:
    return invoke(listener_event("Mutation", "like", {"input": target}, sub=user))


def my_likes(user: str, kind: str, with_items: bool = True, **page: Any) -> dict[str, Any]:
    event = listener_event("Query", "myLikes", {"kind": kind, **page}, sub=user)
    event["info"]["selectionSetList"] = ["items", "items/kind", "items/song", "items/song/title"] if with_items else []
    return invoke(event)


def item_count() -> int:
    return boto3.client("dynamodb").scan(TableName="music-test", Select="COUNT")["Count"]


@pytest.fixture
def catalog() -> dict[str, Any]:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Nina Vale"}}))
    songs = []
    for title in ("Tram", "Rain", "Dusk"):
        song = invoke(
            appsync_event(
                "Mutation", "createSong", {"input": {"title": title, "artistId": artist["id"], "genre": "jazz"}}
            )
        )
        mark_ready(song["id"])
        songs.append(song)
    return {"artist": artist, "songs": songs}


def test_likes_are_listed_newest_first_and_liking_twice_keeps_one(catalog: dict) -> None:
    for song in catalog["songs"]:
        like(ANNA, songId=song["id"])
    again = like(ANNA, songId=catalog["songs"][0]["id"])
    assert again["kind"] == "SONG" and again["song"]["title"] == "Tram"
    listed = my_likes(ANNA, "SONG")
    assert [one["song"]["title"] for one in listed["items"]] == ["Dusk", "Rain", "Tram"]
    first = my_likes(ANNA, "SONG", limit=2)
    rest = my_likes(ANNA, "SONG", limit=2, nextToken=first["nextToken"])
    assert [one["song"]["title"] for one in first["items"] + rest["items"]] == ["Dusk", "Rain", "Tram"]
    assert my_likes(BEN, "SONG")["items"] == []
    like(ANNA, artistId=catalog["artist"]["id"])
    assert [one["kind"] for one in my_likes(ANNA, "ARTIST", with_items=False)["items"]] == ["ARTIST"]


def test_liked_is_batch_resolved_per_caller(catalog: dict) -> None:
    like(ANNA, songId=catalog["songs"][1]["id"])
    events = []
    for user in (ANNA, BEN):
        for song in catalog["songs"]:
            event = listener_event("Song", "liked", sub=user)
            event["source"] = song
            events.append(event)
    assert invoke(events) == [False, True, False, False, False, False]


def test_unlike_and_bad_targets(catalog: dict) -> None:
    song_id = catalog["songs"][0]["id"]
    like(ANNA, songId=song_id)
    assert invoke(listener_event("Mutation", "unlike", {"input": {"songId": song_id}}, sub=ANNA)) is True
    assert invoke(listener_event("Mutation", "unlike", {"input": {"songId": song_id}}, sub=ANNA)) is False
    draft = invoke(
        appsync_event(
            "Mutation",
            "createSong",
            {"input": {"title": "Draft", "artistId": catalog["artist"]["id"], "genre": "jazz"}},
        )
    )
    before = item_count()
    with pytest.raises(NotFoundError):
        like(ANNA, songId=str(uuid.uuid4()))
    with pytest.raises(NotFoundError, match="READY"):
        like(ANNA, songId=draft["id"])
    with pytest.raises(ValidationError, match="exactly one"):
        like(ANNA, songId=song_id, artistId=catalog["artist"]["id"])
    with pytest.raises(ValidationError, match="not a valid id"):
        like(ANNA, albumId="not-an-id")
    assert item_count() == before, "nothing stored"


def test_a_liked_song_is_a_taste_signal_in_the_feed(catalog: dict) -> None:
    like(ANNA, songId=catalog["songs"][0]["id"])
    picks = feed.compute(ANNA, datetime.now(UTC))
    reasons = {entry.song_id: entry.reason for entry in picks if entry.source == "TASTE"}
    assert reasons.get(catalog["songs"][1]["id"]) == "Because you liked Tram"
    assert all(entry.source != "TASTE" for entry in feed.compute(BEN, datetime.now(UTC)))
