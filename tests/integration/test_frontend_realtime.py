"""Frontends connect unchanged: the local CA, amplify_outputs.json, and AppSync's real-time endpoint.

The websocket client here does what Amplify JS 6's AWSAppSyncRealTimeProvider does: it reads
`data.url` from amplify_outputs.json, derives `wss://<host>/graphql/realtime` from it, trusts
nothing but the local CA, and sends its credentials in a `header-<base64url JSON>` subprotocol
next to `graphql-ws`. Each message AppSync's real-time protocol defines has its own test.
"""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from resolvers import realtime
from tests.integration.conftest import LOGIN, Api, Run, start_emulator, stop_emulator

CONNECTION_TIMEOUT_MS = 300_000  # what AppSync's connection_ack says
ON_NEW_CONTENT = "subscription($artistId: ID) { onNewContent(artistId: $artistId) { eventId artistId title } }"
PUBLISH = "mutation($i: NewContentInput!) { publishNewContent(input: $i) { eventId artistId title } }"
WAIT_SECONDS = 10


def fetch(url: str, context: ssl.SSLContext | None = None) -> bytes:
    with urllib.request.urlopen(url, timeout=10, context=context) as response:
        return response.read()


@pytest.fixture(scope="module")
def frontend(local_api: Api, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What a frontend developer has: amplify_outputs.json and the CA file, both from the plain HTTP port."""
    local_api.local_only()
    ca_file = tmp_path_factory.mktemp("frontend") / "local-ca.pem"
    ca_file.write_bytes(fetch(f"{local_api.base}/local-ca.pem"))
    return {"outputs": json.loads(fetch(f"{local_api.base}/amplify_outputs.json")), "ca_file": ca_file}


def trusting(ca_file: Path) -> ssl.SSLContext:
    """The local CA as the only trust root, hostnames checked: as Node with NODE_EXTRA_CA_CERTS, minus the rest."""
    return ssl.create_default_context(cafile=str(ca_file))


def amplify_realtime_url(graphql_url: str) -> str:
    """Amplify's getRealtimeEndpointUrl for a non-AppSync host: `/realtime` appended, always wss."""
    return (graphql_url + "/realtime").replace("https://", "wss://").replace("http://", "wss://")


def header_subprotocol(headers: dict[str, str]) -> str:
    return "header-" + base64.urlsafe_b64encode(json.dumps(headers).encode()).decode().rstrip("=")


@pytest.fixture(scope="module")
def access_token(guest: Run) -> str:
    """A listener's access token: what Amplify's Auth hands its real-time provider."""
    from emulator.seed import LISTENER  # noqa: PLC0415 - the demo account exists only locally

    return guest(LOGIN.replace("idToken", "accessToken"), email=LISTENER["email"], password=LISTENER["password"])[
        "login"
    ]["accessToken"]


class Amplified:
    """One real-time connection opened as Amplify opens it."""

    def __init__(self, socket: ClientConnection, authorization: dict[str, str]) -> None:
        self.socket = socket
        self.authorization = authorization

    async def receive(self, *, keep_alives: bool = False) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), WAIT_SECONDS))
            if keep_alives or message["type"] != "ka":
                return message

    async def init(self) -> dict[str, Any]:
        await self.socket.send(json.dumps({"type": "connection_init"}))
        return await self.receive()

    async def start(self, operation_id: str, query: str, variables: dict[str, Any]) -> None:
        data = json.dumps({"query": query, "variables": variables})
        payload = {"data": data, "extensions": {"authorization": {**self.authorization, "x-amz-user-agent": "test"}}}
        await self.socket.send(json.dumps({"id": operation_id, "type": "start", "payload": payload}))


@asynccontextmanager
async def amplify_connection(frontend: dict[str, Any], token: str) -> AsyncIterator[Amplified]:
    url = amplify_realtime_url(frontend["outputs"]["data"]["url"])
    authorization = {"Authorization": token, "host": url.split("/")[2]}
    async with connect(
        url, ssl=trusting(frontend["ca_file"]), subprotocols=["graphql-ws", header_subprotocol(authorization)]
    ) as socket:
        assert socket.subprotocol == "graphql-ws"
        yield Amplified(socket, authorization)


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fan-out's credentials (the emulator's local ones), to sign publishNewContent."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    realtime._session.cache_clear()
    yield
    realtime._session.cache_clear()


