"""Count the calls the new-content fan-out makes to tell 10,000 followers about one release.

    python -m bench.fanout_calls [--followers 10000]

Runs the real fan-out handler on one SQS event, in one process: DynamoDB, SNS and SQS
are in-process moto, and `publishNewContent` goes, SigV4-signed, to a stand-in AppSync
endpoint on 127.0.0.1 that counts it. Calls are counted with botocore's event hooks.
The followers are seeded straight into the table (60% follow the artist, 50% the
genre, so a tenth follow both and must be told once). Goal: a constant number of
publishes and lookups plus ceil(N/25) BatchWriteItem calls; a redelivery: one call.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import boto3
from moto import mock_aws

import bench.in_process  # noqa: F401 - the Lambda settings, before resolvers is imported
from emulator.events import sqs_event
from emulator.lambdas import LambdaContext
from resolvers import mailing
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import follows as follows_data
from resolvers.data import table
from resolvers.handlers import new_content
from resolvers.table_layout import create_table_request

GENRE = "jazz"


class AppSync(BaseHTTPRequestHandler):
    """Answers publishNewContent like AppSync, counting the calls and their signatures."""

    calls: ClassVar[Counter] = Counter()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        signed = self.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256")
        AppSync.calls["AppSync publishNewContent" + ("" if signed else " (UNSIGNED)")] += 1
        answer = json.dumps({"data": {"publishNewContent": body["variables"]["input"]}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_: Any) -> None:
        pass


def seed(artist_id: str, followers: int) -> None:
    """Follows written 25 at a time, in the shape `follows_data.put_follow` writes them."""
    by_artist, by_genre = int(followers * 0.6), followers - int(followers * 0.5)
    now = now_iso()
    requests = []
    for n in range(followers):
        user = f"user-{n:06d}"
        if n < by_artist:
            requests.append({"userId": user, "artistId": artist_id, "followedAt": now})
        if n >= by_genre:
            requests.append({"userId": user, "genre": GENRE, "followedAt": now})
    table.batch_write([{"PutRequest": {"Item": table.to_raw(follows_data.follow_item(f))}} for f in requests])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout_calls")
    parser.add_argument("--followers", type=int, default=10_000)
    followers = parser.parse_args(argv).followers

    server = ThreadingHTTPServer(("127.0.0.1", 0), AppSync)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with mock_aws():
        boto3.client("dynamodb").create_table(**create_table_request("music-bench"))
        os.environ["NEW_CONTENT_TOPIC_ARN"] = boto3.client("sns").create_topic(Name="bench")["TopicArn"]
        os.environ["APPSYNC_URL"] = f"http://127.0.0.1:{server.server_address[1]}/graphql"
        artist = {"id": str(uuid.uuid4()), "name": "Bench Artist", "followerCount": 0}
        catalog_data.create_artist({**artist, "createdAt": now_iso(), "updatedAt": now_iso()})
        seed(artist["id"], followers)

        calls: ClassVar[Counter] = Counter()

        def count(event_name: str, **_: Any) -> None:
            _, service, operation = event_name.split(".")
            calls[f"{'DynamoDB' if service == 'dynamodb' else service.upper()} {operation}"] += 1

        for client in (table.client(), mailing._sns()):  # the clients the fan-out uses
            client.meta.events.register("before-call", count)

        release = {
            "eventId": str(uuid.uuid4()),
            "kind": "SONG",
            "id": str(uuid.uuid4()),
            "title": "One Release",
            "artistId": artist["id"],
            "albumId": None,
            "genre": GENRE,
            "publishedAt": now_iso(),
        }
        message = {"MessageId": "1", "ReceiptHandle": "r", "Body": json.dumps(release), "MD5OfBody": ""}
        event = sqs_event("arn:aws:sqs:us-east-1:123456789012:new-content", [message])

        started = time.perf_counter()
        response = new_content.handler(event, LambdaContext("bench-new-content"))
        elapsed = time.perf_counter() - started
        assert response == {"batchItemFailures": []}, response
        first = calls | AppSync.calls
        calls.clear()
        AppSync.calls.clear()
        new_content.handler(event, LambdaContext("bench-new-content"))
        again = calls | AppSync.calls

    server.shutdown()
    told = followers
    batches = math.ceil(told / table.BATCH_WRITE_LIMIT)
    print(f"fan-out of one release to {told:,} followers (of the artist, of the genre, or both: told once)")
    print(f"{'call':34} {'count':>7}")
    for name, n in sorted(first.items(), key=lambda kv: kv[0]):
        print(f"{name:34} {n:>7}")
    print(f"{'total':34} {sum(first.values()):>7}   in {elapsed:.1f} s (in-process moto)")
    other = sum(n for name, n in first.items() if name != "DynamoDB BatchWriteItem")
    print(
        f"BatchWriteItem calls: {first['DynamoDB BatchWriteItem']} (ceil({told:,}/25) = {batches});"
        f" every other call: {other}, the same whatever the followers but for Query pages"
    )
    print(f"redelivery of the same event: {dict(again)}")


if __name__ == "__main__":
    main()
