"""PUBLIC playlists found by `search` over GraphQL on the emulator: by a word prefix, ignoring
case and accents, by any listener; a rename, a change to PRIVATE or a delete takes effect at once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.conftest import Api, Run
from tests.integration.test_new_content import Listener, new_listener
from tests.integration.test_playlists import ADD, CREATE

SEARCH = """query($q: String!) {
  search(query: $q, limit: 50) {
    songs { id }
    playlists { id name visibility songCount owner { displayName } entries(limit: 5) { items { song { id } } } }
  }
}"""
UPDATE = "mutation($p: ID!, $i: UpdatePlaylistInput!) { updatePlaylist(id: $p, input: $i) { id name visibility } }"
DELETE = "mutation($p: ID!) { deletePlaylist(id: $p) }"


@pytest.fixture
def owner(local_api: Api, guest: Run) -> Listener:
    local_api.local_only()
    return new_listener(local_api, guest)


@pytest.fixture
def word() -> str:
    """A word no other test's names start with: 'Rêverie' and eight hex digits."""
    return f"Rêverie{uuid.uuid4().hex[:8]}"


def found(run: Run, query: str) -> list[dict[str, Any]]:
    return run(SEARCH, q=query)["search"]["playlists"]


def names(run: Run, query: str) -> list[str]:
    return [p["name"] for p in found(run, query)]


def test_another_listener_finds_a_public_playlist_by_a_word_prefix_ignoring_case_and_accents(
    owner: Listener, listener: Run, word: str
) -> None:
    song = listener("{ songs(limit: 1) { items { id } } }")["songs"]["items"][0]["id"]
    name = f"Late {word} Mix"
    made = owner.run(CREATE, i={"name": name, "visibility": "PUBLIC"})["createPlaylist"]
    owner.run(ADD, p=made["id"], s=[song])
    folded = "reverie" + word[len("Rêverie") :]
    for query in (folded[:10].upper(), "rêverie" + word[7:9], f"mix {folded}", f"{folded[:9]} LATE"):
        (hit,) = found(listener, query)
        assert hit == {
            "id": made["id"],
            "name": name,
            "visibility": "PUBLIC",
            "songCount": 1,
            "owner": {"displayName": "Fan"},
            "entries": {"items": [{"song": {"id": song}}]},
        }, query
    assert names(owner.run, folded) == [name], "its owner finds it too"
    assert names(listener, f"{folded} zz") == []


def test_a_private_playlist_is_not_found_by_anyone(owner: Listener, listener: Run, word: str) -> None:
    owner.run(CREATE, i={"name": f"{word} Diary"})
    owner.run(CREATE, i={"name": f"{word} Notes", "visibility": "PRIVATE"})
    assert names(listener, word) == [] and names(owner.run, word) == []


def test_after_a_rename_the_old_word_finds_nothing_and_the_new_one_finds_it(
    owner: Listener, listener: Run, word: str
) -> None:
    made = owner.run(CREATE, i={"name": f"{word} Summer", "visibility": "PUBLIC"})["createPlaylist"]
    renamed = f"{word} Winter"
    owner.run(UPDATE, p=made["id"], i={"name": renamed})
    assert names(listener, f"{word} summ") == []
    assert names(listener, f"{word} wint") == [renamed]


def test_made_private_or_deleted_it_is_no_longer_found(owner: Listener, listener: Run, word: str) -> None:
    kept = owner.run(CREATE, i={"name": f"{word} Kept", "visibility": "PUBLIC"})["createPlaylist"]
    gone = owner.run(CREATE, i={"name": f"{word} Gone", "visibility": "PUBLIC"})["createPlaylist"]
    assert sorted(names(listener, word)) == sorted([f"{word} Kept", f"{word} Gone"])

    owner.run(UPDATE, p=kept["id"], i={"visibility": "PRIVATE"})
    owner.run(DELETE, p=gone["id"])
    assert names(listener, word) == []

    owner.run(UPDATE, p=kept["id"], i={"visibility": "PUBLIC"})
    assert names(listener, word) == [f"{word} Kept"], "made PUBLIC again, it is found again"
