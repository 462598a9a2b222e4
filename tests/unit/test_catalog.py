"""The catalog through the API handler: rules, typed errors, nothing half-written."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import boto3
import pytest

from resolvers.data import catalog as catalog_data
from resolvers.errors import ConflictError, InternalError, NotFoundError, ValidationError
from resolvers.routes import catalog as catalog_routes
from tests.media_stand_in import mark_ready
from tests.unit.conftest import appsync_event, invoke

pytestmark = pytest.mark.usefixtures("aws")


def mutation(field: str, **arguments: Any) -> Any:
    return invoke(appsync_event("Mutation", field, arguments))


def query(field: str, **arguments: Any) -> Any:
    """As an admin, who sees every song whatever its status (listeners: test_listeners_see_only_playable_songs)."""
    return invoke(appsync_event("Query", field, arguments))


def item_count() -> int:
    return boto3.client("dynamodb").scan(TableName="music-test", Select="COUNT")["Count"]


@pytest.fixture
def album() -> dict[str, Any]:
    artist = mutation("createArtist", input={"name": "Nina Vale", "genres": ["jazz"]})
    return mutation("createAlbum", input={"artistId": artist["id"], "title": "Blue Hours", "genre": "jazz"})


def test_create_and_read_back(album: dict[str, Any]) -> None:
    song = mutation(
        "createSong",
        input={"title": "  Midnight Tram ", "artistId": album["artistId"], "albumId": album["id"], "genre": "jazz"},
    )
    assert song["title"] == "Midnight Tram"
    assert song["status"] == "DRAFT"
    assert query("song", id=song["id"])["title"] == "Midnight Tram"
    assert query("album", id=album["id"])["title"] == "Blue Hours"


def test_missing_items_are_null() -> None:
    assert query("song", id=str(uuid.uuid4())) is None


@pytest.mark.parametrize(
    ("field", "arguments", "message"),
    [
        ("createArtist", {"input": {"name": "   "}}, "name: must not be empty"),
        ("createArtist", {"input": {"name": "A", "genres": ["polka"]}}, "unknown genre"),
        ("createArtist", {"input": {"name": "bad\x00name"}}, "control characters"),
        ("createArtist", {"input": {"name": "Nina \ud800Vale"}}, "name: must be valid Unicode"),
        ("createArtist", {"input": {"name": "N", "bio": "\udfff"}}, "bio: must be valid Unicode"),
        ("createArtist", {"input": {"name": "x" * 201}}, "at most 200"),
        ("createArtist", {"input": {"name": "Nina\nVale"}}, "name: must be a single line"),
        ("createArtist", {"input": {"name": "Nina\u2028Vale"}}, "name: must be a single line"),
        ("createArtist", {"input": {"name": "Nina\tVale"}}, "name: must not contain control characters"),
        ("createArtist", {"input": {"name": "Nina \u202eelaV"}}, "name: must not contain bidirectional"),
        (
            "createArtist",
            {"input": {"name": "N", "bio": "\u2066isolated\u2069"}},
            "bio: must not contain bidirectional",
        ),
        ("createArtist", {"input": {"name": "N", "bio": "a\x1b[31mred"}}, "bio: must not contain control characters"),
        ("createArtist", {"input": {"name": "N", "imageUrl": "javascript:alert(1)"}}, "imageUrl: an http or https URL"),
        (
            "createArtist",
            {"input": {"name": "N", "imageUrl": "https://e.com/" + "x" * 2_048}},
            "imageUrl: at most 2048",
        ),
        (
            "createArtist",
            {"input": {"name": "N", "imageUrl": "https://e.com/a b.png"}},
            "imageUrl: an http or https URL",
        ),
        (
            "createAlbum",
            {"input": {"artistId": "not-an-id", "title": "T", "genre": "rock"}},
            "artistId: not a valid id",
        ),
        ("updateSong", {"id": "42", "input": {"title": "T"}}, "id: not a valid id"),
    ],
)
def test_bad_input_is_a_validation_error_and_stores_nothing(field: str, arguments: dict, message: str) -> None:
    before = item_count()
    with pytest.raises(ValidationError, match=message):
        mutation(field, **arguments)
    assert item_count() == before


def test_text_is_stored_in_one_form(album: dict[str, Any]) -> None:
    """NFC, trimmed; a bio keeps its lines and tabs, Windows' CRLF as LF; right-to-left text needs no controls."""
    artist = mutation(
        "createArtist",
        input={
            "name": "  Beyonce\u0301 \u05e0\u05d9\u05e0\u05d4 ",
            "bio": "One\r\n\ttwo",
            "imageUrl": "https://e.com/i.png",
        },
    )
    assert artist["name"] == "Beyonc\u00e9 \u05e0\u05d9\u05e0\u05d4"
    assert artist["bio"] == "One\n\ttwo"
    assert artist["imageUrl"] == "https://e.com/i.png"
    updated = mutation("updateAlbum", id=album["id"], input={"title": "E\u0301tude", "coverUrl": "http://e.com/c.png"})
    assert (updated["title"], updated["coverUrl"]) == ("\u00c9tude", "http://e.com/c.png")


