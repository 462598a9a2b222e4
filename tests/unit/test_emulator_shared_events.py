"""Subscribers share an event's execution only when it cannot differ for them (emulator/shared_events.py).

A toy schema (no sockets): `Note.draft` is for admins only, `Note.reader` is a Lambda field
that answers with the subscriber's own `sub`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from emulator import appsync
from emulator.auth import COGNITO, IAM, Caller
from emulator.lambdas import LocalFunction
from schema.directives import ADMIN, BACKEND, LISTENER
from schema.lambda_field import lambda_field
from schema.none_field import none_field, subscription_field


@strawberry.type(directives=[*BACKEND, *LISTENER])
class Note:
    room: str
    text: str
    draft: str | None = strawberry.field(directives=[*BACKEND, *ADMIN])

    @lambda_field(auth=LISTENER)
    def reader(self) -> str:
        """Declared only: the toy Lambda answers with the caller's sub."""


@strawberry.input
class NoteInput:
    room: str
    text: str
    draft: str | None = strawberry.UNSET


@strawberry.type
class Query:
    nothing: int | None = None


@strawberry.type
class Mutation:
    @none_field(auth=BACKEND)
    def post(self, input: NoteInput) -> Note:
        """Declared only."""


@strawberry.type
class Subscription:
    @subscription_field(mutations=["post"], auth=LISTENER)
    def notes(self, room: str | None = strawberry.UNSET) -> AsyncGenerator[Note | None, None]:
        """Declared only."""


def toy_api(event: dict[str, Any], context: Any) -> Any:
    """The toy API function: `Note.reader` is whoever asks."""
    return event["identity"]["sub"]


ADMIN_USER = Caller(COGNITO, {"sub": "ada", "iss": "local", "cognito:groups": ["admin"]})
ANNA = Caller(COGNITO, {"sub": "anna", "iss": "local", "cognito:groups": ["users"]})
BEN = Caller(COGNITO, {"sub": "ben", "iss": "local", "cognito:groups": ["users"]})
BACKEND_CALLER = Caller(IAM, {"accessKey": "local", "userArn": "arn:aws:iam::123456789012:user/local"})
POST = 'mutation { post(input: {room: "a", text: "hi", draft: "d"}) { room text draft } }'


def bound() -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
    appsync.bind(schema, LocalFunction("toy", f"{__name__}.toy_api"))
    return schema


async def subscribe(schema: strawberry.Schema, caller: Caller, document: str) -> tuple[Any, asyncio.Future[Any]]:
    """The subscriber's stream and its first event, once it is subscribed."""
    ready = asyncio.Event()
    context = {"caller": caller, "headers": {}, "loaders": {}, "subscribed": ready}
    stream = await schema.subscribe(document, context_value=context)
    first = asyncio.ensure_future(anext(stream))
    await asyncio.wait({first, asyncio.ensure_future(ready.wait())}, return_when=asyncio.FIRST_COMPLETED)
    return stream, first


async def publish(schema: strawberry.Schema, document: str = POST) -> None:
    context = {"caller": BACKEND_CALLER, "headers": {}, "loaders": {}}
    assert (await schema.execute(document, context_value=context)).errors is None


def error_types(result: Any) -> list[tuple[str, list[Any]]]:
    return [(appsync.appsync_error(e)["errorType"], e.path) for e in result.errors or []]


def test_subscribers_in_different_groups_get_their_own_field_auth_outcome() -> None:
    schema = bound()
    document = "subscription { notes { text draft } }"

    async def scenario() -> None:
        _, admin = await subscribe(schema, ADMIN_USER, document)
        _, anna = await subscribe(schema, ANNA, document)
        _, ben = await subscribe(schema, BEN, document)
        await publish(schema)
        for_admin, for_anna, for_ben = await asyncio.wait_for(asyncio.gather(admin, anna, ben), 5)
        assert for_admin.data == {"notes": {"text": "hi", "draft": "d"}}
        assert error_types(for_admin) == []
        for listener in (for_anna, for_ben):
            assert listener.data == {"notes": {"text": "hi", "draft": None}}
            assert error_types(listener) == [("Unauthorized", ["notes", "draft"])]
        assert for_anna.data is for_ben.data, "same document, same groups: one execution for both"
        assert for_admin.data is not for_anna.data

    asyncio.run(scenario())


def test_a_lambda_field_in_the_event_sees_each_subscriber() -> None:
    schema = bound()
    document = "subscription { notes { text reader } }"

    async def scenario() -> None:
        anna_stream, anna = await subscribe(schema, ANNA, document)
        ben_stream, ben = await subscribe(schema, BEN, document)
        await publish(schema)
        for_anna, for_ben = await asyncio.wait_for(asyncio.gather(anna, ben), 5)
        assert for_anna.data == {"notes": {"text": "hi", "reader": "anna"}}
        assert for_ben.data == {"notes": {"text": "hi", "reader": "ben"}}
        # Ben reads the next event only once Anna's execution of it is over: it must not be handed hers.
        anna_next = asyncio.ensure_future(anext(anna_stream))
        await asyncio.sleep(0)
        await publish(schema, POST.replace('"hi"', '"again"'))
        assert (await asyncio.wait_for(anna_next, 5)).data == {"notes": {"text": "again", "reader": "anna"}}
        assert (await asyncio.wait_for(anext(ben_stream), 5)).data == {"notes": {"text": "again", "reader": "ben"}}

    asyncio.run(scenario())


def test_each_event_is_executed_for_each_subscriber_anew() -> None:
    schema = bound()
    document = "subscription { notes { text } }"

    async def scenario() -> None:
        context = {"caller": ANNA, "headers": {}, "loaders": {}, "subscribed": asyncio.Event()}
        stream = await schema.subscribe(document, context_value=context)
        first = asyncio.ensure_future(anext(stream))
        await context["subscribed"].wait()
        await publish(schema)
        assert (await asyncio.wait_for(first, 5)).data == {"notes": {"text": "hi"}}
        second = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        await publish(schema, POST.replace('"hi"', '"again"'))
        assert (await asyncio.wait_for(second, 5)).data == {"notes": {"text": "again"}}

    asyncio.run(scenario())
