"""Real-time latency on a local API of its own, with 100 subscriptions open as Amplify opens them.

    python -m bench.realtime_latency [--subscribers 100] [--publishes 200] [--releases 30]

Each subscriber is one websocket to `wss://…/graphql/realtime` (the local CA as the only
trust root, the `header-` subprotocol, AppSync's protocol) subscribed to `onNewContent`
for one artist. Two figures, p50/p95/p99 in milliseconds:
- publish: from sending `publishNewContent` (SigV4, as the fan-out sends it) until the
  last of the subscribers has the event (targets: p50 <= 20 ms);
- release: from a song turning READY (the media processor's `announce`, which queues the
  event) until the last subscriber has it: queue, fan-out Lambda, publish, delivery
  (target: p50 <= 250 ms).
Timings are taken in this process, which also runs the subscribers: a busy machine shows.
So the bench also reports the CPU time the emulator process spent per publish (Linux /proc),
which load on the machine hardly changes: the figure to compare changes to the emulator by.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import ssl
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import boto3
from websockets.asyncio.client import ClientConnection, connect

from emulator import aws, launcher
from emulator.seed import ADMIN, LISTENER
from resolvers import realtime

ON_NEW_CONTENT = "subscription($a: ID) { onNewContent(artistId: $a) { eventId title } }"
# The fan-out's selection (resolvers/realtime.py): subscribers get the fields the mutation selected.
PUBLISH = realtime.PUBLISH
LOGIN = "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken accessToken } }"
WAIT_SECONDS = 10


def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"content-type": "application/json", **headers}, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local API
        answer = json.load(response)
    if answer.get("errors"):
        raise RuntimeError(answer["errors"])
    return answer["data"]


def login(base: str, api_key: str, account: dict[str, str]) -> dict[str, str]:
    variables = {"e": account["email"], "p": account["password"]}
    return post(f"{base}/graphql", {"query": LOGIN, "variables": variables}, {"x-api-key": api_key})["login"]


class Arrivals:
    """When each subscriber got each event (by title), and who waits for the last of them."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.times: dict[str, list[float]] = defaultdict(list)
        self.complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    def record(self, title: str) -> None:
        self.times[title].append(time.perf_counter())
        if len(self.times[title]) == self.subscribers:
            self.complete[title].set()

    async def last(self, title: str) -> float:
        await asyncio.wait_for(self.complete[title].wait(), WAIT_SECONDS)
        return max(self.times.pop(title))


async def subscribe(url: str, context: ssl.SSLContext, token: str, artist_id: str, arrivals: Arrivals) -> None:
    authorization = {"Authorization": token, "host": url.split("/")[2]}
    header = "header-" + base64.urlsafe_b64encode(json.dumps(authorization).encode()).decode().rstrip("=")
    async with connect(url, ssl=context, subprotocols=["graphql-ws", header], max_queue=None) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        await expect(socket, "connection_ack")
        data = json.dumps({"query": ON_NEW_CONTENT, "variables": {"a": artist_id}})
        payload = {"data": data, "extensions": {"authorization": authorization}}
        await socket.send(json.dumps({"id": "1", "type": "start", "payload": payload}))
        await expect(socket, "start_ack")
        arrivals.record("ready")
        async for text in socket:
            message = json.loads(text)
            if message["type"] == "data":
                arrivals.record(message["payload"]["data"]["onNewContent"]["title"])


async def expect(socket: ClientConnection, kind: str) -> None:
    while (message := json.loads(await socket.recv()))["type"] != kind:
        if message["type"] != "ka":
            raise RuntimeError(f"expected {kind}, got {message}")


def send(request: urllib.request.Request) -> None:
    """Publish; a refused publish fails the bench at once rather than as a wait for events that never come."""
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own local API
        answer = json.load(response)
    if answer.get("errors"):
        raise RuntimeError(answer["errors"])


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"p50 {at(0.50):6.1f} ms   p95 {at(0.95):6.1f} ms   p99 {at(0.99):6.1f} ms   (n={len(ordered)})"


