"""Count the DynamoDB calls and Lambda invocations each GraphQL operation costs.

    python -m bench.dynamodb_calls

Runs the real path in one process: the emulator's AppSync binding executes the query,
invokes the API handler (batched per level, as AppSync BatchInvoke does), and the
handler talks to DynamoDB (in-process moto). Calls are counted with botocore's event
hooks on the handler's own client. Goals: a 50-song page with artist and album in at
most 3 DynamoDB calls, whatever the page size; every discover and search variant (each
filter and sort of `songs`, `albums`, `artists`, and `search`, its PUBLIC playlists included)
at most 2 per page, checked here: the run fails when one costs more.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import time
from typing import Any

import boto3
from moto import mock_aws

import bench.in_process  # noqa: F401 - the Lambda settings, before resolvers is imported
from emulator import appsync
from emulator.auth import COGNITO, Caller
from emulator.lambdas import LocalFunction
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import plays as plays_data
from resolvers.data import table
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
    "songs(limit: 50) with myRating": "{ songs(limit: 50) { items { title averageRating myRating } } }",
    "myRatings(limit: 50) with song": "{ myRatings(limit: 50) { items { stars song { title } } } }",
    "rateSong (replacing a rating)": "mutation($id: ID!) { rateSong(songId: $id, stars: 2) { stars } }",
    # A chart reads one Query per day of its period (side by side), then the songs; ALL_TIME one Query.
    "charts(WEEK, limit: 50) with song": "{ charts(period: WEEK, limit: 50) { plays song { title } } }",
    "charts(MONTH, genre, limit: 50) with song": (
        '{ charts(period: MONTH, genre: "jazz", limit: 50) { plays song { title } } }'
    ),
    "charts(ALL_TIME, limit: 50) with song": "{ charts(period: ALL_TIME, limit: 50) { plays song { title } } }",
}

# Discover and search: each must cost at most DISCOVER_BUDGET DynamoDB calls per page.
DISCOVER_BUDGET = 2
SONG_FILTERS = {
    "": "",
    "genre": 'genre: "jazz"',
    "genres": 'genres: ["jazz", "rock"]',
    "artistId": "artistId: $artist",
    "albumId": "albumId: $album",
    "released": 'releasedAfter: "2021-01-01", releasedBefore: "2024-12-31"',
    "minRating": "minRating: 3",
    "genre+released+minRating": 'genre: "rock", releasedAfter: "2020-01-01", minRating: 2',
    "artistId+genre": 'artistId: $artist, genre: "rock"',
}
ALBUM_FILTERS = {
    "": "",
    "genre": 'genre: "jazz"',
    "genres": 'genres: ["jazz", "soul"]',
    "artistId": "artistId: $artist",
    "released": 'releasedAfter: "2022-01-01"',
}


def _discover_operations() -> dict[str, str]:
    operations = {}
    for name, criteria in SONG_FILTERS.items():
        for sort in ("NEWEST", "TOP_RATED", "TITLE", "MOST_PLAYED"):
            label = f"songs({name + ', ' if name else ''}sort: {sort})"
            operations[label] = (
                f"{{ songs(filter: {{{criteria}}}, sort: {sort}, limit: 50) {{ items {{ title }} nextToken }} }}"
            )
    for name, criteria in ALBUM_FILTERS.items():
        for sort in ("NEWEST", "TITLE"):
            label = f"albums({name + ', ' if name else ''}sort: {sort})"
            operations[label] = (
                f"{{ albums(filter: {{{criteria}}}, sort: {sort}, limit: 50) {{ items {{ title }} nextToken }} }}"
            )
    operations["artists()"] = "{ artists(limit: 50) { items { name } nextToken } }"
    operations["artists(genre)"] = '{ artists(filter: {genre: "rock"}, limit: 50) { items { name } } }'
    for query in ("song", "albu 4", "ártist 3", "list song"):  # the last: only PUBLIC playlists
        operations[f'search("{query}")'] = (
            f'{{ search(query: "{query}", limit: 50) {{ artists {{ name }} albums {{ title }} songs {{ title }}'
            " playlists { name } } }"
        )
    # Declare the variables each document uses (GraphQL refuses unused ones).
    for name, document in operations.items():
        declared = [f"${v}: ID!" for v in ("artist", "album") if f"${v}" in document]
        operations[name] = f"query({', '.join(declared)}) {document}" if declared else document
    return operations


def _count_items(data: dict[str, Any]) -> int:
    root = next(iter(data.values()))
    if isinstance(root, list):
        return len(root)
    if isinstance(root, dict) and "items" in root:
        return len(root["items"])
    if isinstance(root, dict) and {"artists", "albums", "songs", "playlists"} <= root.keys():
        return sum(len(root[kind]) for kind in ("artists", "albums", "songs", "playlists"))
    return 1


class Counter:
    def __init__(self) -> None:
        self.dynamodb = 0
        self.lambdas = 0

    def on_call(self, **_: Any) -> None:
        self.dynamodb += 1


def _played(run: Any) -> None:
    """Stands in for the play consumer: every song played on some of the last 30 days (the
    charts read one partition per day), with the counts it would have added."""
    songs = run("{ songs(limit: 100) { items { id genre } } }")["songs"]["items"]
    today = datetime.datetime.now(datetime.UTC).date()
    by_day: dict[tuple[str, str], int] = {}
    for n, song in enumerate(songs):
        for back in range(0, 30, 1 + n % 5):
            by_day[(song["id"], (today - datetime.timedelta(days=back)).isoformat())] = 1 + (7 * n + back) % 13
    by_song: dict[str, int] = {}
    for (song_id, _), plays in by_day.items():
        by_song[song_id] = by_song.get(song_id, 0) + plays
    genres = {song["id"]: song["genre"] for song in songs}
    expires = int(time.time()) + 86_400 * plays_data.DAY_COUNT_DAYS
    days = list(by_day.items())
    for start in range(0, len(days), 100):
        plays_data.run_tally(plays_data.tally_actions([], {}, dict(days[start : start + 100]), expires, genres))
    plays_data.run_tally(plays_data.tally_actions([], by_song, {}, expires))


def main() -> None:
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-bench"))
        # Ratings queue a feed recomputation (an SQS message, not a DynamoDB call).
        os.environ["FEED_QUEUE_URL"] = boto3.client("sqs").create_queue(QueueName="feed")["QueueUrl"]
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
            genre = ("jazz", "rock")[a % 2]
            artist = run(
                "mutation($n: String!, $g: String!) { createArtist(input: {name: $n, genres: [$g]}) { id } }",
                n=f"Ártist {a}",
                g=genre,
            )["createArtist"]["id"]
            for b in range(2):
                album = run(
                    "mutation($a: ID!, $t: String!, $g: String!, $d: AWSDate) {"
                    " createAlbum(input: {artistId: $a, title: $t, genre: $g, releaseDate: $d}) { id } }",
                    a=artist,
                    t=f"Album {a}.{b}",
                    g=genre,
                    d=f"{2019 + a % 6}-0{b + 1}-15",
                )["createAlbum"]["id"]
                for s in range(3):
                    song = run(
                        "mutation($a: ID!, $b: ID!, $t: String!, $g: String!, $n: Int) { createSong(input: "
                        "{artistId: $a, albumId: $b, title: $t, genre: $g, trackNumber: $n}) { id } }",
                        a=artist,
                        b=album,
                        t=f"Song {a}.{b}.{s}",
                        g=genre,
                        n=s + 1,
                    )["createSong"]["id"]
                    ids = {"album": album, "song": song, "artist": artist}
                    # Stands in for the media pipeline, which is what makes songs READY.
                    catalog_data.update("SONG", song, {"status": "READY"}, now_iso())
                    run(
                        "mutation($id: ID!, $n: Int!) { rateSong(songId: $id, stars: $n) { stars } }",
                        id=song,
                        n=1 + s + b,
                    )

        _played(run)

        # Playlists that `search("song")` finds (PUBLIC) and must not (PRIVATE: no search words).
        for n in range(10):
            run(
                "mutation($n: String!, $v: PlaylistVisibility!) { createPlaylist(input: {name: $n, visibility: $v}) "
                "{ id } }",
                n=f"Song list {n}",
                v=("PUBLIC", "PRIVATE")[n % 2],
            )

        table.client().meta.events.register("before-call.dynamodb", counter.on_call)

        def measure(name: str, document: str, variables: dict[str, Any]) -> int:
            counter.dynamodb = counter.lambdas = 0
            started = time.perf_counter()
            data = run(document, **variables)
            elapsed = (time.perf_counter() - started) * 1000
            print(f"{name:58} {_count_items(data):>5} {counter.dynamodb:>15} {counter.lambdas:>13} {elapsed:>7.1f}")
            return counter.dynamodb

        print(f"{'operation':58} {'items':>5} {'DynamoDB calls':>15} {'Lambda calls':>13} {'ms':>7}")
        for name, document in OPERATIONS.items():
            variables = {"id": ids["album"] if "album(id)" in name else ids["song"]} if "$id" in document else {}
            measure(name, document, variables)
        print(f"\ndiscover and search (budget: {DISCOVER_BUDGET} DynamoDB calls per page)")
        over = [
            name
            for name, document in _discover_operations().items()
            if measure(name, document, {"artist": ids["artist"], "album": ids["album"]}) > DISCOVER_BUDGET
        ]
        if over:
            raise SystemExit(f"over the budget of {DISCOVER_BUDGET} DynamoDB calls: {', '.join(over)}")


if __name__ == "__main__":
    main()