def new_content(artist_id: str) -> dict[str, Any]:
    return {
        "eventId": str(uuid.uuid4()),
        "kind": "SONG",
        "id": str(uuid.uuid4()),
        "artistId": artist_id,
        "title": f"Dawn {uuid.uuid4().hex[:6]}",
        "artistName": "Test Band",
        "genre": "jazz",
        "publishedAt": "2026-01-01T00:00:00.000Z",
        "audiences": [f"ARTIST#{artist_id}", "GENRE#jazz"],  # required since onMyNewContent filters on it
    }


async def publish(local_api: Api, content: dict[str, Any]) -> None:
    """publishNewContent as the fan-out sends it (SigV4), on the plain HTTP port."""
    body = json.dumps({"query": PUBLISH, "variables": {"i": content}}).encode()

    def send() -> bytes:
        with urllib.request.urlopen(realtime.signed_request(local_api.url, body), timeout=10) as response:
            return response.read()

    answer = json.loads(await asyncio.to_thread(send))
    assert answer["data"]["publishNewContent"]["eventId"] == content["eventId"]


# The local CA and amplify_outputs.json


def test_the_local_ca_is_a_ca_and_the_only_trust_root_needed(frontend: dict[str, Any]) -> None:
    ca = x509.load_pem_x509_certificate(frontend["ca_file"].read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    https_root = frontend["outputs"]["data"]["url"].removesuffix("/graphql")
    port = https_root.rsplit(":", 1)[1]
    for host in ("127.0.0.1", "localhost"):  # names the certificate covers; hostnames are checked
        outputs = json.loads(fetch(f"https://{host}:{port}/amplify_outputs.json", trusting(frontend["ca_file"])))
        assert outputs == frontend["outputs"], "the same document on both ports"
    with pytest.raises(urllib.error.URLError) as refused:
        fetch(f"{https_root}/amplify_outputs.json", ssl.create_default_context())
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError), "the system's roots do not know the CA"


def test_amplify_outputs_name_the_https_api_and_the_user_pool(local_api: Api, frontend: dict[str, Any]) -> None:
    outputs = frontend["outputs"]
    assert outputs["version"].startswith("1"), "Amplify JS 6 reads version 1 documents"
    assert outputs["auth"] == {
        "aws_region": local_api.config["region"],
        "user_pool_id": local_api.config["userPoolId"],
        "user_pool_client_id": local_api.config["userPoolClientId"],
        "username_attributes": ["email"],
        "standard_required_attributes": ["email"],
    }
    data = outputs["data"]
    assert data["url"].startswith("https://127.0.0.1:")
    assert data["url"].endswith("/graphql")
    assert data["url"].split("/")[2] != local_api.url.split("/")[2], "the HTTPS port, not the plain one"
    assert (data["api_key"], data["aws_region"]) == (local_api.config["apiKey"], local_api.config["region"])
    assert data["default_authorization_type"] == "AMAZON_COGNITO_USER_POOLS"
    assert sorted(data["authorization_types"]) == ["API_KEY", "AWS_IAM"]


def test_the_ca_is_kept_across_restarts_with_the_data_dir(tmp_path: Path) -> None:
    process, base = start_emulator("--data-dir", str(tmp_path))
    try:
        first = fetch(f"{base}/local-ca.pem")
    finally:
        stop_emulator(process)
    assert (tmp_path / "tls" / "local-ca.pem").read_bytes() == first
    process, base = start_emulator("--data-dir", str(tmp_path))
    try:
        assert fetch(f"{base}/local-ca.pem") == first
        graphql_url = json.loads(fetch(f"{base}/amplify_outputs.json"))["data"]["url"]
        answer = fetch(graphql_url.replace("/graphql", "/local-ca.pem"), trusting(tmp_path / "tls" / "local-ca.pem"))
        assert answer == first, "the restarted server's certificate is signed by the kept CA"
    finally:
        stop_emulator(process)


# AppSync's real-time protocol at /graphql/realtime, over wss as Amplify opens it


def test_connection_ack_carries_the_connection_timeout(frontend: dict[str, Any], access_token: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, access_token) as connection:
            return await connection.init()

    assert asyncio.run(scenario()) == {
        "type": "connection_ack",
        "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS},
    }


def test_keep_alives_follow_the_ack(frontend: dict[str, Any], access_token: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, access_token) as connection:
            await connection.init()
            return await connection.receive(keep_alives=True)

    assert asyncio.run(scenario()) == {"type": "ka"}


