"""PUBLIC playlists found by `search`, through the API handler: their words follow the header's
name and visibility in the same write, and a PRIVATE playlist leaves none behind."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from resolvers.data import playlists as playlists_data
from resolvers.errors import ConflictError
from tests.unit.conftest import invoke, listener_event

pytestmark = pytest.mark.usefixtures("aws")

ANNA, BEN = str(uuid.uuid4()), str(uuid.uuid4())


def call(field: str, sub: str = ANNA, **arguments: Any) -> Any:
    type_name = "Query" if field in ("playlist", "search") else "Mutation"
    return invoke(listener_event(type_name, field, arguments, sub=sub))


def found(query: str, sub: str = BEN) -> list[str]:
    return [p["name"] for p in call("search", sub=sub, query=query)["playlists"]]


def search_words() -> set[str]:
    """The sort keys of every search word item that points at a playlist."""
    items = boto3.client("dynamodb").scan(TableName="music-test")["Items"]
    return {i["SK"]["S"] for i in items if i["PK"]["S"].startswith("SEARCH#") and "#PLAYLIST#" in i["SK"]["S"]}


def test_a_public_playlist_is_found_by_word_prefix_ignoring_case_and_accents() -> None:
    made = call("createPlaylist", input={"name": "Café Nocturne Mix", "visibility": "PUBLIC"})
    for query in ("caf", "CAFE", "nocturne café", "mix noct"):
        assert found(query) == ["Café Nocturne Mix"], query
    (hit,) = call("search", sub=BEN, query="noct")["playlists"]
    assert (hit["id"], hit["visibility"], hit["ownerId"], hit["smart"]) == (made["id"], "PUBLIC", ANNA, False)
    assert found("cafe zz") == []
    assert found("caf", sub=ANNA) == ["Café Nocturne Mix"], "the owner finds it too"


def test_a_private_playlist_has_no_words_and_is_not_found_even_by_its_owner() -> None:
    call("createPlaylist", input={"name": "Secret Sundays"})
    call("createPlaylist", input={"name": "Secret Mondays", "visibility": "PRIVATE"})
    assert search_words() == set()
    assert found("secret", sub=ANNA) == [] and found("secret") == []


def test_rename_visibility_and_delete_move_the_words_with_the_header() -> None:
    made = call("createPlaylist", input={"name": "Road Trip", "visibility": "PUBLIC"})
    call("updatePlaylist", id=made["id"], input={"name": "Night Drive"})
    assert found("road") == [] and found("trip") == []
    assert found("drive nig") == ["Night Drive"]
    assert search_words() == {f"night#PLAYLIST#{made['id']}", f"drive#PLAYLIST#{made['id']}"}

    call("updatePlaylist", id=made["id"], input={"description": "only the description"})
    assert found("night") == ["Night Drive"], "a change of neither name nor visibility keeps its words"

    call("updatePlaylist", id=made["id"], input={"visibility": "PRIVATE"})
    assert found("night") == [] and search_words() == set()
    call("updatePlaylist", id=made["id"], input={"visibility": "PUBLIC", "name": "Night Ride"})
    assert found("ride") == ["Night Ride"]

    call("deletePlaylist", id=made["id"])
    assert found("night") == [] and search_words() == set()


def test_a_public_smart_playlist_is_found_with_its_evaluated_count() -> None:
    rules = {"genres": ["jazz"], "limit": 10}
    call("createSmartPlaylist", input={"name": "Jazz Radar", "visibility": "PUBLIC", "rules": rules})
    event = listener_event("Query", "search", {"query": "radar"}, sub=BEN)
    event["info"]["selectionSetList"] = ["playlists", "playlists/name", "playlists/songCount"]
    (hit,) = invoke(event)["playlists"]
    assert (hit["name"], hit["smart"], hit["songCount"]) == ("Jazz Radar", True, 0)


def test_a_write_on_a_header_changed_since_it_was_read_is_refused_and_keeps_the_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Words are derived from the header as read: if another device renamed it meanwhile, the
    write fails (ConflictError) rather than leave words for a name the playlist no longer has."""
    made = call("createPlaylist", input={"name": "Old Name", "visibility": "PUBLIC"})
    read, stale = playlists_data.get_playlist, playlists_data.get_playlist(made["id"])
    call("updatePlaylist", id=made["id"], input={"name": "New Name"})
    monkeypatch.setattr(playlists_data, "get_playlist", lambda playlist_id: stale)
    with pytest.raises(ConflictError):
        call("updatePlaylist", id=made["id"], input={"visibility": "PRIVATE"})
    with pytest.raises(ConflictError):
        call("deletePlaylist", id=made["id"])
    monkeypatch.setattr(playlists_data, "get_playlist", read)  # not undo(): that also drops the AWS settings
    assert found("new") == ["New Name"] and found("old") == []
    assert search_words() == {f"new#PLAYLIST#{made['id']}", f"name#PLAYLIST#{made['id']}"}
