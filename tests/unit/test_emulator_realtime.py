"""The emulator's generic @aws_subscribe and its IAM auth mode, on a toy schema (no sockets)."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest
import strawberry
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator import appsync, sigv4
from emulator.auth import COGNITO, IAM, Caller
from emulator.lambdas import LocalFunction
from schema.directives import BACKEND, LISTENER
from schema.none_field import none_field, subscription_field


@strawberry.type(directives=[*BACKEND, *LISTENER])
class Ping:
    room: str
    text: str
    secret: str | None


@strawberry.input
class PingInput:
    room: str
    text: str
    secret: str | None = strawberry.UNSET


@strawberry.type
class Query:
    nothing: int | None = None


@strawberry.type
class Mutation:
    @none_field(auth=BACKEND)
    def send(self, input: PingInput) -> Ping:
        """Declared only."""


@strawberry.type
class Subscription:
    @subscription_field(mutations=["send"], auth=LISTENER)
    def pings(self, room: str | None = strawberry.UNSET) -> AsyncGenerator[Ping | None, None]:
        """Declared only."""


LISTENER_CALLER = Caller(COGNITO, {"sub": "u1", "iss": "local", "cognito:groups": ["users"]})
GUEST_CALLER = Caller(COGNITO, {"sub": "u2", "iss": "local", "cognito:groups": []})
BACKEND_CALLER = Caller(IAM, {"accessKey": "local", "userArn": "arn:aws:iam::123456789012:user/local"})


def context(caller: Caller) -> dict[str, Any]:
    return {"caller": caller, "headers": {}, "loaders": {}, "subscribed": asyncio.Event()}


async def subscribe(schema: strawberry.Schema, caller: Caller, document: str) -> tuple[Any, dict[str, Any]]:
    ctx = context(caller)
    stream = await schema.subscribe(document, context_value=ctx)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.wait({first, asyncio.ensure_future(ctx["subscribed"].wait())}, return_when=asyncio.FIRST_COMPLETED)
    return stream, {"first": first, "ctx": ctx}


def test_a_mutation_result_reaches_matching_subscribers_with_their_selection() -> None:
    schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
    hub = appsync.bind(schema, LocalFunction("unused", "unused.handler"))

    async def scenario() -> None:
        _, in_a = await subscribe(schema, LISTENER_CALLER, 'subscription { pings(room: "a") { text secret } }')
        _, anywhere = await subscribe(schema, LISTENER_CALLER, "subscription { pings { room } }")
        _, in_b = await subscribe(schema, LISTENER_CALLER, 'subscription { pings(room: "b") { text } }')
        assert len(hub.active()) == 3
        sent = await schema.execute(
            'mutation { send(input: {room: "a", text: "hi", secret: "s"}) { room text } }',
            context_value=context(BACKEND_CALLER),
        )
        assert sent.errors is None
        assert (await in_a["first"]).data == {"pings": {"text": "hi", "secret": None}}, (
            "only what the mutation selected"
        )
        assert (await anywhere["first"]).data == {"pings": {"room": "a"}}, "a null argument does not filter"
        await asyncio.sleep(0.05)
        assert not in_b["first"].done()
        in_b["first"].cancel()

    asyncio.run(scenario())


def test_auth_directives_apply_to_subscriber_and_publisher() -> None:
    schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
    appsync.bind(schema, LocalFunction("unused", "unused.handler"))

    async def scenario() -> None:
        _, refused = await subscribe(schema, GUEST_CALLER, "subscription { pings { room } }")
        result = await refused["first"]
        assert appsync.appsync_error(result.errors[0])["errorType"] == "Unauthorized"
        sent = await schema.execute(
            'mutation { send(input: {room: "a", text: "hi"}) { room } }', context_value=context(LISTENER_CALLER)
        )
        assert appsync.appsync_error(sent.errors[0])["errorType"] == "Unauthorized"

    asyncio.run(scenario())


LOCAL = Credentials("local", "local")


def signed(body: bytes, key: Credentials = LOCAL) -> dict[str, str]:
    """Headers of a POST signed as the fan-out signs it (by lowercase name, with the Host sent)."""
    request = AWSRequest(
        method="POST", url="http://127.0.0.1:4000/graphql", data=body, headers={"content-type": "application/json"}
    )
    SigV4Auth(key, "appsync", "us-east-1").add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()} | {"host": "127.0.0.1:4000"}


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [  # signed when the test runs: made at collection, they expired in suites slower than 5 minutes
        (lambda: signed(b"{}", Credentials("local", "wrong")), b"{}", "does not match"),
        (lambda: signed(b"{}"), b'{"x":1}', "does not match"),
        (lambda: {"authorization": "AWS4-HMAC-SHA256 nonsense"}, b"{}", "not a SigV4"),
    ],
)
def test_sigv4_signatures_are_checked(headers: Callable[[], dict[str, str]], body: bytes, message: str) -> None:
    url = "http://127.0.0.1:4000/graphql"
    assert sigv4.verify("POST", url, signed(b"{}"), b"{}", access_key="local", secret_key="local", region="us-east-1")
    with pytest.raises(sigv4.SignatureError, match=message):
        sigv4.verify("POST", url, headers(), body, access_key="local", secret_key="local", region="us-east-1")


def test_old_signatures_are_refused() -> None:
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=6)
    with pytest.raises(sigv4.SignatureError, match="expired"):
        sigv4.verify(
            "POST",
            "http://127.0.0.1:4000/graphql",
            signed(b"{}"),
            b"{}",
            access_key="local",
            secret_key="local",
            region="us-east-1",
            now=later,
        )
