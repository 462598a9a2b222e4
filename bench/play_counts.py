"""Count the DynamoDB calls the play consumer makes to add 1,000 plays: over 10 songs, and over 1,000.

    python -m bench.play_counts [--plays 1000]

Runs the real consumer handler (`resolvers/handlers/plays.py`) on SQS events of 10 messages
(what the emulator delivers; the stack's batches hold up to 1,000), in one process on
in-process moto. The plays are stored first, as `recordPlay` stores them, by different
listeners. Goal: a song is updated once per transaction, not once per play, so 1,000 plays
of a hot song cost about 1,000 / 98 transactions in one batch of 1,000; a redelivery adds nothing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import uuid
from collections import Counter
from typing import Any

import boto3
from moto import mock_aws

import bench.in_process  # noqa: F401 - the Lambda settings, before resolvers is imported
from emulator import moto_fixes
from emulator.events import sqs_event
from emulator.lambdas import LambdaContext
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import plays as plays_data
from resolvers.data import table
from resolvers.handlers import plays as plays_handler
from resolvers.table_layout import create_table_request


def _songs(count: int) -> list[str]:
    ids = []
    for _ in range(count):
        song = {"id": str(uuid.uuid4()), "title": "Tram", "genre": "jazz", "artistId": str(uuid.uuid4())}
        item = catalog_data.stored_item(
            "SONG", {**song, "status": "READY", "durationSeconds": 200, "createdAt": now_iso()}
        )
        table.client().put_item(TableName=table.table_name(), Item=table.to_raw(item))
        ids.append(song["id"])
    return ids


def _stored_plays(count: int, songs: list[str]) -> list[dict[str, str]]:
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    plays = []
    for n in range(count):
        play = {"userId": str(uuid.uuid4()), "songId": songs[n % len(songs)], "startedAt": started}
        plays_data.write_play({**play, "endsAt": started, "playedMs": 60_000, "device": "bench"}, 0, version=0)
        plays.append(play)
    return plays


def _events(plays: list[dict[str, str]], batch: int) -> list[dict[str, Any]]:
    """SQS events of `batch` messages, one play per message (what recordPlay sends)."""
    messages = [
        {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "r", "Body": json.dumps({"plays": [p]}), "MD5OfBody": ""}
        for p in plays
    ]
    return [
        sqs_event("arn:aws:sqs:us-east-1:123456789012:plays", messages[i : i + batch])
        for i in range(0, len(messages), batch)
    ]


def measure(plays: int, songs: int, batch: int) -> Counter:
    moto_fixes.install()  # moto as the emulator runs it: a transaction copies its items, not the table
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-bench"))
        table.client.cache_clear()
        stored = _stored_plays(plays, _songs(songs))
        calls: Counter = Counter()
        table.client().meta.events.register(
            "before-call", lambda event_name, **_: calls.update([event_name.split(".")[-1]])
        )
        for event in _events(stored, batch):
            assert plays_handler.handler(event, LambdaContext("bench"))["batchItemFailures"] == []
        consumed = Counter(calls)  # what follows only checks the outcome
        counts = {
            item["id"]: item.get("playCount", 0)
            for item in table.batch_get("SONG", {p["songId"] for p in stored}).values()
        }
        assert sum(counts.values()) == plays, "every play counted once"
        table.client.cache_clear()
    return consumed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=1000)
    args = parser.parse_args()
    print(f"DynamoDB calls of the play consumer for {args.plays:,} plays (each play stored first, not counted here)")
    for songs in (10, args.plays):
        for batch in (10, 1000):
            calls = measure(args.plays, songs, batch)
            detail = ", ".join(f"{name} {count}" for name, count in sorted(calls.items()))
            print(f"  over {songs:>5,} songs, batches of {batch:>4}: {sum(calls.values()):>4} calls ({detail})")


if __name__ == "__main__":
    main()
