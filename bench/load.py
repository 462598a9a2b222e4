"""Load on the local API: listeners browsing, rating and subscribed while an admin publishes.

    python -m bench.load [--listeners 20] [--seconds 30] [--releases 8]

Starts an emulator of its own on 127.0.0.1 (demo seed), registers the listeners through
the API (codes from its outbox), has each follow a genre and subscribe to `onNewContent`
for it over a websocket, then runs them for `--seconds` (browse songs, search, open a
song, read the feed, rate songs) while the admin publishes songs: create, upload a
short WAV, the media pipeline makes it READY and announces it to the subscribers.
Prints throughput, latency per operation (p50/p95/p99), errors by type, and publish to
delivery latency. Fails (exit 1) if a subscriber missed an announcement or got one twice,
or if a song's rating aggregate differs from the stars the listeners gave last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from bench.cpu import CpuMeter
from emulator import launcher
from emulator.seed import ADMIN, wav

GENRES = ("jazz", "rock")
PASSWORD = "Load-test-1!"  # noqa: S105 - accounts of a throwaway local emulator
ON_NEW_CONTENT = "subscription($g: String) { onNewContent(genre: $g) { eventId id genre publishedAt } }"
BROWSE = {
    "songs": ("query { songs(limit: 20) { items { id title artist { name } } nextToken } }", {}),
    "search": ('query { search(query: "blue", limit: 10) { songs { id } artists { name } } }', {}),
    "feed": ("query { feed(limit: 10) { items { reason song { id } } nextToken } }", {}),
}
SONG = "query($id: ID!) { song(id: $id) { title averageRating ratingCount artist { name } album { title } } }"
RATE = "mutation($id: ID!, $n: Int!) { rateSong(songId: $id, stars: $n) { stars } }"


class Api:
    """GraphQL over HTTP, timing each call by operation kind."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self._lock = threading.Lock()

    def call(self, kind: str, headers: dict[str, str], document: str, **variables: Any) -> dict[str, Any] | None:
        body = json.dumps({"query": document, "variables": variables}).encode()
        request = urllib.request.Request(self.url, body, {"content-type": "application/json", **headers})  # noqa: S310
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own local server
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            answer = {"errors": [{"errorType": f"HTTP {error.code}"}]}
        elapsed = (time.perf_counter() - started) * 1000
        with self._lock:
            self.latencies[kind].append(elapsed)
            for error in answer.get("errors") or []:
                self.errors[f"{kind}: {error.get('errorType')}"] += 1
        return answer.get("data")


def register(api: Api, base: str, api_key: str, email: str) -> str:
    """A confirmed, signed-in listener's id token (the confirmation code comes from the outbox)."""
    guest = {"x-api-key": api_key}
    api.call(
        "register",
        guest,
        "mutation($e: AWSEmail!, $p: String!) {"
        ' register(email: $e, password: $p, displayName: "Load") { userConfirmed } }',
        e=email,
        p=PASSWORD,
    )
    with urllib.request.urlopen(f"{base}/outbox?to={email}", timeout=10) as response:  # noqa: S310
        code = json.load(response)[-1]["code"]
    api.call(
        "register",
        guest,
        "mutation($e: AWSEmail!, $c: String!) { confirmRegistration(email: $e, code: $c) }",
        e=email,
        c=code,
    )
    return login(api, api_key, email, PASSWORD)


def login(api: Api, api_key: str, email: str, password: str) -> str:
    data = api.call(
        "login",
        {"x-api-key": api_key},
        "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }",
        e=email,
        p=password,
    )
    assert data, f"could not sign in {email}"
    return data["login"]["idToken"]


