"""Run the local API: `python -m emulator [--port 4000] [--https-port 4443] [--seed demo] [--data-dir DIR]`."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from emulator import aws, seed, tls
from emulator.events import QueueTrigger, RuleTarget
from emulator.instances import DEFAULT_MAX_INSTANCES, ConcurrentFunction
from emulator.lambdas import Function, Functions, LocalFunction
from emulator.outbox import Outbox
from emulator.persistence import LocalState
from emulator.server import Frontend, create_app
from emulator.transcribe import LocalTranscribe

TLS_FOLDER = "tls"


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=4000, help="the API's port on 127.0.0.1 (default 4000, 0: any)")
    parser.add_argument(
        "--https-port",
        type=int,
        default=4443,
        help="the same API over HTTPS and WSS, as Amplify needs, with the local CA (default 4443; 0: a free one)",
    )
    parser.add_argument("--aws-port", type=int, default=None, help="the AWS emulation's port (default: a free one)")
    parser.add_argument("--seed", choices=["demo"], help="load the demo catalog and accounts at start")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep accounts, sessions, catalog, media, follows, ratings and queued work here across restarts "
        "(the demo seed loads only into a new directory)",
    )
    parser.add_argument(
        "--no-introspection",
        dest="introspection",
        action="store_false",
        help="refuse __schema and __type queries, as the production stack does (GraphiQL then cannot load the schema)",
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=int(os.environ.get("LOCAL_LAMBDA_INSTANCES", DEFAULT_MAX_INSTANCES)),
        help="at most this many instances (worker processes) per function, started as load needs them "
        f"(default {DEFAULT_MAX_INSTANCES}, or LOCAL_LAMBDA_INSTANCES)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every function inside the emulator's process, one event at a time (for a debugger)",
    )
    return parser.parse_args(argv)


def _functions(args: argparse.Namespace) -> Functions:
    """The stack's functions; as on Lambda, several instances each, with their own module state
    (emulator/instances.py), unless --in-process asks for one instance in this process."""
    concurrent = partial(ConcurrentFunction, max_instances=args.instances)
    functions = Functions(LocalFunction if args.in_process else concurrent)
    for spec in aws.FUNCTIONS:
        functions.add(spec.name, spec.handler, spec.timeout_seconds)
    return functions


def _warm(functions: Functions, *names: str) -> Callable[[], None]:
    """Start an instance of each of these functions, in the background; returns how to wait for them.

    Functions called synchronously get one before READY (provisioned concurrency of one): on a
    busy 2-core machine, a cold start inside Cognito's ConfirmSignUp outlasted the caller's 2 s
    read timeout, and the client's retry found the confirmation code already used."""
    threads = [threading.Thread(target=functions.get(name).warm, name=f"warm {name}", daemon=True) for name in names]
    for thread in threads:
        thread.start()

    def wait() -> None:
        for thread in threads:
            thread.join()

    return wait


def _event_sources(
    stack: aws.LocalStack, functions: Functions, processor: Function, cleanup: Function, feed: Function
) -> list[QueueTrigger]:
    """The stack's event source mappings, started: SQS queues, and Transcribe's state changes."""
    triggers = [
        QueueTrigger(stack.upload_queue_url, processor, batch_size=5, pollers=4),
        QueueTrigger(stack.cleanup_queue_url, cleanup, batch_size=10),
        QueueTrigger(stack.feed_queue_url, feed, batch_size=10),
        # The stack's consumer takes up to 1,000 per batch; SQS hands out at most 10 per receive.
        QueueTrigger(stack.plays_queue_url, functions.get(aws.PLAYS_FUNCTION), batch_size=10),
    ]
    for trigger in triggers:
        trigger.start()
    # Transcribe's job state changes reach the lyrics function through an EventBridge rule.
    LocalTranscribe(RuleTarget(functions.get(aws.LYRICS_FUNCTION), stack.lyrics_dlq_url)).install()
    return triggers


