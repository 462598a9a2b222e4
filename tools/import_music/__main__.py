"""python -m tools.import_music DIR [--local URL | --url URL --api-key KEY] [--email E --password P | --token T]

Locally (`make run` serving on port 4000) no option is needed: the API key comes from the
emulator's /config and the demo admin signs in. A deployed stack: its GraphQL URL and API
key (stack outputs) and an admin's email and password (or an id token). Exit status 1
when anything failed; the summary says what and why.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from resolvers.genres import GENRES
from tools.import_music.api import Api, ApiError, Endpoint, local_endpoint
from tools.import_music.importer import Importer, Options

LOCAL = "http://127.0.0.1:4000"
# The demo seed's admin (emulator/seed.py): only ever used against a local emulator.
LOCAL_ADMIN = ("admin@example.com", "Admin123!")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.import_music", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path, help="the music folder (MP3, FLAC, OGG/Opus, M4A, WAV)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--local", metavar="URL", help=f"a local emulator's root URL (default {LOCAL})")
    where.add_argument("--url", help="a deployed stack's GraphQL URL (with --api-key to sign in)")
    parser.add_argument("--api-key", default=os.environ.get("MUSIC_API_KEY"), help="the stack's API key")
    parser.add_argument("--email", default=os.environ.get("MUSIC_ADMIN_EMAIL"), help="an admin's email")
    parser.add_argument("--password", default=os.environ.get("MUSIC_ADMIN_PASSWORD"), help="the admin's password")
    parser.add_argument("--token", default=os.environ.get("MUSIC_TOKEN"), help="an admin's id token instead")
    parser.add_argument("--genre", choices=sorted(GENRES), help="the genre of songs whose tags map to none")
    parser.add_argument("--workers", type=int, default=8, help="uploads at once (default 8)")
    parser.add_argument("--wait", type=float, default=600.0, help="seconds to wait for a song to be READY")
    return parser.parse_args(argv)


def connect(args: argparse.Namespace) -> Api:
    if args.url:
        api = Api(Endpoint(args.url, args.api_key), args.workers)
        email, password = args.email, args.password
    else:
        api = Api(local_endpoint(args.local or LOCAL), args.workers)
        email, password = args.email or LOCAL_ADMIN[0], args.password or LOCAL_ADMIN[1]
    if args.token:
        api.use_token(args.token)
    elif email and password:
        api.sign_in(email, password)
    else:
        raise ApiError("Usage", "give an admin's --email and --password, or --token")
    return api


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if not args.folder.is_dir():
        print(f"not a folder: {args.folder}", file=sys.stderr)
        return 2
    try:
        api = connect(args)
    except ApiError as error:
        print(f"could not sign in: {error}", file=sys.stderr)
        return 2
    options = Options(args.folder, workers=args.workers, default_genre=args.genre, wait_seconds=args.wait)
    report = Importer(api, options).run()
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
