"""The feed over HTTP: a new listener's is never empty, and rating songs highly changes it, with reasons."""

from __future__ import annotations

import time
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, client, unique
from tests.integration.test_ratings import new_listener
from tests.media_stand_in import mark_ready_on_emulator

FEED = """query($limit: Int, $token: String) {
  feed(limit: $limit, nextToken: $token) { items { source reason song { id title genre artist { name } } } nextToken }
}"""
RATE = "mutation($s: ID!, $n: Int!) { rateSong(songId: $s, stars: $n) { stars } }"
REFRESH_CEILING = 20  # seconds for the feed function to pick up a change; it usually takes well under one


def ready_songs(local_api: Api, admin: Run, genre: str, count: int) -> list[dict[str, Any]]:
    """READY songs of a genre by one new artist."""
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique(f"Feed {genre}"))
    songs = []
    for n in range(count):
        song = admin(
            "mutation($a: ID!, $t: String!, $g: String!) { createSong(input: {title: $t, artistId: $a, genre: $g}) { id title } }",
            a=artist["createArtist"]["id"],
            t=unique(f"{genre} {n}"),
            g=genre,
        )["createSong"]
        mark_ready_on_emulator(local_api.config, song["id"])
        songs.append(song)
    return songs


@pytest.fixture
def jazz_songs(local_api: Api, admin: Run) -> list[dict[str, Any]]:
    """Six READY jazz songs, then three newer rock songs (ahead of them in a new listener's feed)."""
    local_api.local_only()
    jazz = ready_songs(local_api, admin, "jazz", 6)
    ready_songs(local_api, admin, "rock", 3)
    return jazz


def feed_ids(page: dict[str, Any]) -> list[str]:
    return [item["song"]["id"] for item in page["items"]]


def test_a_new_listener_has_a_feed_and_rating_jazz_lifts_jazz(local_api: Api, guest: Run, jazz_songs: list) -> None:
    listener = client(local_api.url, {"authorization": new_listener(local_api, guest)})
    cold = listener(FEED, limit=100)["feed"]
    assert cold["items"], "a new listener's feed is never empty while songs are playable"
    assert {item["source"] for item in cold["items"]} <= {"POPULAR", "NEW_IN_CATALOG"}

    liked, others = jazz_songs[:3], jazz_songs[3:]
    for song in liked:
        listener(RATE, s=song["id"], n=5)
    deadline = time.monotonic() + REFRESH_CEILING
    while True:
        page = listener(FEED, limit=100)["feed"]
        if any(item["source"] == "TASTE" for item in page["items"]) or time.monotonic() > deadline:
            break
        time.sleep(0.2)

    reasons = {f"Because you rated {song['title']} 5 stars" for song in liked}
    by_id = {item["song"]["id"]: item for item in page["items"]}
    for song in others:
        assert by_id[song["id"]]["source"] == "TASTE"
        assert by_id[song["id"]]["reason"] in reasons
    assert not {song["id"] for song in liked} & set(by_id), "never a song the listener rated"
    sources = [item["source"] for item in page["items"]]
    assert sources.index("TASTE") < min(
        (sources.index(s) for s in ("POPULAR", "NEW_IN_CATALOG") if s in sources), default=len(sources)
    )
    taste = [item for item in page["items"] if item["source"] == "TASTE"]
    assert all(item["song"]["genre"] == "jazz" for item in taste)

    # Before: newer rock songs came first. After: the jazz songs not rated come before any rock song.
    def first_rock(items: list[dict[str, Any]]) -> int:
        return next((n for n, item in enumerate(items) if item["song"]["genre"] == "rock"), len(items))

    cold_ids, ids = feed_ids(cold), feed_ids(page)
    assert any(cold_ids.index(song["id"]) > first_rock(cold["items"]) for song in others)
    assert all(ids.index(song["id"]) < first_rock(page["items"]) for song in others), "the jazz songs rose"


def test_feed_pages_do_not_repeat(local_api: Api, listener: Run, jazz_songs: list) -> None:
    whole = feed_ids(listener(FEED, limit=100)["feed"])
    seen: list[str] = []
    token = None
    for _ in range(100):
        page = listener(FEED, limit=7, token=token)["feed"]
        seen += feed_ids(page)
        token = page["nextToken"]
        if token is None:
            break
    assert len(seen) == len(set(seen))
    assert seen[: len(whole)] == whole[: len(seen)]


def test_feed_errors_are_typed(guest: Run, listener: Run) -> None:
    with pytest.raises(TransportQueryError) as raised:
        listener(FEED, token="not-a-token")
    assert raised.value.errors[0]["errorType"] == "ValidationError"
    with pytest.raises(TransportQueryError) as raised:
        guest(FEED)
    assert raised.value.errors[0]["errorType"] == "Unauthorized"
