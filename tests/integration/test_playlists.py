"""Playlists over GraphQL on the emulator: order after inserts and moves, long playlists paged
without gaps or repeats, concurrent adds, visibility, unavailable songs, smart playlists."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, client, unique
from tests.integration.test_new_content import Listener, new_listener
from tests.integration.test_ratings import new_song
from tests.media_stand_in import mark_ready_on_emulator

CREATE = "mutation($i: CreatePlaylistInput!) { createPlaylist(input: $i) { id name visibility songCount smart } }"
ADD = """mutation($p: ID!, $s: [ID!]!, $after: ID, $start: Boolean) {
  addToPlaylist(playlistId: $p, songIds: $s, afterEntryId: $after, atStart: $start) { songCount durationSeconds }
}"""
MOVE = """mutation($p: ID!, $e: ID!, $after: ID, $start: Boolean) {
  movePlaylistEntry(playlistId: $p, entryId: $e, afterEntryId: $after, atStart: $start) { songCount }
}"""
REMOVE = "mutation($p: ID!, $e: [ID!]!) { removeFromPlaylist(playlistId: $p, entryIds: $e) { songCount } }"
READ = """query($p: ID!, $n: Int, $t: String) {
  playlist(id: $p) { name visibility songCount durationSeconds smart owner { displayName }
    entries(limit: $n, nextToken: $t) { items { id addedAt song { id title } } nextToken } }
}"""
SONGS = "{ songs(limit: 20) { items { id durationSeconds genre } } }"


def error_type(raised: pytest.ExceptionInfo[TransportQueryError]) -> str:
    return raised.value.errors[0]["errorType"]


@pytest.fixture(scope="module")
def songs(listener: Run) -> list[dict[str, Any]]:
    """READY songs of the demo catalog."""
    found = listener(SONGS)["songs"]["items"]
    assert len(found) >= 6
    return found


@pytest.fixture
def owner(local_api: Api, guest: Run) -> Listener:
    local_api.local_only()
    return new_listener(local_api, guest)


def entries(run: Run, playlist_id: str, page: int = 100) -> list[dict[str, Any]]:
    """Every entry, page after page."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        read = run(READ, p=playlist_id, n=page, t=token)["playlist"]["entries"]
        found += read["items"]
        token = read["nextToken"]
        if token is None:
            return found


def song_order(run: Run, playlist_id: str) -> list[str]:
    return [entry["song"]["id"] for entry in entries(run, playlist_id)]


def test_inserts_and_moves_at_the_start_middle_and_end(owner: Listener, songs: list[dict]) -> None:
    a, b, c, d, e, f = (song["id"] for song in songs[:6])
    playlist = owner.run(CREATE, i={"name": "Road trip"})["createPlaylist"]
    assert playlist == {
        "id": playlist["id"],
        "name": "Road trip",
        "visibility": "PRIVATE",
        "songCount": 0,
        "smart": False,
    }
    pid = playlist["id"]
    added = owner.run(ADD, p=pid, s=[a, b])["addToPlaylist"]
    assert added["songCount"] == 2
    assert added["durationSeconds"] == sum(s["durationSeconds"] or 0 for s in songs[:2])
    owner.run(ADD, p=pid, s=[c], start=True)
    assert song_order(owner.run, pid) == [c, a, b]
    first_a = entries(owner.run, pid)[1]["id"]
    owner.run(ADD, p=pid, s=[d, e], after=first_a)
    owner.run(ADD, p=pid, s=[f])
    owner.run(ADD, p=pid, s=[a])  # a song may appear twice
    assert song_order(owner.run, pid) == [c, a, d, e, b, f, a]

    ids = [entry["id"] for entry in entries(owner.run, pid)]
    owner.run(MOVE, p=pid, e=ids[4], start=True)  # b to the start
    owner.run(MOVE, p=pid, e=ids[0], after=ids[5])  # c after f
    owner.run(MOVE, p=pid, e=ids[2])  # d to the end
    assert song_order(owner.run, pid) == [b, a, e, f, c, a, d]
    assert owner.run(REMOVE, p=pid, e=[ids[1], ids[3]])["removeFromPlaylist"]["songCount"] == 5
    assert song_order(owner.run, pid) == [b, f, c, a, d]
    read = owner.run(READ, p=pid, n=2)["playlist"]
    assert read["songCount"] == 5 and read["owner"] == {"displayName": "Fan"}

    with pytest.raises(TransportQueryError) as raised:
        owner.run(MOVE, p=pid, e=ids[1], start=True)  # removed
    assert error_type(raised) == "NotFoundError"
    with pytest.raises(TransportQueryError) as raised:
        owner.run(ADD, p=pid, s=[a], after=ids[0], start=True)
    assert error_type(raised) == "ValidationError"
    with pytest.raises(TransportQueryError) as raised:
        owner.run(ADD, p=pid, s=[a] * 51)
    assert error_type(raised) == "ValidationError"