def content(artist_id: str, title: str) -> dict[str, Any]:
    return {
        "eventId": str(uuid.uuid4()),
        "kind": "SONG",
        "id": str(uuid.uuid4()),
        "artistId": artist_id,
        "title": title,
        "artistName": "Bench Band",
        "genre": "jazz",
        "publishedAt": "2026-01-01T00:00:00.000Z",
        "audiences": [f"ARTIST#{artist_id}", "GENRE#jazz"],  # as the fan-out names them (resolvers/releases.py)
    }


def as_the_backend(base: str, aws_endpoint: str) -> None:
    """This process signs publishes and queues releases as the Lambda functions do, with the local credentials."""
    os.environ.update(
        AWS_ENDPOINT_URL=aws_endpoint,
        AWS_DEFAULT_REGION=aws.REGION,
        AWS_ACCESS_KEY_ID=aws.LOCAL_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=aws.LOCAL_SECRET_KEY,
        TABLE_NAME=aws.TABLE_NAME,
        APPSYNC_URL=f"{base}/graphql",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    sqs = boto3.client("sqs", endpoint_url=aws_endpoint)
    os.environ["NEW_CONTENT_QUEUE_URL"] = sqs.get_queue_url(QueueName=aws.NEW_CONTENT_QUEUE)["QueueUrl"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux), NaN where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


async def measure(base: str, args: argparse.Namespace, emulator_pid: int) -> tuple[list[float], list[float], float]:
    config = json.loads(urllib.request.urlopen(f"{base}/config", timeout=10).read())  # noqa: S310
    outputs = json.loads(urllib.request.urlopen(f"{base}/amplify_outputs.json", timeout=10).read())  # noqa: S310
    ca_file = Path(tempfile.mkdtemp()) / "local-ca.pem"
    ca_file.write_bytes(urllib.request.urlopen(f"{base}/local-ca.pem", timeout=10).read())  # noqa: S310
    as_the_backend(base, config["awsEndpoint"])
    from resolvers import releases  # noqa: PLC0415 - after the environment points at the emulator

    admin = {"authorization": login(base, config["apiKey"], ADMIN)["idToken"]}
    token = login(base, config["apiKey"], LISTENER)["accessToken"]  # what Amplify's Auth hands its real-time provider
    artist = post(f"{base}/graphql", {"query": 'mutation { createArtist(input: {name: "Bench Band"}) { id } }'}, admin)
    artist_id = artist["createArtist"]["id"]

    arrivals = Arrivals(args.subscribers)
    realtime_url = outputs["data"]["url"].replace("https://", "wss://") + "/realtime"
    context = ssl.create_default_context(cafile=str(ca_file))
    listeners = [
        asyncio.create_task(subscribe(realtime_url, context, token, artist_id, arrivals))
        for _ in range(args.subscribers)
    ]
    await arrivals.last("ready")

    published: list[float] = []
    cpu_before = cpu_seconds(emulator_pid)
    for n in range(args.publishes):
        title = f"publish {n}"
        body = json.dumps({"query": PUBLISH, "variables": {"input": content(artist_id, title)}}).encode()
        request = realtime.signed_request(f"{base}/graphql", body)
        started = time.perf_counter()
        # gather: a publish that fails ends the bench now, not after the wait for its event.
        last, _ = await asyncio.gather(arrivals.last(title), asyncio.to_thread(send, request))
        published.append(last - started)

    cpu_per_publish = (cpu_seconds(emulator_pid) - cpu_before) / args.publishes
    released: list[float] = []
    for n in range(args.releases):
        title = f"release {n}"
        song = {"id": str(uuid.uuid4()), "title": title, "artistId": artist_id, "genre": "jazz"}
        started = time.perf_counter()
        await asyncio.to_thread(releases.announce, "SONG", song)
        released.append(await arrivals.last(title) - started)

    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    return published, released, cpu_per_publish


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realtime_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--releases", type=int, default=30)
    args = parser.parse_args(argv)
    process, base = launcher.start("--seed", "demo")
    try:
        published, released, cpu_per_publish = asyncio.run(measure(base, args, process.pid))
    finally:
        launcher.stop(process)
    print(f"Real-time latency, {args.subscribers} subscriptions over wss (until the last one has the event):")
    print(f"  publishNewContent request -> event: {percentiles(published)}")
    print(f"  song READY (announce) -> event:     {percentiles(released)}")
    print(f"  emulator CPU per publish:           {cpu_per_publish * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