@pytest.mark.parametrize("limit", [0, 101, -5])
def test_limit_out_of_range(limit: int) -> None:
    with pytest.raises(ValidationError, match="limit"):
        query("songs", limit=limit)


def test_song_on_missing_artist_is_not_found_and_writes_nothing() -> None:
    before = item_count()
    with pytest.raises(NotFoundError, match="Artist"):
        mutation("createSong", input={"title": "T", "artistId": str(uuid.uuid4()), "genre": "rock"})
    assert item_count() == before


def test_song_on_another_artists_album_is_refused(album: dict[str, Any]) -> None:
    other = mutation("createArtist", input={"name": "Someone Else"})
    before = item_count()
    with pytest.raises(ValidationError, match="another artist"):
        mutation("createSong", input={"title": "T", "artistId": other["id"], "albumId": album["id"], "genre": "jazz"})
    assert item_count() == before
    assert mutation("deleteArtist", id=other["id"]) == other["id"], "its song count was not left raised"


def test_delete_refused_while_children_exist(album: dict[str, Any]) -> None:
    song = mutation(
        "createSong", input={"title": "T", "artistId": album["artistId"], "albumId": album["id"], "genre": "jazz"}
    )
    with pytest.raises(ConflictError, match="albums or songs"):
        mutation("deleteArtist", id=album["artistId"])
    with pytest.raises(ConflictError, match="still has songs"):
        mutation("deleteAlbum", id=album["id"])
    assert mutation("deleteSong", id=song["id"]) == song["id"]
    assert mutation("deleteAlbum", id=album["id"]) == album["id"]
    assert mutation("deleteArtist", id=album["artistId"]) == album["artistId"]
    assert item_count() == 0
    with pytest.raises(NotFoundError):
        mutation("deleteArtist", id=album["artistId"])


def test_update_changes_only_given_fields_and_moves_indexes(album: dict[str, Any]) -> None:
    song = mutation(
        "createSong", input={"title": "T", "artistId": album["artistId"], "genre": "jazz", "durationSeconds": 100}
    )
    updated = mutation("updateSong", id=song["id"], input={"genre": "blues", "durationSeconds": None})
    assert updated["title"] == "T"
    assert updated["genre"] == "blues"
    assert "durationSeconds" not in updated
    assert [s["id"] for s in query("songs", filter={"genre": "blues"})["items"]] == [song["id"]]
    assert query("songs", filter={"genre": "jazz"})["items"] == []
    with pytest.raises(NotFoundError):
        mutation("updateArtist", id=str(uuid.uuid4()), input={"name": "Ghost"})


def test_pages_cover_everything_once(album: dict[str, Any]) -> None:
    ids = {
        mutation(
            "createSong",
            input={
                "title": f"S{n}",
                "artistId": album["artistId"],
                "albumId": album["id"],
                "genre": "jazz",
                "trackNumber": n,
            },
        )["id"]
        for n in range(1, 6)
    }
    seen: list[str] = []
    token = None
    while True:
        page = query("songs", filter={"albumId": album["id"]}, limit=2, nextToken=token)
        seen += [s["id"] for s in page["items"]]
        token = page["nextToken"]
        if not token:
            break
    assert len(seen) == 5
    assert set(seen) == ids


