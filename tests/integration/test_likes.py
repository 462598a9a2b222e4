"""Likes over GraphQL on the emulator: liked songs, albums and artists, newest first, per listener."""

from __future__ import annotations

from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, unique
from tests.integration.test_new_content import new_listener
from tests.integration.test_ratings import new_song
from tests.media_stand_in import mark_ready_on_emulator

LIKE = (
    "mutation($i: LikeInput!) { like(input: $i) { kind likedAt song { title liked } album { title } artist { name } } }"
)
UNLIKE = "mutation($i: LikeInput!) { unlike(input: $i) }"
MY_LIKES = """query($k: LikeKind!, $n: Int, $t: String) {
  myLikes(kind: $k, limit: $n, nextToken: $t) { items { kind song { id title } album { id } artist { id liked } } nextToken }
}"""
SONG = "query($id: ID!) { song(id: $id) { liked artist { liked } } }"


@pytest.fixture
def songs(local_api: Api, admin: Run) -> list[dict[str, Any]]:
    local_api.local_only()
    made = [new_song(admin, genre="jazz") for _ in range(3)]
    for song in made:
        mark_ready_on_emulator(local_api.config, song["id"])
    return made


def test_likes_newest_first_paged_and_each_listener_their_own(
    local_api: Api, guest: Run, admin: Run, songs: list[dict]
) -> None:
    anna, ben = new_listener(local_api, guest), new_listener(local_api, guest)
    for song in songs:
        liked = anna.run(LIKE, i={"songId": song["id"]})["like"]
        assert liked["kind"] == "SONG" and liked["song"]["liked"] is True
    first = anna.run(MY_LIKES, k="SONG", n=2)["myLikes"]
    rest = anna.run(MY_LIKES, k="SONG", n=2, t=first["nextToken"])["myLikes"]
    assert [like["song"]["id"] for like in first["items"] + rest["items"]] == [s["id"] for s in reversed(songs)]
    assert rest["nextToken"] is None
    assert ben.run(MY_LIKES, k="SONG")["myLikes"]["items"] == []
    assert ben.run(SONG, id=songs[0]["id"])["song"]["liked"] is False
    assert anna.run(SONG, id=songs[0]["id"])["song"] == {"liked": True, "artist": {"liked": False}}

    artist_id = admin("query($id: ID!) { song(id: $id) { artist { id } } }", id=songs[0]["id"])["song"]["artist"]["id"]
    anna.run(LIKE, i={"artistId": artist_id})
    assert anna.run(MY_LIKES, k="ARTIST")["myLikes"]["items"] == [
        {"kind": "ARTIST", "song": None, "album": None, "artist": {"id": artist_id, "liked": True}}
    ]
    assert anna.run(UNLIKE, i={"songId": songs[0]["id"]})["unlike"] is True
    assert anna.run(UNLIKE, i={"songId": songs[0]["id"]})["unlike"] is False
    assert anna.run(SONG, id=songs[0]["id"])["song"]["liked"] is False


def test_liking_what_does_not_exist_or_two_things_is_refused(local_api: Api, guest: Run, admin: Run) -> None:
    anna = new_listener(local_api, guest)
    draft = new_song(admin)
    with pytest.raises(TransportQueryError) as raised:
        anna.run(LIKE, i={"songId": draft["id"]})
    assert raised.value.errors[0]["errorType"] == "NotFoundError"
    album = admin(
        'mutation($a: ID!, $t: String!) { createAlbum(input: {artistId: $a, title: $t, genre: "jazz"}) { id } }',
        a=admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Liked"))["createArtist"][
            "id"
        ],
        t=unique("Liked album"),
    )["createAlbum"]
    with pytest.raises(TransportQueryError) as raised:
        anna.run(LIKE, i={"songId": draft["id"], "albumId": album["id"]})
    assert raised.value.errors[0]["errorType"] == "ValidationError"
    assert anna.run(LIKE, i={"albumId": album["id"]})["like"]["album"]["title"].startswith("Liked album")
    assert anna.run(MY_LIKES, k="SONG")["myLikes"]["items"] == []
