"""Does the local DynamoDB's cost grow with the table? Sequential createSong through the API.

    python -m bench.dynamodb_scale [--songs 4000] [--every 1000]

Starts an emulator of its own (demo seed, as `make run` does, without a data directory),
signs in as the demo admin, creates one artist and one album, then creates `--songs`
songs on that album one after another through GraphQL, as a client would. Every
`--every` songs it prints the rate of the last block and the emulator's resident memory
(RSS, read from /proc). Goal (issue 13): RSS after 4,000 creates at most 5 % above RSS
after 2,000; the run exits 1 when it is not (only when both points were measured).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from pathlib import Path

from emulator import launcher
from emulator.seed import ADMIN, Client

GROWTH_LIMIT = 1.05  # RSS at the end over RSS at half-way
MAX_TRACK = 999  # the API's limit on trackNumber
CREATE_SONG = "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }"


def rss_mb(pid: int) -> float:
    """The process's resident set size in MB, as `ps` and `top` report it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dynamodb_scale", description=__doc__)
    parser.add_argument("--songs", type=int, default=4000, help="songs to create (default 4000)")
    parser.add_argument("--every", type=int, default=1000, help="print a line every N songs (default 1000)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _options(argv)
    process, base = launcher.start("--seed", "demo")
    try:
        url = f"{base}/graphql"
        guest = Client(url, {"x-api-key": launcher_config(base)["apiKey"]})
        token = guest(
            "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }",
            e=ADMIN["email"],
            p=ADMIN["password"],
        )["login"]["idToken"]
        admin = Client(url, {"authorization": token})
        artist = admin(
            "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id } }",
            i={"name": "Scale Bench", "genres": ["jazz"]},
        )["createArtist"]["id"]
        album = admin(
            "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
            i={"artistId": artist, "title": "Many Songs", "genre": "jazz", "releaseDate": "2024-01-01"},
        )["createAlbum"]["id"]
        rss = {0: rss_mb(process.pid)}
        print(f"{'songs':>6} {'songs/s (last block)':>21} {'RSS MB':>8}", flush=True)
        print(f"{0:>6} {'':>21} {rss[0]:>8.0f}", flush=True)
        started = time.monotonic()
        for n in range(1, args.songs + 1):
            track = (n - 1) % MAX_TRACK + 1
            song = {"title": f"Song {n}", "artistId": artist, "albumId": album, "genre": "jazz", "trackNumber": track}
            admin(CREATE_SONG, i=song)
            if n % args.every == 0:
                rate = args.every / (time.monotonic() - started)
                rss[n] = rss_mb(process.pid)
                print(f"{n:>6} {rate:>21.1f} {rss[n]:>8.0f}", flush=True)
                started = time.monotonic()
    finally:
        launcher.stop(process)
    half, end = args.songs // 2, args.songs
    if half in rss and end in rss and half > 0:
        growth = rss[end] / rss[half]
        verdict = "ok" if growth <= GROWTH_LIMIT else "FAILED"
        print(f"RSS after {end} / after {half}: {growth:.3f} (limit {GROWTH_LIMIT}) {verdict}", flush=True)
        return 0 if growth <= GROWTH_LIMIT else 1
    return 0


def launcher_config(base: str) -> dict[str, str]:
    """The local API's public config (its API key for guests)."""
    with urllib.request.urlopen(f"{base}/config", timeout=10) as response:  # noqa: S310 - our own local server
        return json.load(response)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