def test_a_thousand_entries_page_without_gaps_or_repeats(owner: Listener, songs: list[dict]) -> None:
    pid = owner.run(CREATE, i={"name": "Long"})["createPlaylist"]["id"]
    for _ in range(20):
        owner.run(ADD, p=pid, s=[songs[n % len(songs)]["id"] for n in range(50)])
    listed = entries(owner.run, pid, page=73)
    assert len(listed) == 1000 and len({entry["id"] for entry in listed}) == 1000
    assert [entry["song"]["id"] for entry in listed] == [songs[n % len(songs)]["id"] for n in range(50)] * 20
    assert owner.run(READ, p=pid, n=1)["playlist"]["songCount"] == 1000


def test_two_devices_adding_at_once_lose_nothing(local_api: Api, owner: Listener, songs: list[dict]) -> None:
    pid = owner.run(CREATE, i={"name": "Shared car"})["createPlaylist"]["id"]
    devices = [client(local_api.url, {"authorization": owner.token}) for _ in range(2)]

    def add_all(device: Run, song: dict) -> None:
        for _ in range(8):
            device(ADD, p=pid, s=[song["id"]] * 3)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(add_all, device, songs[n]) for n, device in enumerate(devices)]:
            done.result()
    listed = entries(owner.run, pid)
    assert len(listed) == 48 and owner.run(READ, p=pid, n=1)["playlist"]["songCount"] == 48
    assert sorted(entry["song"]["id"] for entry in listed) == sorted([songs[0]["id"]] * 24 + [songs[1]["id"]] * 24)


def test_a_move_racing_a_remove_leaves_no_dangling_entry(owner: Listener, songs: list[dict]) -> None:
    pid = owner.run(CREATE, i={"name": "Race"})["createPlaylist"]["id"]
    owner.run(ADD, p=pid, s=[song["id"] for song in songs[:4]])
    ids = [entry["id"] for entry in entries(owner.run, pid)]
    owner.run(REMOVE, p=pid, e=[ids[2]])
    with pytest.raises(TransportQueryError) as raised:
        owner.run(MOVE, p=pid, e=ids[2], start=True)
    assert error_type(raised) == "NotFoundError"
    assert [entry["id"] for entry in entries(owner.run, pid)] == [ids[0], ids[1], ids[3]]
    assert owner.run(READ, p=pid, n=1)["playlist"]["songCount"] == 3


