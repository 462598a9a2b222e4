"""Import 1,000 short tagged tracks into a fresh local API and print the import time and rate.

    python -m bench.import_scale [--artists 10] [--albums 10] [--tracks 10] [--workers 8]

Generates 10 artists x 10 albums x 10 tracks (tags, an embedded cover per album) with
`tools.import_music.sample`, starts an emulator of its own on 127.0.0.1 (the demo seed,
for its admin), runs `tools.import_music` against it and counts until the last song is
READY. Target on the 2-core dev machine: at least 10 songs a second.

It also prints the emulator's resident memory after the demo seed and after the import.
Goal (issue 13): RSS after the import at most 2 x RSS after the seed + the size of the
imported files (the emulator keeps the files in its S3); the run exits 1 when it is not.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.dynamodb_scale import rss_mb
from emulator import launcher
from tools.import_music.__main__ import main as import_music
from tools.import_music.sample import make_folder

TARGET_PER_SECOND = 10.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artists", type=int, default=10)
    parser.add_argument("--albums", type=int, default=10)
    parser.add_argument("--tracks", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="import-scale-") as folder:
        count = make_folder(Path(folder), args.artists, args.albums, args.tracks)
        files_mb = sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file()) / 2**20
        process, base = launcher.start("--seed", "demo")
        try:
            seeded_mb = rss_mb(process.pid)
            started = time.monotonic()
            code = import_music([folder, "--local", base, "--workers", str(args.workers)])
            seconds = time.monotonic() - started
            imported_mb = rss_mb(process.pid)
        finally:
            launcher.stop(process)
    rate = count / seconds
    print(f"import_scale: {count} songs imported in {seconds:.1f} s until the last was READY: {rate:.1f} songs/s")
    verdict = "met" if rate >= TARGET_PER_SECOND else "NOT met"
    print(f"import_scale: target >= {TARGET_PER_SECOND:.0f} songs/s: {verdict}")
    limit_mb = 2 * seeded_mb + files_mb
    fits = imported_mb <= limit_mb
    print(
        f"import_scale: RSS {seeded_mb:.0f} MB after the seed, {imported_mb:.0f} MB after the import "
        f"(limit 2 x {seeded_mb:.0f} + {files_mb:.1f} MB of files = {limit_mb:.0f} MB) {'ok' if fits else 'FAILED'}"
    )
    return code or (0 if fits else 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