def test_connection_error_for_credentials_that_do_not_verify(frontend: dict[str, Any]) -> None:
    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, "not.a.jwt") as connection:
            return await connection.init()

    message = asyncio.run(scenario())
    assert message["type"] == "connection_error"
    (error,) = message["payload"]["errors"]
    assert (error["errorType"], error["errorCode"]) == ("UnauthorizedException", 401)
    assert "Token is invalid" in error["message"], "the subprotocol's token was read, and refused"


def test_start_ack_once_the_subscription_is_registered(frontend: dict[str, Any], access_token: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, access_token) as connection:
            await connection.init()
            await connection.start("op-1", ON_NEW_CONTENT, {"artistId": str(uuid.uuid4())})
            return await connection.receive()

    assert asyncio.run(scenario()) == {"type": "start_ack", "id": "op-1"}


def test_data_brings_each_matching_event(
    local_api: Api, frontend: dict[str, Any], access_token: str, backend: None
) -> None:
    artist_id = str(uuid.uuid4())
    content = new_content(artist_id)

    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, access_token) as connection:
            await connection.init()
            await connection.start("op-1", ON_NEW_CONTENT, {"artistId": artist_id})
            assert (await connection.receive())["type"] == "start_ack"
            await publish(local_api, new_content(str(uuid.uuid4())))  # another artist's: not for this subscription
            await publish(local_api, content)
            return await connection.receive()

    event = {k: content[k] for k in ("eventId", "artistId", "title")}
    assert asyncio.run(scenario()) == {"type": "data", "id": "op-1", "payload": {"data": {"onNewContent": event}}}


def test_error_for_a_subscription_the_api_refuses(frontend: dict[str, Any], access_token: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, access_token) as connection:
            await connection.init()
            await connection.start("op-1", "subscription { onNewContent { noSuchField } }", {})
            return await connection.receive()

    message = asyncio.run(scenario())
    assert (message["type"], message["id"]) == ("error", "op-1")
    (error,) = message["payload"]["errors"]
    assert error["errorType"] == "ValidationError"
    assert "noSuchField" in error["message"]


def test_complete_answers_a_stop(frontend: dict[str, Any], access_token: str) -> None:
    async def scenario() -> dict[str, Any]:
        async with amplify_connection(frontend, access_token) as connection:
            await connection.init()
            await connection.start("op-1", ON_NEW_CONTENT, {"artistId": str(uuid.uuid4())})
            assert (await connection.receive())["type"] == "start_ack"
            await connection.socket.send(json.dumps({"type": "stop", "id": "op-1"}))
            return await connection.receive()

    assert asyncio.run(scenario()) == {"type": "complete", "id": "op-1"}


def test_the_realtime_path_speaks_only_appsyncs_protocol(local_api: Api, access_token: str) -> None:
    async def scenario() -> None:
        url = local_api.url.replace("http://", "ws://") + "/realtime"
        async with connect(url, subprotocols=["graphql-transport-ws"]):
            pass

    with pytest.raises(InvalidStatus):
        asyncio.run(scenario())


# gql, over plain ws with the ?header= parameter


def test_gql_subscribes_at_the_realtime_path_with_the_header_parameter(
    local_api: Api, access_token: str, backend: None
) -> None:
    artist_id = str(uuid.uuid4())
    content = new_content(artist_id)
    url = local_api.url.replace("http://", "ws://") + "/realtime"
    transport = AppSyncWebsocketsTransport(
        url=url, auth=AppSyncJWTAuthentication(host=url.split("/")[2], jwt=access_token)
    )

    async def scenario() -> dict[str, Any]:
        async with Client(transport=transport) as session:
            events = session.subscribe(GraphQLRequest(ON_NEW_CONTENT, variable_values={"artistId": artist_id}))
            first = asyncio.ensure_future(anext(events))  # gql sends start here; it has no hook for start_ack
            deadline = time.monotonic() + WAIT_SECONDS
            while not await asyncio.to_thread(registered, local_api, artist_id):
                assert time.monotonic() < deadline, "the subscription was not registered"
                await asyncio.sleep(0.05)
            await publish(local_api, content)
            try:
                return await asyncio.wait_for(first, WAIT_SECONDS)
            finally:
                await events.aclose()  # gql then stops the subscription instead of waiting out its close timeout

    assert asyncio.run(scenario()) == {"onNewContent": {k: content[k] for k in ("eventId", "artistId", "title")}}


def registered(local_api: Api, artist_id: str) -> bool:
    active = json.loads(fetch(f"{local_api.base}/subscriptions"))
    return {"artistId": artist_id} in [s["arguments"] for s in active]
