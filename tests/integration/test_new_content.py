"""Follows and new releases end to end: subscriptions over both websocket protocols, inbox, email.

A release is made the way the media pipeline will make it (tests/integration/stand_in_media.py).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication, AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from resolvers import realtime
from tests.integration.conftest import Api, Run, client, sign_in, unique
from tests.integration.stand_in_media import redeliver, release_song, wait_until_consumed

PASSWORD = "Listen-2-music!"
GENRE = "reggae"
ON_NEW_CONTENT = """subscription($artistId: ID, $genre: String) {
  onNewContent(artistId: $artistId, genre: $genre) { eventId kind id artistId title artistName genre publishedAt }
}"""
FOLLOW = "mutation($i: FollowInput!) { follow(input: $i) { artistId genre followedAt } }"
EMAIL_ON = "mutation { setEmailNotifications(enabled: true) { enabled email followsCovered } }"
INBOX = "{ unreadNotificationCount notifications { items { id kind contentId title artistName read } nextToken } }"
PUBLISH = "mutation($i: NewContentInput!) { publishNewContent(input: $i) { eventId title } }"


@dataclass
class Listener:
    email: str
    token: str
    run: Run


def new_listener(local_api: Api, guest: Run) -> Listener:
    """A fresh account (its own inbox and mail), registered and confirmed like any user."""
    email = f"fan-{uuid.uuid4().hex[:8]}@example.com"
    guest(
        'mutation($e: AWSEmail!, $p: String!) { register(email: $e, password: $p, displayName: "Fan") { userConfirmed } }',
        e=email,
        p=PASSWORD,
    )
    code = local_api.outbox(email)[-1]["code"]
    guest("mutation($e: AWSEmail!, $c: String!) { confirmRegistration(email: $e, code: $c) }", e=email, c=code)
    token = sign_in(guest, email, PASSWORD)["idToken"]
    return Listener(email, token, client(local_api.url, {"authorization": token}))


def ws_url(local_api: Api) -> str:
    return local_api.url.replace("http://", "ws://")


def transport_ws(local_api: Api, headers: dict[str, str]) -> WebsocketsTransport:
    """graphql-transport-ws, as GraphiQL and most GraphQL clients speak it."""
    return WebsocketsTransport(
        url=ws_url(local_api), init_payload=headers, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )


def appsync_ws(local_api: Api, token: str) -> AppSyncWebsocketsTransport:
    """AppSync's own real-time protocol, unchanged from what a deployed API needs but the URL."""
    host = local_api.url.split("/")[2]
    return AppSyncWebsocketsTransport(url=ws_url(local_api), auth=AppSyncJWTAuthentication(host=host, jwt=token))


def subscriptions(local_api: Api) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{local_api.base}/subscriptions", timeout=10) as response:
        return json.load(response)


async def wait_for_subscribers(local_api: Api, wanted: list[dict[str, Any]], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = [s["arguments"] for s in await asyncio.to_thread(subscriptions, local_api)]
        if all(w in active for w in wanted):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"subscriptions {wanted} not registered in time")


async def listen(transport: Any, variables: dict[str, Any], events: list[dict[str, Any]]) -> None:
    async with Client(transport=transport) as session:
        async for result in session.subscribe(GraphQLRequest(ON_NEW_CONTENT, variable_values=variables)):
            events.append(result["onNewContent"])


@pytest.fixture
def release(admin: Run) -> dict[str, Any]:
    """A new artist with a song in draft, nothing announced yet."""
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id name } }", n=unique("Roots Band"))[
        "createArtist"
    ]
    other = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Other"))["createArtist"]
    song = admin(
        "mutation($i: CreateSongInput!) { createSong(input: $i) { id title status } }",
        i={"title": unique("Sunrise Dub"), "artistId": artist["id"], "genre": GENRE},
    )["createSong"]
    return {"artist": artist, "other": other, "song": song}


@pytest.fixture
def tasks() -> Iterator[list[asyncio.Task]]:
    started: list[asyncio.Task] = []
    yield started
    for task in started:
        task.cancel()


