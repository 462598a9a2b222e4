"""Start the local API as a subprocess and stop it: for tests and benchmarks that need a real server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 60
API_LINE = "GraphQL API and GraphiQL: "  # emulator/__main__.py prints the API's URL after it


class EmulatorDidNotStart(RuntimeError):
    """The emulator exited or stayed silent; the message holds what it printed."""


def start(
    *options: str, env: dict[str, str] | None = None, module: str = "emulator"
) -> tuple[subprocess.Popen[str], str]:
    """`python -m emulator` (or a module that wraps it) with these options on ports the system
    picks (`--port 0`, and `--https-port 0` unless the options name one); returns it and its
    root URL once READY, read from what it prints. No port is chosen here and bound there
    later, so none can be taken in between: `/amplify_outputs.json` on the root URL says the
    HTTPS one."""
    https = [] if "--https-port" in options else ["--https-port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
        [sys.executable, "-m", module, "--port", "0", *https, *options],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()
    lines: list[str] = []

    def drain() -> None:
        # Keep reading for the process's whole life: a full pipe would block the emulator.
        assert process.stdout
        for line in process.stdout:
            lines.append(line)
            if line.strip() == "READY":
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise EmulatorDidNotStart("the emulator did not start:\n" + "".join(lines))
    announced = next(line for line in lines if line.startswith(API_LINE))
    return process, announced.removeprefix(API_LINE).split()[0].removesuffix("/graphql")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
