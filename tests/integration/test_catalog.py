"""Listeners browse, admins edit the catalog; errors are typed and nothing is half-written."""

from __future__ import annotations

import uuid

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, unique
from tests.media_stand_in import mark_ready_on_emulator

CREATE_ARTIST = "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id name genres } }"
CREATE_ALBUM = "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id title artist { id name } } }"
CREATE_SONG = "mutation($i: CreateSongInput!) { createSong(input: $i) { id title status } }"
SONGS = """query($f: SongFilterInput, $limit: Int, $next: String) {
  songs(filter: $f, limit: $limit, nextToken: $next) {
    items { id title trackNumber genre artist { name } album { title } }
    nextToken
  }
}"""


def error_type(raised: pytest.ExceptionInfo[TransportQueryError]) -> str:
    return raised.value.errors[0]["errorType"]


@pytest.fixture
def album(admin: Run) -> dict:
    artist = admin(CREATE_ARTIST, i={"name": unique("Band"), "genres": ["rock"]})["createArtist"]
    album = admin(
        CREATE_ALBUM, i={"artistId": artist["id"], "title": unique("LP"), "genre": "rock", "releaseDate": "2024-05-01"}
    )["createAlbum"]
    assert album["artist"] == artist | {"name": artist["name"]} or album["artist"]["id"] == artist["id"]
    return {**album, "artistId": artist["id"], "artistName": artist["name"]}


def test_demo_catalog_is_browsable(local_api: Api, listener: Run) -> None:
    local_api.local_only()  # the demo seed
    page = listener(SONGS, limit=50)["songs"]
    titles = {s["title"] for s in page["items"]}
    assert {"Midnight Tram", "Corazón", "Static"} <= titles
    genres = {g["id"] for g in listener("{ genres { id name } }")["genres"]}
    assert {"jazz", "rock", "hip-hop"} <= genres


def test_paginate_an_album_in_track_order(admin: Run, album: dict) -> None:
    for n in (3, 1, 5, 2, 4):
        admin(
            CREATE_SONG,
            i={
                "title": f"Track {n}",
                "artistId": album["artistId"],
                "albumId": album["id"],
                "genre": "rock",
                "trackNumber": n,
            },
        )
    seen, token, pages = [], None, 0
    while True:
        page = admin(SONGS, f={"albumId": album["id"]}, limit=2, next=token)["songs"]
        seen += page["items"]
        pages += 1
        token = page["nextToken"]
        if not token:
            break
    assert [s["trackNumber"] for s in seen] == [1, 2, 3, 4, 5]
    assert pages == 3
    assert {s["album"]["title"] for s in seen} == {album["title"]}
    assert {s["artist"]["name"] for s in seen} == {album["artistName"]}

    nested = admin(  # the tracks are drafts: listeners see none of them yet
        "query($id: ID!) { album(id: $id) { title songs(limit: 10) { items { title } } artist { albums { items { id } } } } }",
        id=album["id"],
    )["album"]
    assert [s["title"] for s in nested["songs"]["items"]] == [f"Track {n}" for n in range(1, 6)]
    assert nested["artist"]["albums"]["items"] == [{"id": album["id"]}]


def test_filter_by_genre_and_artist(admin: Run, listener: Run, local_api: Api, album: dict) -> None:
    local_api.local_only()  # makes songs READY in the emulator's table
    jazz = admin(CREATE_SONG, i={"title": unique("Jazzy"), "artistId": album["artistId"], "genre": "jazz"})[
        "createSong"
    ]
    rock = admin(CREATE_SONG, i={"title": unique("Rocky"), "artistId": album["artistId"], "genre": "rock"})
    by_artist = admin(SONGS, f={"artistId": album["artistId"]}, limit=10)["songs"]["items"]
    assert len(by_artist) == 2
    assert listener(SONGS, f={"artistId": album["artistId"]}, limit=10)["songs"]["items"] == [], "drafts: admins only"
    for song in (jazz, rock["createSong"]):
        mark_ready_on_emulator(local_api.config, song["id"])
    assert len(listener(SONGS, f={"artistId": album["artistId"]}, limit=10)["songs"]["items"]) == 2
    both = listener(SONGS, f={"artistId": album["artistId"], "genre": "jazz"}, limit=10)["songs"]["items"]
    assert [s["id"] for s in both] == [jazz["id"]]
    assert jazz["id"] in [s["id"] for s in listener(SONGS, f={"genre": "jazz"}, limit=100)["songs"]["items"]]


