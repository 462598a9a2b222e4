"""Import 1,000 short tagged tracks into a fresh local API; print the import's time and rate,
then what reading that catalog costs.

    python -m bench.import_scale [--artists 10] [--albums 10] [--tracks 10] [--workers 8] [--seconds 30]

Generates 10 artists x 10 albums x 10 tracks (tags, an embedded cover per album) with
`tools.import_music.sample`, starts an emulator of its own on 127.0.0.1 (the demo seed,
for its admin), runs `tools.import_music` against it and counts until the last song is
READY. Target on the 2-core dev machine: at least 10 songs a second. Then, with those songs
loaded, as the demo listener: the p50 of a songs page of 50 with artist and album,
`song(id)`, `search` and `feed` (20 calls each, one at a time), and the requests per second
of 8 clients looping the songs page for `--seconds` (targets: page p50 at most 100 ms,
8 clients at least 40 requests a second).

It also prints the emulator's resident memory after the demo seed and after the import.
Goal (issue 13): RSS after the import at most 2 x RSS after the seed + the size of the
imported files (the emulator keeps the files in its S3); the run exits 1 when it is not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench import songs_concurrency
from bench.cpu import CpuMeter
from bench.dynamodb_scale import rss_mb
from emulator import launcher
from emulator.seed import LISTENER, Client
from tools.import_music.__main__ import main as import_music
from tools.import_music.sample import make_folder

TARGET_PER_SECOND = 10.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artists", type=int, default=10)
    parser.add_argument("--albums", type=int, default=10)
    parser.add_argument("--tracks", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30, help="how long the 8 clients loop the songs page")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="import-scale-") as folder:
        count = make_folder(Path(folder), args.artists, args.albums, args.tracks)
        files_mb = sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file()) / 2**20
        process, base = launcher.start("--seed", "demo")
        try:
            seeded_mb = rss_mb(process.pid)
            started, meter = time.monotonic(), CpuMeter(process.pid).start()
            code = import_music([folder, "--local", base, "--workers", str(args.workers)])
            seconds, import_cpu = time.monotonic() - started, meter.stop().per(count, "song")
            imported_mb = rss_mb(process.pid)
            reads = read_figures(base, args.seconds, process.pid)
        finally:
            launcher.stop(process)
    rate = count / seconds
    print(f"import_scale: {count} songs imported in {seconds:.1f} s until the last was READY: {rate:.1f} songs/s")
    verdict = "met" if rate >= TARGET_PER_SECOND else "NOT met"
    print(f"import_scale: target >= {TARGET_PER_SECOND:.0f} songs/s: {verdict}")
    print(f"import_scale: {import_cpu}")
    limit_mb = 2 * seeded_mb + files_mb
    fits = imported_mb <= limit_mb
    print(
        f"import_scale: RSS {seeded_mb:.0f} MB after the seed, {imported_mb:.0f} MB after the import "
        f"(limit 2 x {seeded_mb:.0f} + {files_mb:.1f} MB of files = {limit_mb:.0f} MB) {'ok' if fits else 'FAILED'}"
    )
    for line in reads:
        print(f"import_scale: {line}")
    return code or (0 if fits else 1)


READS = {
    "songs page of 50 with artist and album": songs_concurrency.SONGS_PAGE,
    "song(id) with artist and album": "query($id: ID!) { song(id: $id) { title artist { name } album { title } } }",
    "search": 'query { search(query: "sample track", limit: 20) { albums { title } songs { title } } }',
    "feed(limit: 20) with song": "query { feed(limit: 20) { items { reason song { title } } nextToken } }",
}
CALLS = 20


def read_figures(base: str, seconds: float, pid: int) -> list[str]:
    """The p50 of each read, one call at a time, then 8 clients on the songs page (as the listener),
    with the CPU each page cost the emulator's processes (`pid`) and the clients."""
    url = f"{base}/graphql"
    api_key = requests.get(f"{base}/config", timeout=10).json()["apiKey"]
    token = songs_concurrency.login(Client(url, {"x-api-key": api_key}), LISTENER)
    listener = Client(url, {"authorization": token})
    song_id = listener("query { songs(limit: 1) { items { id } } }")["songs"]["items"][0]["id"]
    lines = []
    for name, document in READS.items():
        variables = {"id": song_id} if "$id" in document else {}
        timings = []
        for n in range(CALLS + 3):  # the first three start the functions' instances
            started = time.monotonic()
            listener(document, **variables)
            if n >= 3:
                timings.append((time.monotonic() - started) * 1000)
        lines.append(f"{name}: p50 {statistics.median(timings):.0f} ms")
    meter = CpuMeter(pid)
    latencies, errors = songs_concurrency.concurrent_pages(url, token, 8, seconds, meter)
    lines.append(
        f"8 clients x {seconds:.0f} s on the songs page: {len(latencies) / seconds:.1f} requests/s, "
        f"p50 {statistics.median(latencies):.0f} ms, {len(errors)} failed"
    )
    lines.append(f"8 clients: {meter.per(len(latencies), 'request')}")
    return lines


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
