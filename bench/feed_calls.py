"""What a feed costs: per request, and per recomputation of a listener's picks.

    python -m bench.feed_calls

A listener with 200 ratings, 50 follows and 50 releases in their inbox, in a catalog of
10,000 READY songs by 200 artists rated by 500 other listeners (in-process moto). The
catalog is bulk-loaded straight into the table (the items the API would write, without
search words, which the feed does not read). Requests run the real path: the emulator's
AppSync binding, the API handler, DynamoDB; calls are counted with botocore's event hooks.

Times: moto answers every Query by walking the whole table, so its time grows with the
catalog and says nothing about DynamoDB (single-digit milliseconds a call). The figures
to read are the DynamoDB calls, and the time outside them (our code, the GraphQL layer);
on AWS a request costs that plus its calls, which the feed makes in sequence.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from typing import Any

import boto3
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

import bench.in_process  # noqa: F401 - the Lambda settings, before resolvers is imported
from emulator import appsync, moto_fixes
from emulator.auth import COGNITO, Caller
from emulator.lambdas import LocalFunction
from resolvers import feed
from resolvers.clock import now_iso
from resolvers.data import accounts as accounts_data
from resolvers.data import catalog as catalog_data
from resolvers.data import feed as feed_data
from resolvers.data import follows as follows_data
from resolvers.data import inbox as inbox_data
from resolvers.data import ratings as ratings_data
from resolvers.data import table
from resolvers.genres import GENRES
from resolvers.table_layout import create_table_request
from schema import build_schema

SONGS, ARTISTS, OTHER_LISTENERS, OTHER_RATINGS = 10_000, 200, 500, 20
RATINGS, FOLLOWS, RELEASES = 200, 50, 50
RUNS = 5
LISTENER = str(uuid.uuid4())
NEWCOMER = str(uuid.uuid4())
FEED = (
    "query($t: String) { feed(limit: 20, nextToken: $t) { items { reason song { title artist { name } } } nextToken } }"
)


def _add_artists() -> list[dict[str, Any]]:
    genres = list(GENRES)
    artists = [
        {"id": str(uuid.uuid4()), "name": f"Artist {n}", "genres": [genres[n % len(genres)]]} for n in range(ARTISTS)
    ]
    for artist in artists:
        catalog_data.create_artist({**artist, "createdAt": now_iso(), "updatedAt": now_iso()})
    return artists


def _load_songs(artists: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    songs = []
    for n in range(SONGS):
        artist = artists[n % ARTISTS]
        count = rng.randint(0, 40)
        created = f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}T12:00:00.000Z"
        songs.append(
            {
                "id": str(uuid.uuid4()),
                "title": f"Song {n}",
                "artistId": artist["id"],
                "genre": artist["genres"][0],
                "status": "READY",
                "ratingCount": count,
                "ratingSum": sum(rng.randint(1, 5) for _ in range(count)),
                "createdAt": created,
                "updatedAt": created,
            }
        )
    table.batch_write(
        [{"PutRequest": {"Item": table.to_raw(catalog_data.stored_item("SONG", song))}} for song in songs]
    )
    return songs


def _rate(user_id: str, songs: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    ratings = [
        {"userId": user_id, "songId": song["id"], "stars": rng.randint(1, 5), "ratedAt": now_iso()} for song in songs
    ]
    table.batch_write([{"PutRequest": {"Item": table.to_raw(ratings_data.rating_item(r))}} for r in ratings])
    return ratings


def main() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible benchmark data, not secrecy
    moto_fixes.install()  # moto as the emulator runs it: a Query reads its partition, not the table
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-bench"))
        sqs = boto3.client("sqs")
        os.environ["FEED_QUEUE_URL"] = sqs.create_queue(QueueName="feed")["QueueUrl"]
        started = time.perf_counter()
        artists = _add_artists()
        accounts_data.put_profile(
            {"id": LISTENER, "email": "bench@example.com", "displayName": "Bench", "createdAt": now_iso()}
        )
        for artist in artists[: FOLLOWS - 5]:
            follows_data.put_follow({"userId": LISTENER, "artistId": artist["id"], "followedAt": now_iso()}, 500)
        for genre in list(GENRES)[:5]:
            follows_data.put_follow({"userId": LISTENER, "genre": genre, "followedAt": now_iso()}, 500)
        songs = _load_songs(artists, rng)
        mine = rng.sample(songs, RATINGS)
        _rate(LISTENER, mine, rng)
        for _ in range(OTHER_LISTENERS):  # others overlap the listener's taste, so neighbours exist
            rated = {song["id"]: song for song in rng.sample(mine, 5) + rng.sample(songs, OTHER_RATINGS - 5)}
            _rate(str(uuid.uuid4()), list(rated.values()), rng)
        for song in rng.sample(songs, RELEASES):
            note = {"id": str(uuid.uuid4()), "kind": "SONG", "contentId": song["id"], "artistId": song["artistId"]}
            note |= {"albumId": None, "title": song["title"], "artistName": "Artist", "genre": song["genre"]}
            inbox_data.put_notifications([LISTENER], note | {"publishedAt": now_iso()}, 2_000_000_000)
        print(
            f"loaded {SONGS} songs, {RATINGS} + {OTHER_LISTENERS * OTHER_RATINGS} ratings"
            f" in {time.perf_counter() - started:.0f} s"
        )

        meter = Meter()
        table.client().meta.events.register("before-call.dynamodb", meter.count)

        meter.reset()
        started = time.perf_counter()
        feed.refresh(LISTENER, now_iso())
        total_ms = (time.perf_counter() - started) * 1000
        entries = len(feed_data.get_feed(LISTENER)["entries"])  # type: ignore[index]
        print("\nrecompute picks (the feed function, after a rating or follow):")
        print(f"  {meter.calls} DynamoDB calls, {total_ms - meter.ms:.0f} ms outside them, {entries} entries stored")

        schema = build_schema()
        appsync.bind(schema, LocalFunction("music-bench-api", "resolvers.handlers.api.handler"))

        def request(sub: str, token: str | None = None) -> tuple[int, float, dict[str, Any]]:
            caller = Caller(COGNITO, {"sub": sub, "iss": "local", "cognito:groups": ["users"]})
            meter.reset()
            started = time.perf_counter()
            result = asyncio.run(
                schema.execute(
                    FEED, variable_values={"t": token}, context_value={"caller": caller, "headers": {}, "loaders": {}}
                )
            )
            own_ms = (time.perf_counter() - started) * 1000 - meter.ms
            assert not result.errors, result.errors
            return meter.calls, own_ms, (result.data or {})["feed"]

        heading = "feed(limit: 20) with song and artist"
        print(f"\n{heading:40} {'items':>5} {'DynamoDB calls':>15} {'ms outside them: p50':>21} {'max':>6}")
        for label, sub, second_page in (
            ("listener: 200 ratings, 50 follows", LISTENER, False),
            ("listener, second page", LISTENER, True),
            ("new listener (no picks yet)", NEWCOMER, False),
        ):
            timings = []
            for _ in range(RUNS):
                token = request(sub)[2]["nextToken"] if second_page else None
                count, elapsed, page = request(sub, token)
                timings.append(elapsed)
            p50, worst = statistics.median(timings), max(timings)
            print(f"{label:40} {len(page['items']):>5} {count:>15} {p50:>21.1f} {worst:>6.1f}")


class Meter:
    """DynamoDB calls made, and the time moto spent answering them (which is not DynamoDB's)."""

    def __init__(self) -> None:
        self.calls, self.ms = 0, 0.0
        answer = BotocoreStubber.process_request

        def timed(stubber: BotocoreStubber, request: Any) -> Any:
            started = time.perf_counter()
            try:
                return answer(stubber, request)
            finally:
                self.ms += (time.perf_counter() - started) * 1000

        BotocoreStubber.process_request = timed  # type: ignore[method-assign]

    def reset(self) -> None:
        self.calls, self.ms = 0, 0.0

    def count(self, **_: Any) -> None:
        self.calls += 1


if __name__ == "__main__":
    main()