def test_private_for_the_owner_public_for_every_listener_changed_by_the_owner_alone(
    local_api: Api, guest: Run, owner: Listener, songs: list[dict]
) -> None:
    other = new_listener(local_api, guest)
    pid = owner.run(CREATE, i={"name": unique("Mine")})["createPlaylist"]["id"]
    owner.run(ADD, p=pid, s=[songs[0]["id"]])
    for attempt in (lambda: other.run(READ, p=pid), lambda: other.run(ADD, p=pid, s=[songs[1]["id"]])):
        with pytest.raises(TransportQueryError) as raised:
            attempt()
        assert error_type(raised) == "NotFoundError"
    owner.run("mutation($p: ID!) { updatePlaylist(id: $p, input: {visibility: PUBLIC}) { id } }", p=pid)
    assert other.run(READ, p=pid)["playlist"]["songCount"] == 1
    with pytest.raises(TransportQueryError) as raised:
        other.run(ADD, p=pid, s=[songs[1]["id"]])
    assert error_type(raised) == "Unauthorized" or error_type(raised) == "UnauthorizedError"
    with pytest.raises(TransportQueryError) as raised:
        guest(READ, p=pid)
    assert error_type(raised) == "Unauthorized"
    mine = owner.run("{ myPlaylists { items { id } } }")["myPlaylists"]["items"]
    assert [p["id"] for p in mine] == [pid]
    assert other.run("{ myPlaylists { items { id } } }")["myPlaylists"]["items"] == []
    assert owner.run("mutation($p: ID!) { deletePlaylist(id: $p) }", p=pid)["deletePlaylist"] == pid
    with pytest.raises(TransportQueryError) as raised:
        owner.run(READ, p=pid)
    assert error_type(raised) == "NotFoundError"


def test_a_deleted_song_leaves_its_entry_unavailable(local_api: Api, admin: Run, owner: Listener) -> None:
    song = new_song(admin)
    mark_ready_on_emulator(local_api.config, song["id"])
    pid = owner.run(CREATE, i={"name": "Gone"})["createPlaylist"]["id"]
    owner.run(ADD, p=pid, s=[song["id"]])
    admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song["id"])
    (entry,) = entries(owner.run, pid)
    assert entry["song"] is None and owner.run(READ, p=pid)["playlist"]["songCount"] == 1


SMART = """mutation($i: CreateSmartPlaylistInput!) {
  createSmartPlaylist(input: $i) { id smart songCount rules { genres sort limit likedOnly } }
}"""


def test_smart_playlists_follow_their_rules(local_api: Api, guest: Run, owner: Listener, songs: list[dict]) -> None:
    genre = songs[0]["genre"]
    smart = owner.run(SMART, i={"name": "Genre", "rules": {"genres": [genre], "sort": "TITLE", "limit": 3}})
    made = smart["createSmartPlaylist"]
    assert made["smart"] is True and made["rules"] == {
        "genres": [genre],
        "sort": "TITLE",
        "limit": 3,
        "likedOnly": False,
    }
    listed = owner.run(READ, p=made["id"])["playlist"]
    in_genre = owner.run(
        "query($g: String!) { songs(filter: {genre: $g}, sort: TITLE, limit: 3) { items { id } } }", g=genre
    )["songs"]["items"]
    assert [e["song"]["id"] for e in listed["entries"]["items"]] == [s["id"] for s in in_genre]
    assert listed["songCount"] == len(in_genre)
    with pytest.raises(TransportQueryError) as raised:
        owner.run(ADD, p=made["id"], s=[songs[0]["id"]])
    assert error_type(raised) == "ValidationError"

    liked = owner.run(SMART, i={"name": "Liked", "visibility": "PUBLIC", "rules": {"likedOnly": True}})
    pid = liked["createSmartPlaylist"]["id"]
    assert liked["createSmartPlaylist"]["songCount"] == 0
    for song in songs[:2]:
        owner.run("mutation($s: ID!) { like(input: {songId: $s}) { kind } }", s=song["id"])
    other = new_listener(local_api, guest)  # the owner's likes, whoever reads
    assert {e["song"]["id"] for e in entries(other.run, pid)} == {s["id"] for s in songs[:2]}
    with pytest.raises(TransportQueryError) as raised:
        owner.run(SMART, i={"name": "Too long", "rules": {"limit": 501}})
    assert error_type(raised) == "ValidationError"