def test_admin_crud_and_refused_deletes(admin: Run, listener: Run, album: dict) -> None:
    song = admin(
        CREATE_SONG, i={"title": "Draft", "artistId": album["artistId"], "albumId": album["id"], "genre": "rock"}
    )["createSong"]
    assert song["status"] == "DRAFT"
    updated = admin(
        'mutation($id: ID!) { updateSong(id: $id, input: {title: "Final", trackNumber: 7}) { title trackNumber } }',
        id=song["id"],
    )["updateSong"]
    assert updated == {"title": "Final", "trackNumber": 7}
    renamed = admin(
        'mutation($id: ID!) { updateArtist(id: $id, input: {name: "Renamed", bio: "Hi"}) { name bio } }',
        id=album["artistId"],
    )
    assert renamed["updateArtist"] == {"name": "Renamed", "bio": "Hi"}
    retitled = admin(
        'mutation($id: ID!) { updateAlbum(id: $id, input: {releaseDate: "2020-01-01"}) { releaseDate title } }',
        id=album["id"],
    )
    assert retitled["updateAlbum"] == {"releaseDate": "2020-01-01", "title": album["title"]}

    with pytest.raises(TransportQueryError) as raised:
        admin("mutation($id: ID!) { deleteArtist(id: $id) }", id=album["artistId"])
    assert error_type(raised) == "ConflictError"
    with pytest.raises(TransportQueryError) as raised:
        admin("mutation($id: ID!) { deleteAlbum(id: $id) }", id=album["id"])
    assert error_type(raised) == "ConflictError"
    assert listener("query($id: ID!) { song(id: $id) { title } }", id=song["id"])["song"] == {"title": "Final"}

    assert admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song["id"])["deleteSong"] == song["id"]
    assert admin("mutation($id: ID!) { deleteAlbum(id: $id) }", id=album["id"])["deleteAlbum"] == album["id"]
    assert (
        admin("mutation($id: ID!) { deleteArtist(id: $id) }", id=album["artistId"])["deleteArtist"] == album["artistId"]
    )
    gone = listener(
        "query($s: ID!, $a: ID!, $r: ID!) { song(id: $s) { id } album(id: $a) { id } artist(id: $r) { id } }",
        s=song["id"],
        a=album["id"],
        r=album["artistId"],
    )
    assert gone == {"song": None, "album": None, "artist": None}
    with pytest.raises(TransportQueryError) as raised:
        admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song["id"])
    assert error_type(raised) == "NotFoundError"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (CREATE_SONG, {"i": {"title": "", "artistId": str(uuid.uuid4()), "genre": "rock"}}),
        (CREATE_SONG, {"i": {"title": "T", "artistId": "not-an-id", "genre": "rock"}}),
        (CREATE_ARTIST, {"i": {"name": "A", "genres": ["polka"]}}),
        (CREATE_ARTIST, {"i": {"name": "A", "imageUrl": "not a url"}}),
        (CREATE_ALBUM, {"i": {"artistId": str(uuid.uuid4()), "title": "T", "genre": "rock", "releaseDate": "May 1st"}}),
        (SONGS, {"limit": 0}),
        (SONGS, {"limit": 101}),
        (SONGS, {"next": "not-a-token"}),
    ],
)
def test_bad_input_is_a_validation_error(admin: Run, document: str, variables: dict) -> None:
    with pytest.raises(TransportQueryError) as raised:
        admin(document, **variables)
    assert error_type(raised) == "ValidationError"
    assert "Traceback" not in str(raised.value.errors)


def test_missing_references_are_not_found_and_store_nothing(admin: Run, listener: Run) -> None:
    title = unique("Orphan")
    with pytest.raises(TransportQueryError) as raised:
        admin(CREATE_SONG, i={"title": title, "artistId": str(uuid.uuid4()), "genre": "pop"})
    assert error_type(raised) == "NotFoundError"
    assert title not in {s["title"] for s in listener(SONGS, f={"genre": "pop"}, limit=100)["songs"]["items"]}
