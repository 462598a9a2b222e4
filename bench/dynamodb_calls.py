"""Count the DynamoDB calls and Lambda invocations each GraphQL operation costs.

    python -m bench.dynamodb_calls

Runs the real path in one process: the emulator's AppSync binding executes the query,
invokes the API handler (batched per level, as AppSync BatchInvoke does), and the
handler talks to DynamoDB (in-process moto). Calls are counted with botocore's event
hooks on the handler's own client. Goal: a 50-song page with artist and album in at
most 3 DynamoDB calls, whatever the page size.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import boto3
from moto import mock_aws

os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106
    TABLE_NAME="music-bench",
    USER_POOL_ID="unused",
    USER_POOL_CLIENT_ID="unused",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="ERROR",
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from emulator import appsync
from emulator.auth import COGNITO, Caller
from emulator.lambdas import LocalFunction
from resolvers import store
from resolvers.table_layout import create_table_request
from schema import build_schema

ADMIN = Caller(COGNITO, {"sub": "bench-admin", "iss": "local", "cognito:groups": ["admin"]})

OPERATIONS = {
    "songs(limit: 50) with artist and album": (
        "{ songs(limit: 50) { items { title artist { name } album { title } } nextToken } }"
    ),
    "songs(filter: {genre}, limit: 50) with artist and album": (
        '{ songs(filter: {genre: "jazz"}, limit: 50) { items { title artist { name } album { title } } } }'
    ),
    "artists(limit: 50)": "{ artists(limit: 50) { items { name } nextToken } }",
    "album(id) with artist and 20 songs": (
        "query($id: ID!) { album(id: $id) { title artist { name } songs(limit: 20) { items { title } } } }"
    ),
    "song(id) with artist and album": "query($id: ID!) { song(id: $id) { title artist { name } album { title } } }",
}


class Counter:
    def __init__(self) -> None:
        self.dynamodb = 0
        self.lambdas = 0

    def on_call(self, **_: Any) -> None:
        self.dynamodb += 1


def main() -> None:
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-bench"))
        schema = build_schema()
        api = LocalFunction("music-bench-api", "resolvers.handlers.api.handler")
        counter = Counter()
        invoke = api.invoke

        def counted(event: Any) -> Any:
            counter.lambdas += 1
            return invoke(event)

        api.invoke = counted  # type: ignore[method-assign]
        appsync.bind(schema, api)

        def run(document: str, **variables: Any) -> dict[str, Any]:
            context = {"caller": ADMIN, "headers": {}, "loaders": {}}
            result = asyncio.run(schema.execute(document, variable_values=variables, context_value=context))
            assert not result.errors, result.errors
            return result.data or {}

        ids: dict[str, str] = {}
        for a in range(10):
            artist = run("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=f"Artist {a}")
            for b in range(2):
                album = run(
                    "mutation($a: ID!, $t: String!) {"
                    ' createAlbum(input: {artistId: $a, title: $t, genre: "jazz"}) { id } }',
                    a=artist["createArtist"]["id"],
                    t=f"Album {a}.{b}",
                )["createAlbum"]["id"]
                for s in range(3):
                    song = run(
                        "mutation($a: ID!, $b: ID!, $t: String!, $n: Int) { createSong(input: "
                        '{artistId: $a, albumId: $b, title: $t, genre: "jazz", trackNumber: $n}) { id } }',
                        a=artist["createArtist"]["id"],
                        b=album,
                        t=f"Song {a}.{b}.{s}",
                        n=s + 1,
                    )["createSong"]["id"]
                    ids = {"album": album, "song": song}

        store._client().meta.events.register("before-call.dynamodb", counter.on_call)
        print(f"{'operation':58} {'items':>5} {'DynamoDB calls':>15} {'Lambda calls':>13} {'ms':>7}")
        for name, document in OPERATIONS.items():
            counter.dynamodb = counter.lambdas = 0
            variables = {"id": ids["album"] if "album(id)" in name else ids["song"]} if "$id" in document else {}
            started = time.perf_counter()
            data = run(document, **variables)
            elapsed = (time.perf_counter() - started) * 1000
            root = next(iter(data.values()))
            items = len(root["items"]) if "items" in root else 1
            print(f"{name:58} {items:>5} {counter.dynamodb:>15} {counter.lambdas:>13} {elapsed:>7.1f}")


if __name__ == "__main__":
    main()