class Subscriber:
    """One listener's websocket subscription, recording each event and when it arrived."""

    def __init__(self, url: str, token: str, genre: str) -> None:
        self.url, self.token, self.genre = url, token, genre
        self.events: list[tuple[dict[str, Any], float]] = []
        self.ready = threading.Event()

    async def run(self, stop: asyncio.Event) -> None:
        transport = WebsocketsTransport(
            url=self.url.replace("http://", "ws://"),
            init_payload={"authorization": self.token},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        async with Client(transport=transport) as session:
            stream = session.subscribe(GraphQLRequest(ON_NEW_CONTENT, variable_values={"g": self.genre}))
            self.ready.set()
            waiting = asyncio.ensure_future(stop.wait())
            while True:
                following = asyncio.ensure_future(anext(stream))
                done, _ = await asyncio.wait({following, waiting}, return_when=asyncio.FIRST_COMPLETED)
                if following in done:
                    self.events.append((following.result()["onNewContent"], time.time()))
                if waiting in done:
                    following.cancel()
                    return


def publish(api: Api, admin: dict[str, str], artist_id: str, genre: str, title: str) -> str:
    """Create a song and upload its audio; the media pipeline makes it READY and announces it."""
    song = api.call(
        "publish",
        admin,
        "mutation($a: ID!, $t: String!, $g: String!) {"
        " createSong(input: {artistId: $a, title: $t, genre: $g}) { id } }",
        a=artist_id,
        t=title,
        g=genre,
    )
    assert song, "createSong failed"
    audio = wav(1.0)
    target = api.call(
        "publish",
        admin,
        "mutation($i: UploadRequestInput!) { requestUpload(input: $i) { url fields { name value } } }",
        i={"kind": "AUDIO", "songId": song["createSong"]["id"], "contentType": "audio/wav", "sizeBytes": len(audio)},
    )
    assert target, "requestUpload failed"
    fields = {f["name"]: f["value"] for f in target["requestUpload"]["fields"]}
    requests.post(
        target["requestUpload"]["url"], data=fields, files={"file": ("a.wav", audio)}, timeout=30
    ).raise_for_status()
    return song["createSong"]["id"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--releases", type=int, default=8)
    args = parser.parse_args(argv)
    process, base = launcher.start("--seed", "demo")
    try:
        with urllib.request.urlopen(f"{base}/config", timeout=10) as response:  # noqa: S310
            api_key = json.load(response)["apiKey"]
        api = Api(f"{base}/graphql")
        admin = {"authorization": login(api, api_key, ADMIN["email"], ADMIN["password"])}
        emails = [f"load-{uuid.uuid4().hex[:8]}@example.com" for _ in range(args.listeners)]
        tokens = [register(api, base, api_key, email) for email in emails]
        subscribers = [Subscriber(api.url, token, GENRES[n % len(GENRES)]) for n, token in enumerate(tokens)]
        with Subscriptions(subscribers):
            meter = CpuMeter(process.pid).start()
            elapsed, published, last_stars = traffic(api, admin, tokens, args)
            meter.stop()
            expected = {g: {song for song, genre in published.items() if genre == g} for g in GENRES}
            settle = time.monotonic() + 30
            while time.monotonic() < settle and any(len(s.events) < len(expected[s.genre]) for s in subscribers):
                time.sleep(0.2)
        report(api, elapsed, subscribers, args, meter)
        return verify(api, admin, subscribers, expected, last_stars)
    finally:
        launcher.stop(process)


class Subscriptions:
    """The subscribers' websockets, on an event loop of their own, open for the `with` block."""

    def __init__(self, subscribers: list[Subscriber]) -> None:
        self.subscribers = subscribers
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._all(),), daemon=True)

    async def _all(self) -> None:
        await asyncio.gather(*(s.run(self.stop) for s in self.subscribers))

    def __enter__(self) -> Subscriptions:
        self.thread.start()
        for subscriber in self.subscribers:
            subscriber.ready.wait(30)
        time.sleep(0.5)  # each registers once the protocol has acknowledged it
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


