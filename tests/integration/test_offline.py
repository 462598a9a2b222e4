"""Offline playback: keep songs, download them, sync after changes, and the per-listener limit."""

from __future__ import annotations

import datetime
import hashlib
import time
import uuid
from typing import Any

import pytest
import requests
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import OFFLINE_LIMIT, Api, Run, unique
from tests.integration.test_media import CREATE_SONG, settled, upload
from tests.media_files import wav

OFFLINE = "checksum sizeBytes downloadUrl addedAt licenseExpiresAt song { id title }"
ADD = f"mutation($id: ID!) {{ addToOffline(songId: $id) {{ {OFFLINE} }} }}"
REMOVE = "mutation($id: ID!) { removeFromOffline(songId: $id) }"
LIBRARY = "{ offlineLibrary(limit: 50) { items { song { id } sizeBytes checksum } nextToken } }"
SYNC = """mutation($since: AWSDateTime) {
  offlineSync(since: $since) { download { song { id } } keep { song { id } licenseExpiresAt } remove syncedAt }
}"""


def at_offset(moment: str, hours: int) -> str:
    """The same instant written with another UTC offset (`…Z` → `…-05:00`)."""
    instant = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return instant.astimezone(datetime.timezone(datetime.timedelta(hours=hours))).isoformat(timespec="milliseconds")


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["song"]["id"] for item in items}


@pytest.fixture
def ready_songs(admin: Run) -> list[str]:
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Offline"))
    songs = []
    for n in range(OFFLINE_LIMIT + 1):
        song = admin(CREATE_SONG, i={"title": f"Track {n}", "artistId": artist["createArtist"]["id"], "genre": "pop"})
        upload(admin, song["createSong"]["id"], wav(1.0 + n), "audio/wav")
        songs.append(song["createSong"]["id"])
    for song_id in songs:
        assert settled(admin, song_id)["status"] == "READY"
    return songs


def test_keep_download_sync_and_remove(local_api: Api, admin: Run, listener: Run, ready_songs: list[str]) -> None:
    local_api.local_only()  # the small OFFLINE_LIMIT is the emulator's setting
    kept = [listener(ADD, id=song_id)["addToOffline"] for song_id in ready_songs[:OFFLINE_LIMIT]]
    first = kept[0]
    audio = requests.get(first["downloadUrl"], timeout=10).content
    assert len(audio) == first["sizeBytes"] == len(wav(1.0))
    assert hashlib.md5(audio).hexdigest() == first["checksum"]  # noqa: S324 - S3's ETag of a single-part upload

    with pytest.raises(TransportQueryError) as raised:
        listener(ADD, id=ready_songs[OFFLINE_LIMIT])
    assert raised.value.errors[0]["errorType"] == "ConflictError"
    again = listener(ADD, id=ready_songs[0])["addToOffline"]  # renewing is not adding
    assert again["addedAt"] == first["addedAt"]
    assert ids(listener(LIBRARY)["offlineLibrary"]["items"]) == set(ready_songs[:OFFLINE_LIMIT])
    assert listener("{ offlineLibrary { items { song { id } } } }") != admin(
        "{ offlineLibrary { items { song { id } } } }"
    )

    everything = listener(SYNC, since=None)["offlineSync"]
    assert ids(everything["download"]) == set(ready_songs[:OFFLINE_LIMIT])
    quiet = listener(SYNC, since=everything["syncedAt"])["offlineSync"]
    assert (quiet["download"], quiet["remove"]) == ([], [])
    assert ids(quiet["keep"]) == set(ready_songs[:OFFLINE_LIMIT])
    for offset in (-5, 2):  # the same instant with another UTC offset: compared as a time, not as text
        elsewhere = listener(SYNC, since=at_offset(everything["syncedAt"], offset))["offlineSync"]
        assert (elsewhere["download"], ids(elsewhere["keep"])) == ([], ids(quiet["keep"]))

    replaced, deleted = ready_songs[0], ready_songs[1]
    upload(admin, replaced, wav(5.0), "audio/wav")
    deadline = time.monotonic() + 20
    while admin("query($id: ID!) { song(id: $id) { durationSeconds } }", id=replaced)["song"]["durationSeconds"] != 5:
        assert time.monotonic() < deadline, "the replacement did not become READY"
        time.sleep(0.2)
    admin("mutation($id: ID!) { deleteSong(id: $id) }", id=deleted)
    changes = listener(SYNC, since=quiet["syncedAt"])["offlineSync"]
    assert ids(changes["download"]) == {replaced}
    assert changes["remove"] == [deleted]
    assert ids(changes["keep"]) == {ready_songs[2]}

    assert listener(REMOVE, id=ready_songs[2])["removeFromOffline"] == ready_songs[2]
    with pytest.raises(TransportQueryError) as raised:
        listener(REMOVE, id=ready_songs[2])
    assert raised.value.errors[0]["errorType"] == "NotFoundError"
    assert ids(listener(LIBRARY)["offlineLibrary"]["items"]) == {replaced}
    listener(ADD, id=ready_songs[3])  # room again below the limit
    for song_id in (replaced, ready_songs[3]):
        listener(REMOVE, id=song_id)


def test_only_ready_songs_can_be_kept(admin: Run, listener: Run) -> None:
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Draft"))
    draft = admin(CREATE_SONG, i={"title": "Draft", "artistId": artist["createArtist"]["id"], "genre": "pop"})
    with pytest.raises(TransportQueryError) as raised:
        listener(ADD, id=draft["createSong"]["id"])
    assert raised.value.errors[0]["errorType"] == "ValidationError"
    with pytest.raises(TransportQueryError) as raised:
        listener(ADD, id=str(uuid.uuid4()))
    assert raised.value.errors[0]["errorType"] == "NotFoundError"