def test_next_token_is_checked(album: dict[str, Any]) -> None:
    for n in range(3):
        mutation("createSong", input={"title": f"S{n}", "artistId": album["artistId"], "genre": "jazz"})
    token = query("songs", limit=1)["nextToken"]
    with pytest.raises(ValidationError, match="nextToken"):
        query("songs", limit=1, nextToken="garbage!")
    forged = json.loads(base64.urlsafe_b64decode(token + "=="))
    forged["GSI1PK"] = "ARTIST"
    forged_token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
    with pytest.raises(ValidationError, match="nextToken"):
        query("songs", limit=1, nextToken=forged_token)
    with pytest.raises(ValidationError, match="nextToken"):
        query("songs", filter={"genre": "jazz"}, limit=1, nextToken=token)


def test_nested_fields_are_resolved_in_one_batch(album: dict[str, Any]) -> None:
    single = mutation("createSong", input={"title": "Single", "artistId": album["artistId"], "genre": "jazz"})
    on_album = mutation(
        "createSong", input={"title": "Track", "artistId": album["artistId"], "albumId": album["id"], "genre": "jazz"}
    )
    events = [appsync_event("Song", "album", source=s, groups=("users",)) for s in (single, on_album)]
    assert [a and a["id"] for a in invoke(events)] == [None, album["id"]]
    events = [appsync_event("Song", "artist", source=s, groups=("users",)) for s in (single, on_album)]
    assert [a["name"] for a in invoke(events)] == ["Nina Vale", "Nina Vale"]


def test_unexpected_failures_surface_as_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> None:
        raise KeyError("secret detail")

    monkeypatch.setattr(catalog_routes, "list_genres", broken)
    with pytest.raises(InternalError) as raised:
        query("genres")
    assert "secret" not in str(raised.value)


def test_genres_are_the_vocabulary() -> None:
    genres = query("genres")
    assert {"id": "hip-hop", "name": "Hip-Hop"} in genres
    assert len(genres) == len({g["id"] for g in genres})


def test_an_indexed_field_edited_concurrently_is_a_conflict(
    monkeypatch: pytest.MonkeyPatch, album: dict[str, Any]
) -> None:
    song = mutation("createSong", input={"title": "T", "artistId": album["artistId"], "genre": "jazz"})
    stale = dict(song)
    mutation("updateSong", id=song["id"], input={"title": "Edited elsewhere"})
    monkeypatch.setattr(catalog_data, "get", lambda kind, item_id: stale)  # the read raced with that edit
    with pytest.raises(ConflictError, match="try again"):
        mutation("updateSong", id=song["id"], input={"genre": "blues"})
    monkeypatch.undo()
    assert query("song", id=song["id"])["genre"] == "jazz"


def test_listeners_see_only_playable_songs(album: dict[str, Any]) -> None:
    """Admins build the catalog and see drafts; listeners browse, search and open albums of what plays."""
    draft, ready = (
        mutation(
            "createSong",
            input={"title": f"Tide {n}", "artistId": album["artistId"], "albumId": album["id"], "genre": "jazz"},
        )
        for n in ("draft", "ready")
    )
    mark_ready(ready["id"])

    def listener(field: str, **arguments: Any) -> Any:
        return invoke(appsync_event("Query", field, arguments, groups=("users",)))

    def album_songs(groups: tuple[str, ...]) -> list[str]:
        event = appsync_event("Album", "songs", source={"id": album["id"]}, groups=groups)
        return [s["id"] for s in invoke([event])[0]["items"]]

    everything, playable = {draft["id"], ready["id"]}, {ready["id"]}
    for arguments in ({}, {"filter": {"genre": "jazz"}}, {"filter": {"albumId": album["id"]}, "sort": "TITLE"}):
        assert {s["id"] for s in query("songs", **arguments)["items"]} == everything
        assert {s["id"] for s in listener("songs", **arguments)["items"]} == playable
    assert {s["id"] for s in query("search", query="tide")["songs"]} == everything
    assert {s["id"] for s in listener("search", query="tide")["songs"]} == playable
    assert set(album_songs(("admin",))) == everything
    assert set(album_songs(("users",))) == playable