def traffic(
    api: Api, admin: dict[str, str], tokens: list[str], args: argparse.Namespace
) -> tuple[float, dict[str, str], dict[tuple[int, str], int]]:
    """The listeners' loops for `args.seconds` while the admin publishes; returns the time it
    took, the published songs' genres, and the stars each listener gave each song last."""
    rng = random.Random(11)  # noqa: S311 - reproducible load, not secrecy
    songs = [s["id"] for s in (api.call("songs", admin, BROWSE["songs"][0]) or {})["songs"]["items"]]
    last_stars: dict[tuple[int, str], int] = {}
    deadline = time.monotonic() + args.seconds

    def listen(n: int) -> None:
        headers = {"authorization": tokens[n]}
        while time.monotonic() < deadline:
            kind = rng.choice(["songs", "search", "feed", "song", "rate", "rate"])
            if kind in BROWSE:
                api.call(kind, headers, BROWSE[kind][0])
            elif kind == "song":
                api.call("song", headers, SONG, id=rng.choice(songs))
            else:
                song_id, stars = rng.choice(songs), rng.randint(1, 5)
                if api.call("rate", headers, RATE, id=song_id, n=stars):
                    last_stars[(n, song_id)] = stars

    artist = api.call("publish", admin, 'mutation { createArtist(input: {name: "Load Artist"}) { id } }')
    assert artist, "createArtist failed"
    published: dict[str, str] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(len(tokens)) as pool:
        running = [pool.submit(listen, n) for n in range(len(tokens))]
        for release in range(args.releases):
            time.sleep(max(0.0, started + release * args.seconds / args.releases - time.monotonic()))
            genre = GENRES[release % len(GENRES)]
            published[publish(api, admin, artist["createArtist"]["id"], genre, f"Load {release}")] = genre
        for future in running:
            future.result()
    return time.monotonic() - started, published, last_stars


def report(api: Api, elapsed: float, subscribers: list[Subscriber], args: argparse.Namespace, meter: CpuMeter) -> None:
    load = {kind: values for kind, values in api.latencies.items() if kind not in ("register", "login", "publish")}
    total = sum(len(values) for values in load.values())
    print(f"{args.listeners} listeners for {elapsed:.0f} s; meanwhile the admin published {args.releases} songs")
    print(f"requests: {total}, throughput: {total / elapsed:.1f} req/s")
    print(meter.per(total, "request"))
    print(f"\n{'operation':12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(load.items()):
        print(
            f"{kind:12} {len(values):>6} {statistics.median(values):>8.0f} "
            f"{percentile(values, 0.95):>8.0f} {percentile(values, 0.99):>8.0f}"
        )
    print(f"\nerrors: {dict(api.errors) or 'none'}")
    delays = [
        arrived - datetime.fromisoformat(event["publishedAt"].replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()
        for subscriber in subscribers
        for event, arrived in subscriber.events
    ]
    if delays:
        print(
            f"delivery (announced -> subscriber): {len(delays)} events, p50 {statistics.median(delays) * 1000:.0f} ms,"
            f" p99 {percentile(delays, 0.99) * 1000:.0f} ms"
        )


def verify(
    api: Api,
    admin: dict[str, str],
    subscribers: list[Subscriber],
    expected: dict[str, set[str]],
    last_stars: dict[tuple[int, str], int],
) -> int:
    problems = []
    for n, subscriber in enumerate(subscribers):
        got = Counter(event["id"] for event, _ in subscriber.events)
        if set(got) != expected[subscriber.genre] or any(count > 1 for count in got.values()):
            problems.append(
                f"subscriber {n} ({subscriber.genre}): got {dict(got)}, expected {expected[subscriber.genre]}"
            )
    truth: dict[str, list[int]] = defaultdict(list)
    for (_, song_id), stars in last_stars.items():
        truth[song_id].append(stars)
    for song_id, stars in truth.items():
        song = (api.call("check", admin, SONG, id=song_id) or {})["song"]
        if song["ratingCount"] != len(stars) or abs(song["averageRating"] - sum(stars) / len(stars)) > 1e-9:
            problems.append(
                f"song {song_id}: {song['ratingCount']} ratings, average {song['averageRating']}; truth {stars}"
            )
    print(f"\nchecked: {sum(len(s.events) for s in subscribers)} deliveries, {len(truth)} rated songs' aggregates")
    for problem in problems:
        print("FAILED:", problem)
    print("no lost or duplicated events, every aggregate exact" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
