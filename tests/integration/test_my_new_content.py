"""onMyNewContent end to end: one subscription for everything a listener follows, through the
enhanced filter its Lambda returns, over both websocket protocols; follows invalidate it.

Releases are made as the media pipeline makes them (tests/integration/stand_in_media.py)
and reach subscribers through the fan-out's `publishNewContent`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError

from resolvers.genres import GENRES
from tests.integration.conftest import Api, Run, unique
from tests.integration.stand_in_media import release_song
from tests.integration.test_new_content import Listener, appsync_ws, new_listener, subscriptions, transport_ws

ON_MY_NEW_CONTENT = "subscription { onMyNewContent { eventId id artistId genre title audiences } }"
FOLLOW = "mutation($i: FollowInput!) { follow(input: $i) { followedAt } }"
UNFOLLOW = "mutation($i: FollowInput!) { unfollow(input: $i) }"
DEADLINE_SECONDS = 20.0  # how long a test waits for something to happen before it fails


@dataclass
class Listening:
    """One open subscription: what it received, and whether and how it ended."""

    events: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task | None = None
    error: BaseException | None = None

    @property
    def ended(self) -> bool:
        return self.task is not None and self.task.done()

    def ids(self) -> set[str]:
        return {event["id"] for event in self.events}


async def _listen(transport: Any, listening: Listening, document: str = ON_MY_NEW_CONTENT) -> None:
    field_name = document.split("{", 2)[1].split(maxsplit=1)[0]  # `subscription { field { ... } }`
    try:
        async with Client(transport=transport) as session:
            async for result in session.subscribe(GraphQLRequest(document)):
                listening.events.append(result[field_name])
    except Exception as error:
        listening.error = error


def sub_of(who: Listener) -> str:
    """The listener's user id, from the token's claims (the emulator lists subscribers by it)."""
    claims = who.token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"]


def open_subscriptions(local_api: Api, who: Listener, field_name: str = "onMyNewContent") -> int:
    mine = f"user {sub_of(who)}"
    return sum(1 for s in subscriptions(local_api) if s["field"] == field_name and s["subscriber"] == mine)


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {DEADLINE_SECONDS:.0f} s")
        await asyncio.sleep(0.05)


async def subscribe(
    local_api: Api, who: Listener, transports: list[Any], document: str = ON_MY_NEW_CONTENT
) -> list[Listening]:
    """Open one subscription (to `document`) per transport, and wait until the emulator has registered them all."""
    field_name = document.split("{", 2)[1].split(maxsplit=1)[0]
    before = await asyncio.to_thread(open_subscriptions, local_api, who, field_name)
    opened = []
    for transport in transports:
        listening = Listening()
        listening.task = asyncio.create_task(_listen(transport, listening, document))
        opened.append(listening)
    expected = before + len(transports)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while await asyncio.to_thread(open_subscriptions, local_api, who, field_name) < expected:
        failed = [listening.error for listening in opened if listening.error]
        assert not failed, f"subscribing failed: {failed}"
        assert time.monotonic() < deadline, "the subscriptions were not registered in time"
        await asyncio.sleep(0.05)
    return opened


async def stop(opened: list[Listening]) -> None:
    for listening in opened:
        if listening.task:
            listening.task.cancel()
    await asyncio.gather(*(listening.task for listening in opened if listening.task), return_exceptions=True)


def both_protocols(local_api: Api, who: Listener) -> list[Any]:
    return [transport_ws(local_api, {"Authorization": who.token}), appsync_ws(local_api, who.token)]


@pytest.fixture
def fan(local_api: Api, guest: Run) -> Listener:
    local_api.local_only()  # releases go through the emulator's queue
    return new_listener(local_api, guest)


def new_artist(admin: Run, name: str = "Band") -> str:
    """A new artist with a unique name."""
    created = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique(name))
    return created["createArtist"]["id"]


def new_song(admin: Run, artist_id: str, genre: str) -> str:
    song = admin(
        "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
        i={"title": unique("Track"), "artistId": artist_id, "genre": genre},
    )
    return song["createSong"]["id"]


def release(local_api: Api, song_id: str) -> None:
    release_song(local_api.config["awsEndpoint"], song_id)


def test_a_listener_gets_releases_of_the_artists_and_genres_they_follow_and_no_other(
    local_api: Api, admin: Run, fan: Listener
) -> None:
    followed, by_genre, unrelated = new_artist(admin, "Followed"), new_artist(admin), new_artist(admin)
    fan.run(FOLLOW, i={"artistId": followed})
    fan.run(FOLLOW, i={"genre": "blues"})
    by_artist_song = new_song(admin, followed, "latin")  # matches through the artist only
    in_genre_song = new_song(admin, by_genre, "blues")  # through the genre only
    unrelated_song = new_song(admin, unrelated, "latin")  # through neither

    async def scenario() -> list[Listening]:
        opened = await subscribe(local_api, fan, both_protocols(local_api, fan))
        try:
            for song_id in (unrelated_song, by_artist_song, in_genre_song):
                await asyncio.to_thread(release, local_api, song_id)
            await until(lambda: all(len(listening.events) >= 2 for listening in opened), "both releases arrive")
            await asyncio.sleep(0.3)  # room for a stray event to show up
            return opened
        finally:
            await stop(opened)

    for listening in asyncio.run(scenario()):
        assert listening.error is None
        assert listening.ids() == {by_artist_song, in_genre_song}, "each once, and not the unrelated release"
        (by_artist,) = [e for e in listening.events if e["id"] == by_artist_song]
        assert by_artist["audiences"] == [f"ARTIST#{followed}", "GENRE#latin"]


def test_a_listener_following_25_artists_gets_a_release_of_the_25th(local_api: Api, admin: Run, fan: Listener) -> None:
    artists = [new_artist(admin, f"Band {n}") for n in range(25)]
    for artist_id in artists:  # in order: the 25th follow lands in the second filter group
        fan.run(FOLLOW, i={"artistId": artist_id})
    last_song, other_song = new_song(admin, artists[-1], "metal"), new_song(admin, new_artist(admin), "metal")

    async def scenario() -> Listening:
        (listening,) = await subscribe(local_api, fan, [appsync_ws(local_api, fan.token)])
        try:
            await asyncio.to_thread(release, local_api, other_song)
            await asyncio.to_thread(release, local_api, last_song)
            await until(lambda: bool(listening.events), "the 25th artist's release arrives")
            await asyncio.sleep(0.3)
            return listening
        finally:
            await stop([listening])

    listening = asyncio.run(scenario())
    assert listening.ids() == {last_song}


def test_following_invalidates_the_subscription_and_a_resubscribe_gets_the_new_artist(
    local_api: Api, admin: Run, guest: Run, fan: Listener
) -> None:
    first, second = new_artist(admin, "First"), new_artist(admin, "Second")
    fan.run(FOLLOW, i={"artistId": first})
    bystander = new_listener(local_api, guest)
    bystander.run(FOLLOW, i={"artistId": second})
    song = new_song(admin, second, "folk")

    async def scenario() -> tuple[list[Listening], Listening, Listening]:
        before = await subscribe(local_api, fan, both_protocols(local_api, fan))
        (other,) = await subscribe(local_api, bystander, [transport_ws(local_api, {"Authorization": bystander.token})])
        try:
            await asyncio.to_thread(fan.run, FOLLOW, i={"artistId": second})
            await until(lambda: all(listening.ended for listening in before), "follow ends both subscriptions")
            assert not other.ended, "another listener's subscription stays open"
            (after,) = await subscribe(local_api, fan, [appsync_ws(local_api, fan.token)])
            await asyncio.to_thread(release, local_api, song)
            await until(lambda: bool(after.events) and bool(other.events), "the release arrives")
            await asyncio.to_thread(fan.run, UNFOLLOW, i={"artistId": first})
            await until(lambda: after.ended, "unfollow ends the subscription too")
            return before, after, other
        finally:
            await stop([*before, other])

    before, after, other = asyncio.run(scenario())
    for listening in before:
        assert (listening.error, listening.events) == (None, []), "ended cleanly: complete, not an error"
    assert after.ids() == other.ids() == {song}
    assert open_subscriptions(local_api, fan) == 0


def test_past_appsyncs_filter_limits_subscribing_fails_naming_the_limit(
    local_api: Api, admin: Run, fan: Listener
) -> None:
    for genre_id in GENRES:
        fan.run(FOLLOW, i={"genre": genre_id})
    for n in range(200 - len(GENRES)):
        fan.run(FOLLOW, i={"artistId": new_artist(admin, f"Crowd {n}")})

    async def taken(transport: Any) -> None:
        await stop(await subscribe(local_api, fan, [transport]))

    async def attempt(transport: Any) -> BaseException | None:
        listening = Listening()
        listening.task = asyncio.create_task(_listen(transport, listening))
        await until(lambda: listening.ended, "the subscription is refused")
        return listening.error

    asyncio.run(taken(appsync_ws(local_api, fan.token)))  # 200 follows: 10 groups of 20, taken
    fan.run(FOLLOW, i={"artistId": new_artist(admin, "One too many")})
    for transport in both_protocols(local_api, fan):
        error = asyncio.run(attempt(transport))
        assert isinstance(error, TransportQueryError), error
        detail = error.errors[0].get("errors", error.errors)[0] if error.errors else {}
        assert detail["errorType"] == "ConflictError"
        assert "at most 200 follows (AppSync allows 10 filter groups of 20 values" in detail["message"]
    assert open_subscriptions(local_api, fan) == 0
