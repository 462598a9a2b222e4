"""Concurrent clients reading a page of songs with artist and album from the local API.

    python -m bench.songs_concurrency [--clients 8] [--seconds 30] [--songs 60] [--instances 4] [--in-process]

Starts an emulator of its own on 127.0.0.1 with the demo seed, adds `--songs` playable
songs through the API (create, upload a short WAV, the media pipeline makes it READY),
then has `--clients` listeners loop `songs(limit: 50) { artist album }` for `--seconds`
(after a few seconds of warm-up that start the functions' instances, not counted).
Prints requests per second and p50/p95 latency. `--in-process` runs the functions in the
emulator's process, one event at a time, for comparison. Issue 13's target on 2 cores:
8 clients at least 40 requests a second, p50 at most 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

import requests

from bench.cpu import CpuMeter
from emulator import launcher
from emulator.seed import ADMIN, LISTENER, Client, wav

SONGS_PAGE = "query { songs(limit: 50) { items { id title artist { id name } album { id title } } nextToken } }"
SONGS_PER_ALBUM = 5
WARM_UP_SECONDS = 5
PIPELINE_SECONDS = 180
RELEASED = "2026-01-01"


def login(guest: Client, account: dict[str, str]) -> str:
    data = guest(
        "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }",
        e=account["email"],
        p=account["password"],
    )
    return data["login"]["idToken"]


def add_song(admin: Client, artist_id: str, album_id: str, number: int) -> str | None:
    """One song with its audio uploaded as a client would; the media pipeline makes it READY.

    None when createSong failed as a conflict: on a busy machine a moto transaction can outlast
    boto3's 2 s read timeout, and the retry finds the song the first attempt stored."""
    try:
        song = admin(
            "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
            i={
                "title": f"Bench song {album_id[:6]} {number}",
                "artistId": artist_id,
                "albumId": album_id,
                "genre": "jazz",
                "trackNumber": number,
                "durationSeconds": 60,
            },
        )["createSong"]["id"]
    except RuntimeError as error:
        if "ConflictError" not in str(error):
            raise
        print(f"  createSong retried into a conflict: {error}"[:160], flush=True)
        return None
    audio = wav(0.5)
    target = admin(
        "mutation($i: UploadRequestInput!) { requestUpload(input: $i) { url fields { name value } } }",
        i={"kind": "AUDIO", "songId": song, "contentType": "audio/wav", "sizeBytes": len(audio)},
    )["requestUpload"]
    fields = {field["name"]: field["value"] for field in target["fields"]}
    upload = requests.post(target["url"], data=fields, files={"file": ("b.wav", audio, "audio/wav")}, timeout=30)
    upload.raise_for_status()
    return song


def add_catalog(admin: Client, songs: int) -> None:
    """`songs` more playable songs, in albums of SONGS_PER_ALBUM by artists of two albums each."""
    ids: list[str] = []
    album_number = 0
    while len(ids) < songs:  # one song at a time: concurrent writes make slow moto transactions likelier
        if album_number % 2 == 0:
            artist = admin(
                "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id } }",
                i={"name": f"Bench Artist {album_number // 2}", "genres": ["jazz"]},
            )["createArtist"]["id"]
        album = admin(
            "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
            i={"artistId": artist, "title": f"Album {album_number}", "genre": "jazz", "releaseDate": RELEASED},
        )["createAlbum"]["id"]
        album_number += 1
        for number in range(1, min(SONGS_PER_ALBUM, songs - len(ids)) + 1):
            song = add_song(admin, artist, album, number)
            ids += [song] if song else []
    deadline = time.monotonic() + PIPELINE_SECONDS
    pending = set(ids)
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} songs were not processed within {PIPELINE_SECONDS} s")
        for song in list(pending):
            if admin("query($id: ID!) { song(id: $id) { status } }", id=song)["song"]["status"] == "READY":
                pending.discard(song)
        time.sleep(0.5)


def loop(url: str, token: str, window: tuple[float, float], latencies: list[float], errors: list[str]) -> None:
    """One client: the songs page again and again until the window ends; timings within it kept."""
    counting_from, until = window
    session = requests.Session()
    headers = {"authorization": token, "content-type": "application/json"}
    while (started := time.monotonic()) < until:
        answer = session.post(url, json={"query": SONGS_PAGE}, headers=headers, timeout=60).json()
        elapsed = time.monotonic() - started
        if started < counting_from:
            continue
        latencies.append(elapsed * 1000)
        if answer.get("errors") or len(answer["data"]["songs"]["items"]) < 50:
            errors.append(str(answer.get("errors", "a short page"))[:200])


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=100)[int(fraction * 100) - 1]


def concurrent_pages(
    url: str, token: str, clients: int, seconds: float, meter: CpuMeter | None = None
) -> tuple[list[float], list[str]]:
    """`clients` listeners looping the songs page for `seconds` after a warm-up: latencies (ms), errors.
    A `meter` measures the CPU of the counted window only."""
    latencies: list[float] = []
    errors: list[str] = []
    counting_from = time.monotonic() + WARM_UP_SECONDS
    window = (counting_from, counting_from + seconds)
    threads = [threading.Thread(target=loop, args=(url, token, window, latencies, errors)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    if meter:
        time.sleep(max(0.0, counting_from - time.monotonic()))
        meter.start()
    for thread in threads:
        thread.join()
    if meter:
        meter.stop()
    return latencies, errors


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.songs_concurrency", description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--songs", type=int, default=60, help="playable songs added to the demo's 12")
    parser.add_argument("--instances", type=int, default=4, help="instances per function")
    parser.add_argument("--in-process", action="store_true", help="functions in the emulator's process")
    args = parser.parse_args(argv)
    options = ["--seed", "demo", "--instances", str(args.instances), *(["--in-process"] if args.in_process else [])]
    process, base = launcher.start(*options)
    try:
        url = f"{base}/graphql"
        api_key = requests.get(f"{base}/config", timeout=10).json()["apiKey"]
        guest = Client(url, {"x-api-key": api_key})
        started = time.monotonic()
        add_catalog(Client(url, {"authorization": login(guest, ADMIN)}), args.songs)
        print(f"added {args.songs} playable songs in {time.monotonic() - started:.0f} s", flush=True)
        meter = CpuMeter(process.pid)
        latencies, errors = concurrent_pages(url, login(guest, LISTENER), args.clients, args.seconds, meter)
    finally:
        launcher.stop(process)
    mode = "in-process" if args.in_process else f"up to {args.instances} instances per function"
    print(f"{args.clients} clients x {args.seconds:.0f} s, songs page of 50 with artist and album, {mode}:")
    print(
        f"  {len(latencies) / args.seconds:.1f} requests/s   p50 {statistics.median(latencies):.0f} ms"
        f"   p95 {percentile(latencies, 0.95):.0f} ms   ({len(latencies)} requests, {len(errors)} failed)"
    )
    print(f"  {meter.per(len(latencies), 'request')}")
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
