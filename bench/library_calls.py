"""Count the DynamoDB calls of the listener's library: playlist pages, inserts, moves, likes.

    python -m bench.library_calls

The same in-process path as bench/dynamodb_calls.py (the emulator's AppSync binding, the API
handler, moto). Goals, checked here (the run fails over them): a playlist page of 50 entries
with their songs in at most 3 DynamoDB calls, a move in at most 3, whatever the playlist's
length; `myLikes` with songs in 2.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import boto3
from moto import mock_aws

import bench.in_process  # noqa: F401 - the Lambda settings, before resolvers is imported
from emulator import appsync, moto_fixes
from emulator.auth import COGNITO, Caller
from emulator.lambdas import LocalFunction
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import table
from resolvers.table_layout import create_table_request
from schema import build_schema

ADMIN = Caller(COGNITO, {"sub": "bench-admin", "iss": "local", "cognito:groups": ["admin"]})
SONGS = 50
PLAYLIST_LENGTHS = (100, 1000)
BUDGETS = {"playlist page of 50 with songs": 3, "movePlaylistEntry": 3, "myLikes(kind: SONG, limit: 50) with song": 2}

PAGE = """query($p: ID!) {
  playlist(id: $p) { name songCount entries(limit: 50) { items { id song { title } } nextToken } }
}"""
MOVE = """mutation($p: ID!, $e: ID!, $a: ID) {
  movePlaylistEntry(playlistId: $p, entryId: $e, afterEntryId: $a) { songCount }
}"""
ADD = "mutation($p: ID!, $s: [ID!]!) { addToPlaylist(playlistId: $p, songIds: $s, atStart: true) { songCount } }"
MY_LIKES = "{ myLikes(kind: SONG, limit: 50) { items { likedAt song { title } } nextToken } }"
LIKED = "{ songs(limit: 50) { items { title liked } } }"


def main() -> None:
    moto_fixes.install()  # as the emulator runs moto: a transaction copies its items, not the table
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-bench"))
        os.environ["FEED_QUEUE_URL"] = boto3.client("sqs").create_queue(QueueName="feed")["QueueUrl"]
        schema = build_schema()
        appsync.bind(schema, LocalFunction("music-bench-api", "resolvers.handlers.api.handler"))

        def run(document: str, **variables: Any) -> dict[str, Any]:
            context = {"caller": ADMIN, "headers": {}, "loaders": {}}
            result = asyncio.run(schema.execute(document, variable_values=variables, context_value=context))
            assert not result.errors, result.errors
            return result.data or {}

        artist = run('mutation { createArtist(input: {name: "Bench"}) { id } }')["createArtist"]["id"]
        song_ids = []
        for n in range(SONGS):
            song = run(
                'mutation($a: ID!, $t: String!) { createSong(input: {artistId: $a, title: $t, genre: "jazz"}) { id } }',
                a=artist,
                t=f"Song {n}",
            )["createSong"]["id"]
            catalog_data.update("SONG", song, {"status": "READY", "durationSeconds": 180}, now_iso())
            run("mutation($s: ID!) { like(input: {songId: $s}) { kind } }", s=song)
            song_ids.append(song)

        calls = 0

        def on_call(**_: Any) -> None:
            nonlocal calls
            calls += 1

        table.client().meta.events.register("before-call.dynamodb", on_call)
        over = []

        def measure(name: str, document: str, **variables: Any) -> None:
            nonlocal calls
            calls = 0
            started = time.perf_counter()
            run(document, **variables)
            elapsed = (time.perf_counter() - started) * 1000
            print(f"{name:58} {calls:>15} {elapsed:>7.1f}")
            budget = next((b for label, b in BUDGETS.items() if name.startswith(label)), None)
            if budget is not None and calls > budget:
                over.append(name)

        print(f"{'operation':58} {'DynamoDB calls':>15} {'ms':>7}")
        for length in PLAYLIST_LENGTHS:
            playlist = run('mutation { createPlaylist(input: {name: "Bench"}) { id } }')["createPlaylist"]["id"]
            for _ in range(length // SONGS):
                run(ADD, p=playlist, s=song_ids)
            entries = run(PAGE, p=playlist)["playlist"]["entries"]["items"]
            measure(f"playlist page of 50 with songs ({length} entries)", PAGE, p=playlist)
            measure(f"addToPlaylist 50 songs at the start ({length} entries)", ADD, p=playlist, s=song_ids)
            measure(
                f"movePlaylistEntry to the middle ({length} entries)",
                MOVE,
                p=playlist,
                e=entries[0]["id"],
                a=entries[20]["id"],
            )
            measure(f"movePlaylistEntry to the end ({length} entries)", MOVE, p=playlist, e=entries[1]["id"])
        measure("myLikes(kind: SONG, limit: 50) with song", MY_LIKES)
        measure("songs(limit: 50) with liked", LIKED)
        if over:
            raise SystemExit(f"over the budget: {', '.join(over)}")


if __name__ == "__main__":
    main()