def main(argv: list[str]) -> int:
    args = _options(argv)
    _lambda_like_environment()
    # Bound first, so no port the embedded AWS picks can be this one; port 0: the OS picks.
    plain_socket, port = _bound(args.port)

    state = LocalState(args.data_dir) if args.data_dir else None
    outbox = Outbox(state.outbox_path if state else None)
    functions = _functions(args)
    api, processor, cleanup, new_content, feed = (
        functions.get(name)
        for name in (aws.API_FUNCTION, aws.MEDIA_PROCESSOR, aws.CLEANUP, aws.NEW_CONTENT_FUNCTION, aws.FEED_FUNCTION)
    )
    embedded = aws.EmbeddedAws(outbox, functions, args.aws_port, instance=state.instance if state else None)
    stack = embedded.start()
    if state:
        state.attach(stack, embedded.cognito)
        if state.exists:
            state.restore()  # before the queues are polled and the API serves
    seeding = args.seed == "demo" and not (state and state.exists)
    _point_functions_at(port)
    instances_ready = _warm(functions, aws.API_FUNCTION, aws.POST_CONFIRMATION)
    triggers = _event_sources(stack, functions, processor, cleanup, feed)
    fan_out = QueueTrigger(stack.new_content_queue_url, new_content)

    frontend, certificates, secure_socket = _https(args.data_dir, args.https_port)
    plain, secure = _servers(create_app(stack, api, outbox, frontend, introspection=args.introspection), certificates)
    url = f"http://127.0.0.1:{port}/graphql"

    def announce() -> None:
        while not (plain.started and secure.started):
            time.sleep(0.05)
        instances_ready()
        fan_out.start()
        if seeding:
            songs = seed.seed_demo(url, stack, outbox)
            print(f"Seeded the demo catalog ({songs} songs).", flush=True)
        if args.seed == "demo":
            _print_demo_accounts()
        if state:
            state.save()
            state.start_autosave()
            print(f"State kept in {args.data_dir} (delete it to start over).", flush=True)
        print(f"GraphQL API and GraphiQL: {url}   (API key for guests: {stack.api_key})", flush=True)
        print(f"Local mail (confirmation codes, release emails): http://127.0.0.1:{port}/outbox", flush=True)
        _print_frontend(frontend, port)
        print("READY", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    # uvicorn stops on SIGTERM, then raises the signal again under the handler it found:
    # with Python's default that ends the process before the last snapshot; with this one
    # the `finally` below runs.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        asyncio.run(_serve_both(plain, secure, plain_socket, secure_socket))
    finally:
        for trigger in [*triggers, fan_out]:
            trigger.stop()
        functions.stop()
        if state:
            state.stop()  # the last snapshot, before the emulation goes away
        embedded.stop()
    return 0


def _print_demo_accounts() -> None:
    print(f"  admin:    {seed.ADMIN['email']} / {seed.ADMIN['password']}", flush=True)
    print(f"  listener: {seed.LISTENER['email']} / {seed.LISTENER['password']}", flush=True)


def _lambda_like_environment() -> None:
    """Lambda-like settings for our handlers: quiet JSON logs, no X-Ray daemon to talk to."""
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "music")


def _bound(port: int) -> tuple[socket.socket, int]:
    """The API's plain HTTP socket, listening on 127.0.0.1, and its port."""
    bound = socket.create_server(("127.0.0.1", port))
    return bound, bound.getsockname()[1]


def _point_functions_at(port: int) -> None:
    """The URLs the functions need of this very server, in the environment their instances inherit."""
    # The fan-out calls publishNewContent on this API, signed with the local credentials.
    os.environ["APPSYNC_URL"] = f"http://127.0.0.1:{port}/graphql"
    # Share links point at the web client; locally, at this server (`/s/<token>`).
    os.environ.setdefault("SHARE_BASE_URL", f"http://127.0.0.1:{port}")


def _https(data_dir: Path | None, port: int) -> tuple[Frontend, tls.LocalTls, socket.socket]:
    """The local CA and this start's certificate, and the HTTPS socket, bound now so its port is known.

    The CA lives with the rest of the kept state; without a data dir, for this run only.
    """
    if data_dir:
        directory = data_dir / TLS_FOLDER
    else:
        directory = Path(tempfile.mkdtemp(prefix="music-api-tls-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    certificates = tls.ensure(directory)
    secure_socket = socket.create_server(("127.0.0.1", port))  # port 0: the OS picks a free one
    origin = f"https://127.0.0.1:{secure_socket.getsockname()[1]}"
    return Frontend(origin, certificates.ca_file), certificates, secure_socket


def _print_frontend(frontend: Frontend, port: int) -> None:
    print(f"For Amplify and browsers: {frontend.https_origin}/graphql (and /amplify_outputs.json)", flush=True)
    print(f"  signed by the local CA {frontend.ca_file} (also at http://127.0.0.1:{port}/local-ca.pem):", flush=True)
    print("  trust it once, e.g. NODE_EXTRA_CA_CERTS=<that file> for Node (docs/frontend.md)", flush=True)


def _servers(app: Starlette, certificates: tls.LocalTls) -> tuple[uvicorn.Server, uvicorn.Server]:
    """The app over plain HTTP (curl, GraphiQL, the backend's publishes) and over TLS.

    No permessage-deflate: events are a few hundred bytes of JSON, and compressing each one
    for each subscriber (each connection has its own compressor) cost more than it saved.
    """
    common: dict[str, Any] = {"log_level": "warning", "ws_per_message_deflate": False}
    plain = uvicorn.Server(uvicorn.Config(app, **common))
    certificate, key = str(certificates.certificate_file), str(certificates.key_file)
    secure = uvicorn.Config(app, ssl_certfile=certificate, ssl_keyfile=key, **common)
    return plain, uvicorn.Server(secure)


async def _serve_both(
    plain: uvicorn.Server, secure: uvicorn.Server, plain_socket: socket.socket, secure_socket: socket.socket
) -> None:
    """One app on two ports in one event loop (one subscription hub); when either stops, both do.

    uvicorn TLS-wraps every socket of a server, hence two servers. Each captures SIGINT and
    SIGTERM while it serves and raises the signal again as it stops, so a signal stops the
    second, then the first, then reaches the handler set in `main`.
    """
    tasks = [
        asyncio.create_task(plain.serve(sockets=[plain_socket])),
        asyncio.create_task(secure.serve(sockets=[secure_socket])),
    ]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server in (plain, secure):
        server.should_exit = True
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
