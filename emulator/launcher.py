"""Start the local API as a subprocess and stop it: for tests and benchmarks that need a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 60


class EmulatorDidNotStart(RuntimeError):
    """The emulator exited or stayed silent; the message holds what it printed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT_ATTEMPTS = 3


def start(
    *options: str, env: dict[str, str] | None = None, module: str = "emulator"
) -> tuple[subprocess.Popen[str], str]:
    """`python -m emulator` (or a module that wraps it) with these options on a free port;
    returns it and its root URL once READY. Its HTTPS port is a free one too, unless the
    options name one: `/amplify_outputs.json` on the root URL says which.

    A port found free can be taken before the emulator binds it (by another process, or by
    one of the emulator's own servers on a port the system picks): then it starts again on
    another port, up to PORT_ATTEMPTS times."""
    for attempt in range(PORT_ATTEMPTS):
        try:
            return _start_on(free_port(), options, env, module)
        except EmulatorDidNotStart as error:
            if "address already in use" not in str(error) or attempt + 1 == PORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _start_on(
    port: int, options: tuple[str, ...], env: dict[str, str] | None, module: str
) -> tuple[subprocess.Popen[str], str]:
    https = [] if "--https-port" in options else ["--https-port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
        [sys.executable, "-m", module, "--port", str(port), *https, *options],
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
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