def test_a_release_reaches_each_follower_once_on_every_channel(
    local_api: Api, guest: Run, release: dict[str, Any]
) -> None:
    artist_fan, genre_fan, bystander = (new_listener(local_api, guest) for _ in range(3))
    artist_id, song = release["artist"]["id"], release["song"]
    artist_fan.run(FOLLOW, i={"artistId": artist_id})
    genre_fan.run(FOLLOW, i={"genre": GENRE})
    for fan in (artist_fan, genre_fan):
        assert fan.run(EMAIL_ON)["setEmailNotifications"] == {"enabled": True, "email": fan.email, "followsCovered": 1}
    follower_count = artist_fan.run("query($id: ID!) { artist(id: $id) { followerCount } }", id=artist_id)
    assert follower_count["artist"]["followerCount"] == 1

    by_artist: list[dict[str, Any]] = []
    by_genre: list[dict[str, Any]] = []
    unrelated: list[dict[str, Any]] = []

    async def scenario() -> str:
        listeners = [
            asyncio.create_task(
                listen(transport_ws(local_api, {"Authorization": artist_fan.token}), {"artistId": artist_id}, by_artist)
            ),
            asyncio.create_task(listen(appsync_ws(local_api, genre_fan.token), {"genre": GENRE}, by_genre)),
            asyncio.create_task(
                listen(
                    transport_ws(local_api, {"Authorization": bystander.token}),
                    {"artistId": release["other"]["id"]},
                    unrelated,
                )
            ),
        ]
        try:
            await wait_for_subscribers(
                local_api, [{"artistId": artist_id}, {"genre": GENRE}, {"artistId": release["other"]["id"]}]
            )
            body = await asyncio.to_thread(release_song, local_api.config["awsEndpoint"], song["id"])
            started = time.monotonic()
            while (not by_artist or not by_genre) and time.monotonic() - started < 1.0:
                await asyncio.sleep(0.01)
            assert by_artist and by_genre, "each subscriber gets the event within a second"
            await asyncio.sleep(0.3)  # room for a duplicate or a stray event to show up

            # SQS delivers at least once: the same message again changes nothing.
            await asyncio.to_thread(redeliver, local_api.config["awsEndpoint"], body)
            await asyncio.to_thread(wait_until_consumed, local_api.config["awsEndpoint"])
            await asyncio.sleep(0.3)
            return body
        finally:
            for task in listeners:
                task.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)

    body = asyncio.run(scenario())
    event_id = json.loads(body)["eventId"]

    assert len(by_artist) == 1
    assert len(by_genre) == 1
    assert unrelated == []
    for event in (by_artist[0], by_genre[0]):
        assert event == {
            "eventId": event_id,
            "kind": "SONG",
            "id": song["id"],
            "artistId": artist_id,
            "title": song["title"],
            "artistName": release["artist"]["name"],
            "genre": GENRE,
            "publishedAt": event["publishedAt"],
        }

    for fan in (artist_fan, genre_fan):
        inbox = fan.run(INBOX)
        assert inbox["unreadNotificationCount"] == 1
        (note,) = inbox["notifications"]["items"]
        assert (note["id"], note["contentId"], note["kind"], note["read"]) == (event_id, song["id"], "SONG", False)
        mails = [m for m in local_api.outbox(fan.email) if m.get("via") == "sns"]
        assert len(mails) == 1, "one email per opted-in follower"
        assert song["title"] in mails[0]["subject"]
    assert bystander.run(INBOX)["unreadNotificationCount"] == 0

    assert artist_fan.run("mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }", ids=[event_id]) == {
        "markNotificationsRead": 1
    }
    assert artist_fan.run(INBOX)["unreadNotificationCount"] == 0
    assert genre_fan.run(INBOX)["unreadNotificationCount"] == 1, "each listener marks only their own"


def test_subscriptions_are_not_served_over_http(listener: Run) -> None:
    with pytest.raises(TransportQueryError) as raised:
        listener("subscription { onNewContent { id } }")
    assert raised.value.errors[0]["errorType"] == "UnsupportedOperation"


def test_listeners_cannot_publish_new_content(listener: Run) -> None:
    content = {
        "eventId": str(uuid.uuid4()),
        "kind": "SONG",
        "id": str(uuid.uuid4()),
        "artistId": str(uuid.uuid4()),
        "title": "Fake",
        "artistName": "Nobody",
        "genre": GENRE,
        "publishedAt": "2026-01-01T00:00:00.000Z",
        "audiences": [f"GENRE#{GENRE}"],
    }
    with pytest.raises(TransportQueryError) as raised:
        listener(PUBLISH, i=content)
    assert raised.value.errors[0]["errorType"] == "Unauthorized"


def _post(request: urllib.request.Request) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_backend_publishes_with_a_sigv4_signature(local_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    realtime._session.cache_clear()
    content = {
        "eventId": str(uuid.uuid4()),
        "kind": "ALBUM",
        "id": str(uuid.uuid4()),
        "artistId": str(uuid.uuid4()),
        "title": "Signed",
        "artistName": "Backend",
        "genre": GENRE,
        "publishedAt": "2026-01-01T00:00:00.000Z",
        "audiences": [f"GENRE#{GENRE}"],
    }
    body = json.dumps({"query": PUBLISH, "variables": {"i": content}}).encode()
    status, answer = _post(realtime.signed_request(local_api.url, body))
    assert (status, answer["data"]) == (200, {"publishNewContent": {"eventId": content["eventId"], "title": "Signed"}})

    tampered = realtime.signed_request(local_api.url, body)
    tampered.data = body.replace(b"Signed", b"Forged")
    status, answer = _post(tampered)
    assert status == 401
    assert answer["errors"][0]["errorType"] == "UnauthorizedException"

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-local-secret")
    realtime._session.cache_clear()
    status, _ = _post(realtime.signed_request(local_api.url, body))
    assert status == 401
    realtime._session.cache_clear()


def test_subscription_auth_applies_to_the_subscriber(local_api: Api) -> None:
    host = local_api.url.split("/")[2]

    async def as_guest() -> None:
        transport = AppSyncWebsocketsTransport(
            url=ws_url(local_api), auth=AppSyncApiKeyAuthentication(host=host, api_key=local_api.config["apiKey"])
        )
        await listen(transport, {}, [])

    with pytest.raises(TransportQueryError) as raised:
        asyncio.run(as_guest())
    assert raised.value.errors[0]["errors"][0]["errorType"] == "Unauthorized"

    async def with_a_bad_token() -> None:
        await listen(appsync_ws(local_api, "not.a.jwt"), {}, [])

    with pytest.raises(Exception, match="UnauthorizedException"):
        asyncio.run(with_a_bad_token())
