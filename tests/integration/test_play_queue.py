"""The play queue end to end on the emulator: save on one device, resume on another, the version
rule between devices, the checks, and `onPlayQueueChanged` over both websocket protocols, which
reaches the owner's devices and nobody else's."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, client
from tests.integration.test_my_new_content import Listening, stop, sub_of, subscribe, until
from tests.integration.test_new_content import Listener, appsync_ws, new_listener, transport_ws
from tests.integration.test_ratings import new_song

FIELDS = "ownerId songIds currentIndex positionMs device version updatedAt"
SAVE = f"mutation($i: PlayQueueInput!) {{ savePlayQueue(input: $i) {{ {FIELDS} }} }}"
RESUME = f"{{ playQueue {{ {FIELDS} }} }}"
ON_CHANGED = f"subscription {{ onPlayQueueChanged {{ {FIELDS} }} }}"


def queue(song_ids: list[str], index: int = 0, position: int = 0, device: str = "phone", **more: Any) -> dict:
    return {"songIds": song_ids, "currentIndex": index, "positionMs": position, "device": device, **more}


def refused(run: Run, document: str, **variables: Any) -> dict[str, Any]:
    with pytest.raises(TransportQueryError) as raised:
        run(document, **variables)
    (error,) = raised.value.errors or [{}]
    return error


@pytest.fixture
def fan(local_api: Api, guest: Run) -> Listener:
    local_api.local_only()  # a fresh account, confirmed through the emulator's outbox
    return new_listener(local_api, guest)


@pytest.fixture(scope="module")
def songs(admin: Run) -> list[str]:
    return [new_song(admin, genre="jazz")["id"] for _ in range(3)]


def test_save_on_one_device_and_resume_on_another(fan: Listener, songs: list[str]) -> None:
    assert fan.run(RESUME)["playQueue"] is None, "nothing to resume before the first save"
    first = fan.run(SAVE, i=queue(songs, index=1, position=42_000, device="phone"))["savePlayQueue"]
    assert (first["ownerId"], first["songIds"], first["currentIndex"]) == (sub_of(fan), songs, 1)
    assert (first["positionMs"], first["device"], first["version"]) == (42_000, "phone", 1)
    assert fan.run(RESUME)["playQueue"] == first, "the laptop resumes where the phone stopped"

    second = fan.run(SAVE, i=queue(songs[::-1], index=2, position=5, device="laptop", expectedVersion=1))
    assert second["savePlayQueue"]["version"] == 2
    assert second["savePlayQueue"]["updatedAt"] >= first["updatedAt"]
    assert fan.run(RESUME)["playQueue"] == second["savePlayQueue"]


def test_a_stale_version_or_a_second_first_save_is_a_conflict_and_changes_nothing(
    fan: Listener, songs: list[str]
) -> None:
    fan.run(SAVE, i=queue(songs, device="phone"))
    current = fan.run(SAVE, i=queue(songs, index=2, device="laptop", expectedVersion=1))["savePlayQueue"]
    stale = refused(fan.run, SAVE, i=queue(songs[:1], device="phone", expectedVersion=1))
    assert stale["errorType"] == "ConflictError", stale
    assert "now version 2, saved from 'laptop'" in stale["message"]
    again = refused(fan.run, SAVE, i=queue(songs[:1], device="car"))
    assert again["errorType"] == "ConflictError" and "saved already" in again["message"], again
    assert fan.run(RESUME)["playQueue"] == current, "the refused saves left the queue as the laptop saved it"


def test_of_two_devices_saving_over_the_same_version_exactly_one_wins(
    local_api: Api, fan: Listener, songs: list[str]
) -> None:
    fan.run(SAVE, i=queue(songs))
    devices = [f"device {n}" for n in range(6)]

    def attempt(device: str) -> str | None:  # one gql client per thread: they are not thread-safe
        run = client(local_api.url, {"authorization": fan.token})
        try:
            return run(SAVE, i=queue(songs, device=device, expectedVersion=1))["savePlayQueue"]["device"]
        except TransportQueryError as error:
            assert (error.errors or [{}])[0].get("errorType") == "ConflictError", error
            return None

    with ThreadPoolExecutor(max_workers=len(devices)) as pool:
        winners = [device for device in pool.map(attempt, devices) if device]
    assert len(winners) == 1
    resumed = fan.run(RESUME)["playQueue"]
    assert (resumed["version"], resumed["device"]) == (2, winners[0])


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"songIds": "501 songs", "currentIndex": 0}, "songIds: at most 500 songs, not 501"),
        ({"currentIndex": 3}, "currentIndex: must be a whole number from 0 to 2"),
        ({"songIds": [], "currentIndex": 1}, "currentIndex: must be a whole number from 0 to 0"),
        ({"positionMs": -1}, "positionMs: must be a whole number from 0 to 86400000"),
        ({"device": "x" * 101}, "device: at most 100 characters"),
        ({"device": "phone\nlaptop"}, "device: must be a single line"),
        ({"device": ""}, "device: must not be empty"),
        ({"expectedVersion": 0}, "expectedVersion: must be a whole number from 1"),
    ],
    ids=[
        "501-songs",
        "index-past-end",
        "index-in-empty",
        "negative-position",
        "long-device",
        "two-lines",
        "no-device",
        "v0",
    ],
)
def test_out_of_bounds_saves_are_validation_errors_and_keep_nothing(
    fan: Listener, songs: list[str], change: dict[str, Any], why: str
) -> None:
    entry = queue(songs) | change
    if entry["songIds"] == "501 songs":
        entry["songIds"] = (songs * 167)[:501]
    error = refused(fan.run, SAVE, i=entry)
    assert error["errorType"] == "ValidationError" and why in error["message"], error
    assert fan.run(RESUME)["playQueue"] is None


def test_an_empty_queue_is_saved_at_index_0(fan: Listener) -> None:
    saved = fan.run(SAVE, i=queue([], index=0))["savePlayQueue"]
    assert (saved["songIds"], saved["currentIndex"], saved["version"]) == ([], 0, 1)


def test_a_save_reaches_the_owners_other_devices_and_no_other_listener(
    local_api: Api, guest: Run, fan: Listener, songs: list[str]
) -> None:
    """The owner's phone saves; their laptop (AppSync's real-time protocol) and browser
    (graphql-transport-ws) get it, a second listener subscribed at the same time does not.
    Then the second listener saves: only their own device gets that one."""
    other = new_listener(local_api, guest)

    async def scenario() -> tuple[list[Listening], Listening]:
        both = [appsync_ws(local_api, fan.token), transport_ws(local_api, {"Authorization": fan.token})]
        owners = await subscribe(local_api, fan, both, ON_CHANGED)
        (bystander,) = await subscribe(local_api, other, [appsync_ws(local_api, other.token)], ON_CHANGED)
        try:
            await asyncio.to_thread(fan.run, SAVE, i=queue(songs, index=2, position=1_000, device="phone"))
            await until(lambda: all(d.events for d in owners), "the owner's devices get the save")
            await asyncio.sleep(0.3)  # room for a stray event to reach the other listener
            assert bystander.events == [], "another listener never hears of this queue"
            await asyncio.to_thread(other.run, SAVE, i=queue(songs[:1], device="tablet"))
            await until(lambda: bool(bystander.events), "the other listener's own save reaches them")
            await asyncio.sleep(0.3)
            return owners, bystander
        finally:
            await stop([*owners, bystander])

    owners, bystander = asyncio.run(scenario())
    for device in owners:
        assert device.error is None
        (event,) = device.events
        assert (event["ownerId"], event["device"], event["version"]) == (sub_of(fan), "phone", 1)
        assert (event["songIds"], event["currentIndex"], event["positionMs"]) == (songs, 2, 1_000)
    assert [(e["ownerId"], e["device"]) for e in bystander.events] == [(sub_of(other), "tablet")]
