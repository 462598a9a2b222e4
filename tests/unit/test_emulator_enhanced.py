"""The emulator's enhanced filtering and invalidation, generic, on a toy schema (no sockets).

The toy subscription's "Lambda" is `toy_filter` below: it returns whatever filter the
subscriber asked for in its `wanted` header, or fails, so each rule is checked
without the music API: any field marked in schema/filtered_subscription.py gets them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from emulator import appsync
from emulator.auth import COGNITO, IAM, Caller
from emulator.lambdas import LocalFunction
from schema.directives import BACKEND, LISTENER
from schema.filtered_subscription import filtered_subscription_field
from schema.lambda_field import lambda_field
from schema.none_field import none_field


@strawberry.type(directives=[*BACKEND, *LISTENER])
class Post:
    room: str
    level: int
    tags: list[str]


@strawberry.input
class PostInput:
    room: str
    level: int
    tags: list[str]


@strawberry.type
class Query:
    nothing: int | None = None


@strawberry.type
class Mutation:
    @none_field(auth=BACKEND)
    def post(self, input: PostInput) -> Post:
        """Declared only."""

    @lambda_field(auth=LISTENER)
    def join(self, room: str) -> bool:
        """Declared only: the toy Lambda answers true."""


@strawberry.type
class Subscription:
    @filtered_subscription_field(mutations=["post"], invalidated_by=["join"], auth=LISTENER)
    def my_posts(self) -> AsyncGenerator[Post | None, None]:
        """Declared only."""


class Refused(Exception):
    """The toy Lambda's domain error."""


def toy_filter(event: dict[str, Any], context: Any) -> Any:
    """The toy API function: the filter named by the `wanted` header, or an error; `join` says true."""
    if event["info"]["parentTypeName"] == "Mutation":
        return True
    wanted = event["request"]["headers"].get("wanted")
    if wanted == "refuse":
        raise Refused("not today")
    return json.loads(wanted)


ANNA = Caller(COGNITO, {"sub": "anna", "iss": "local", "cognito:groups": ["users"]})
BEN = Caller(COGNITO, {"sub": "ben", "iss": "local", "cognito:groups": ["users"]})
BACKEND_CALLER = Caller(IAM, {"accessKey": "local", "userArn": "arn:aws:iam::123456789012:user/local"})
POST = "mutation($i: PostInput!) { post(input: $i) { room level tags } }"


def group(*filters: dict[str, Any]) -> dict[str, Any]:
    return {"filters": list(filters)}


def condition(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"fieldName": field, "operator": operator, "value": value}


def bound() -> tuple[strawberry.Schema, Any]:
    schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
    return schema, appsync.bind(schema, LocalFunction("toy", f"{__name__}.toy_filter"))


class Subscribed:
    """One subscription and the events it received, read as they arrive."""

    def __init__(self, schema: strawberry.Schema, caller: Caller, wanted: Any) -> None:
        self.schema = schema
        self.caller = caller
        self.headers = {"wanted": wanted if isinstance(wanted, str) else json.dumps(wanted)}
        self.events: list[Any] = []
        self.errors: list[dict[str, Any]] = []
        self.ended = asyncio.Event()
        self.ready = asyncio.Event()

    async def run(self) -> None:
        context = {"caller": self.caller, "headers": self.headers, "loaders": {}, "subscribed": self.ready}
        stream = await self.schema.subscribe("subscription { myPosts { room level } }", context_value=context)
        async for result in stream:
            if result.errors:
                self.errors.extend(appsync.appsync_error(e) for e in result.errors)
                self.ready.set()
                break
            self.events.append(result.data["myPosts"])
        self.ended.set()


async def start(schema: strawberry.Schema, caller: Caller, wanted: Any) -> Subscribed:
    subscription = Subscribed(schema, caller, wanted)
    asyncio.get_running_loop().create_task(subscription.run())
    await asyncio.wait_for(subscription.ready.wait(), 5)
    return subscription


async def post(schema: strawberry.Schema, room: str, level: int, tags: list[str]) -> None:
    context = {"caller": BACKEND_CALLER, "headers": {}, "loaders": {}}
    result = await schema.execute(
        POST, variable_values={"i": {"room": room, "level": level, "tags": tags}}, context_value=context
    )
    assert result.errors is None


def test_the_filter_the_lambda_returns_decides_what_each_subscriber_gets() -> None:
    schema, hub = bound()

    async def scenario() -> None:
        # (room a AND level >= 3) OR tags contain any of x, y
        picky = await start(
            schema,
            ANNA,
            {
                "filterGroup": [
                    group(condition("room", "eq", "a"), condition("level", "ge", 3)),
                    group(condition("tags", "containsAny", ["x", "y"])),
                ]
            },
        )
        everything = await start(schema, BEN, {"filterGroup": [group(condition("room", "beginsWith", ""))]})
        assert [s["filter"] is not None for s in hub.active()] == [True, True]
        await post(schema, "a", 1, ["z"])  # matches no group of the picky filter
        await post(schema, "b", 5, ["z"])  # room b: the first group fails on it
        await post(schema, "a", 3, [])  # the first group
        await post(schema, "c", 0, ["y"])  # the second group
        await asyncio.sleep(0.05)
        assert picky.events == [{"room": "a", "level": 3}, {"room": "c", "level": 0}]
        assert len(everything.events) == 4

    asyncio.run(scenario())


def test_a_join_invalidates_only_the_callers_own_subscription() -> None:
    schema, hub = bound()
    anyone = {"filterGroup": [group(condition("level", "ge", 0))]}

    async def scenario() -> None:
        anna, ben = await start(schema, ANNA, anyone), await start(schema, BEN, anyone)
        context = {"caller": ANNA, "headers": {}, "loaders": {}}
        joined = await schema.execute('mutation { join(room: "a") }', context_value=context)
        assert joined.data == {"join": True}
        await asyncio.wait_for(anna.ended.wait(), 5)
        assert anna.errors == [], "invalidation ends the stream; it is not an error"
        assert [s["subscriber"] for s in hub.active()] == ["user ben"]
        await post(schema, "a", 1, [])
        await asyncio.sleep(0.05)
        assert (anna.events, ben.events) == ([], [{"room": "a", "level": 1}])
        assert not ben.ended.is_set()

    asyncio.run(scenario())


def test_a_filter_past_appsyncs_rules_or_a_failing_lambda_fails_the_subscription() -> None:
    schema, hub = bound()
    eleven_groups = {"filterGroup": [group(condition("level", "eq", n)) for n in range(11)]}

    async def scenario() -> None:
        too_big = await start(schema, ANNA, eleven_groups)
        await asyncio.wait_for(too_big.ended.wait(), 5)
        assert too_big.errors[0]["errorType"] == "ValidationError"
        assert "1 to 10 filter groups, not 11" in too_big.errors[0]["message"]
        refused = await start(schema, ANNA, "refuse")
        await asyncio.wait_for(refused.ended.wait(), 5)
        assert (refused.errors[0]["errorType"], refused.errors[0]["message"]) == ("Refused", "not today")
        assert hub.active() == []

    asyncio.run(scenario())
