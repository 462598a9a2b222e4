"""Listener and admin operations with either of the user pool's tokens.

Amplify sends the access token, over HTTP and websockets alike; `login` clients and most
examples send the id token. The two carry different claims (only the id token has `email`,
`aud` and `cognito:username`; only the access token `client_id`, `username` and `scope`), so
every operation here runs once with each: a resolver that needs an id-token claim fails
with the access token.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import jwt
import pytest

from emulator.seed import ADMIN
from tests.integration.conftest import Api, Run, client, unique
from tests.integration.stand_in_media import release_song
from tests.integration.test_new_content import PASSWORD, appsync_ws, listen, new_listener, wait_for_subscribers

TOKEN_KINDS = ["idToken", "accessToken"]

FOLLOW = "mutation($a: ID!) { follow(input: {artistId: $a}) { artistId } }"
OWN_DATA = """{
  me { id email displayName groups }
  myRatings { items { songId stars } }
  myFollows { items { artistId } }
  offlineLibrary { items { song { id } } }
  emailNotifications { enabled email }
  unreadNotificationCount
}"""


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def signed_in(local_api: Api, guest: Run, email: str, password: str, kind: str) -> tuple[Run, dict[str, Any]]:
    """A client sending this kind of token, and the token's claims."""
    token = sign_in_tokens(guest, email, password)[kind]
    return client(local_api.url, {"authorization": token}), claims_of(token)


def sign_in_tokens(guest: Run, email: str, password: str) -> dict[str, str]:
    return guest(
        "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken accessToken } }",
        e=email,
        p=password,
    )["login"]


def test_the_two_tokens_differ_as_cognitos_do(guest: Run) -> None:
    """The premise of the tests below: only the id token names the email."""
    tokens = sign_in_tokens(guest, ADMIN["email"], ADMIN["password"])
    id_claims, access_claims = claims_of(tokens["idToken"]), claims_of(tokens["accessToken"])
    assert id_claims["token_use"] == "id" and access_claims["token_use"] == "access"
    assert id_claims["email"] == ADMIN["email"] and "email" not in access_claims
    assert id_claims["sub"] == access_claims["sub"]
    assert id_claims["cognito:groups"] == access_claims["cognito:groups"]


@pytest.mark.parametrize("kind", TOKEN_KINDS)
def test_a_listeners_operations_work_with_either_token(local_api: Api, guest: Run, admin: Run, kind: str) -> None:
    local_api.local_only()  # a new account confirmed with the mailed code
    email = new_listener(local_api, guest).email
    listener, claims = signed_in(local_api, guest, email, PASSWORD, kind)
    # A demo song with real audio: the newest song may be a test's stand-in release, READY without a file.
    found = listener('{ search(query: "midnight tram") { songs { id title artist { id } } } }')["search"]["songs"]
    song = next(s for s in found if s["title"] == "Midnight Tram")
    artist_id = song["artist"]["id"]

    assert listener("{ genres { id } }")["genres"]
    assert listener("mutation($s: ID!) { rateSong(songId: $s, stars: 5) { stars } }", s=song["id"])
    assert listener(FOLLOW, a=artist_id)["follow"]["artistId"] == artist_id
    assert listener("mutation($s: ID!) { addToOffline(songId: $s) { song { id } } }", s=song["id"])
    assert listener("mutation { setEmailNotifications(enabled: true) { enabled } }")["setEmailNotifications"]
    mine = listener(OWN_DATA)
    assert mine["me"] == {"id": claims["sub"], "email": email, "displayName": "Fan", "groups": ["users"]}
    assert mine["myRatings"]["items"] == [{"songId": song["id"], "stars": 5}]
    assert mine["myFollows"]["items"] == [{"artistId": artist_id}]
    assert mine["offlineLibrary"]["items"] == [{"song": {"id": song["id"]}}]
    assert mine["emailNotifications"] == {"enabled": True, "email": email}
    assert listener("query($s: ID!) { song(id: $s) { myRating } }", s=song["id"])["song"]["myRating"] == 5
    assert listener("{ feed(limit: 3) { items { song { id } } } }")["feed"]["items"] is not None

    assert listener("mutation($s: ID!) { removeRating(songId: $s) }", s=song["id"])["removeRating"] is True
    assert listener("mutation($a: ID!) { unfollow(input: {artistId: $a}) }", a=artist_id)["unfollow"] is True
    assert listener("mutation($s: ID!) { removeFromOffline(songId: $s) }", s=song["id"])["removeFromOffline"]
    after = listener(OWN_DATA)
    assert after["myRatings"]["items"] == after["myFollows"]["items"] == after["offlineLibrary"]["items"] == []


@pytest.mark.parametrize("kind", TOKEN_KINDS)
def test_an_admins_operations_work_with_either_token(local_api: Api, guest: Run, kind: str) -> None:
    admin, _ = signed_in(local_api, guest, ADMIN["email"], ADMIN["password"], kind)
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Token Band"))
    artist_id = artist["createArtist"]["id"]
    album_id = admin(
        "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
        i={"artistId": artist_id, "title": unique("Token Album"), "genre": "rock"},
    )["createAlbum"]["id"]
    song_id = admin(
        "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
        i={"artistId": artist_id, "albumId": album_id, "title": unique("Draft"), "genre": "rock", "trackNumber": 1},
    )["createSong"]["id"]
    renamed = admin(
        "mutation($s: ID!, $i: UpdateSongInput!) { updateSong(id: $s, input: $i) { title } }",
        s=song_id,
        i={"title": "Renamed"},
    )
    assert renamed["updateSong"]["title"] == "Renamed"
    # Drafts are shown to admins only: the resolver must see the admin group in this token.
    assert admin("query($s: ID!) { song(id: $s) { status } }", s=song_id)["song"]["status"] == "DRAFT"
    upload = admin(
        "mutation($i: UploadRequestInput!) { requestUpload(input: $i) { url } }",
        i={"kind": "AUDIO", "songId": song_id, "contentType": "audio/mpeg", "sizeBytes": 1000},
    )
    assert upload["requestUpload"]["url"]
    assert admin("mutation($s: ID!) { deleteSong(id: $s) }", s=song_id)["deleteSong"] == song_id
    assert admin("mutation($a: ID!) { deleteAlbum(id: $a) }", a=album_id)["deleteAlbum"] == album_id
    assert admin("mutation($a: ID!) { deleteArtist(id: $a) }", a=artist_id)["deleteArtist"] == artist_id


@pytest.mark.parametrize("kind", TOKEN_KINDS)
def test_a_release_reaches_a_subscriber_with_either_token(local_api: Api, guest: Run, admin: Run, kind: str) -> None:
    """AppSync's real-time protocol with the token in its header, as Amplify subscribes."""
    local_api.local_only()  # releases the song through the emulator's queue
    token = sign_in_tokens(guest, ADMIN["email"], ADMIN["password"])[kind]
    artist_id = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Live"))[
        "createArtist"
    ]["id"]
    song_id = admin(
        "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
        i={"title": unique("Live Song"), "artistId": artist_id, "genre": "rock"},
    )["createSong"]["id"]
    events: list[dict[str, Any]] = []

    async def scenario() -> None:
        task = asyncio.create_task(listen(appsync_ws(local_api, token), {"artistId": artist_id}, events))
        try:
            await wait_for_subscribers(local_api, [{"artistId": artist_id}])
            await asyncio.to_thread(release_song, local_api.config["awsEndpoint"], song_id)
            deadline = time.monotonic() + 10
            while not events and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert [(event["id"], event["artistId"]) for event in events] == [(song_id, artist_id)]
