"""Import keys: an importer's own key per artist, album and song, unique per kind and looked up through the API."""

from __future__ import annotations

import uuid

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Run, unique

CREATE_ARTIST = "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id } }"
CREATE_ALBUM = "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }"
CREATE_SONG = "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }"
IMPORTED = "query($k: ImportKind!, $keys: [String!]!) { importedItems(kind: $k, importKeys: $keys) { importKey id } }"


def key() -> str:
    return f"key {uuid.uuid4().hex}"


def error_of(run: Run, document: str, **variables: object) -> dict:
    with pytest.raises(TransportQueryError) as raised:
        run(document, **variables)
    return raised.value.errors[0]


def test_a_key_names_one_item_per_kind_and_is_found_in_one_call(admin: Run) -> None:
    artist_key, album_key, song_key, unused = key(), key(), key(), key()
    artist = admin(CREATE_ARTIST, i={"name": unique("Importee"), "importKey": artist_key})["createArtist"]["id"]
    album = admin(CREATE_ALBUM, i={"artistId": artist, "title": "A", "genre": "jazz", "importKey": album_key})
    album_id = album["createAlbum"]["id"]
    song = admin(
        CREATE_SONG, i={"artistId": artist, "albumId": album_id, "title": "S", "genre": "jazz", "importKey": song_key}
    )
    song_id = song["createSong"]["id"]

    assert admin(IMPORTED, k="ARTIST", keys=[unused, artist_key])["importedItems"] == [
        {"importKey": artist_key, "id": artist}
    ]
    assert admin(IMPORTED, k="ALBUM", keys=[album_key])["importedItems"] == [{"importKey": album_key, "id": album_id}]
    assert admin(IMPORTED, k="SONG", keys=[song_key, song_key])["importedItems"] == [
        {"importKey": song_key, "id": song_id}
    ]
    assert admin(IMPORTED, k="SONG", keys=[artist_key])["importedItems"] == [], "keys are per kind"

    error = error_of(admin, CREATE_ARTIST, i={"name": unique("Twin"), "importKey": artist_key})
    assert error["errorType"] == "ConflictError" and artist in error["message"]
    error = error_of(
        admin, CREATE_SONG, i={"artistId": artist, "title": "Again", "genre": "jazz", "importKey": song_key}
    )
    assert error["errorType"] == "ConflictError" and song_id in error["message"]
    albums = admin("query($id: ID!) { artist(id: $id) { albums { items { id } } } }", id=artist)["artist"]["albums"]
    assert albums["items"] == [{"id": album_id}], "the refused creates stored nothing"

    admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song_id)
    assert admin(IMPORTED, k="SONG", keys=[song_key])["importedItems"] == [], "a delete frees its key"
    again = admin(CREATE_SONG, i={"artistId": artist, "title": "S", "genre": "jazz", "importKey": song_key})
    assert admin(IMPORTED, k="SONG", keys=[song_key])["importedItems"] == [
        {"importKey": song_key, "id": again["createSong"]["id"]}
    ]


def test_a_lookup_takes_at_most_100_keys(admin: Run) -> None:
    error = error_of(admin, IMPORTED, k="ARTIST", keys=[key() for _ in range(101)])
    assert error["errorType"] == "ValidationError" and "at most 100" in error["message"]
    assert admin(IMPORTED, k="ARTIST", keys=[key() for _ in range(100)])["importedItems"] == []


def test_listeners_cannot_look_up_import_keys(listener: Run) -> None:
    assert error_of(listener, IMPORTED, k="ARTIST", keys=[key()])["errorType"] == "Unauthorized"
