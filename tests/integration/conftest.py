"""Integration tests: the gql client over real HTTP against the emulator, started here and stopped after.

Against a deployed stack instead: set MUSIC_API_URL and MUSIC_API_KEY (stack outputs),
and MUSIC_ADMIN_EMAIL/PASSWORD and MUSIC_LISTENER_EMAIL/PASSWORD for two confirmed
accounts; tests that need the local outbox or the demo seed skip.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.requests import RequestsHTTPTransport

from emulator.seed import ADMIN, LISTENER

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60
OFFLINE_LIMIT = 3  # small, so a test can reach the per-listener limit


@dataclass(frozen=True)
class Api:
    """The API under test: the local emulator, or a deployed stack (MUSIC_API_URL)."""

    url: str
    config: dict[str, Any]
    base: str | None = None  # the emulator's root; None for a deployed stack

    def outbox(self, to: str) -> list[dict[str, Any]]:
        """Mail sent to `to`; only the emulator has an outbox a test can read."""
        if self.base is None:
            pytest.skip("reading mailed codes needs the local emulator's outbox")
        with urllib.request.urlopen(f"{self.base}/outbox?to={to}", timeout=10) as response:
            return json.load(response)

    def local_only(self) -> None:
        if self.base is None:
            pytest.skip("runs against the local emulator only")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_emulator(*options: str) -> tuple[subprocess.Popen[str], str]:
    """Start `python -m emulator` with these options; return it and its root URL once it says READY."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), *options],
        cwd=ROOT,
        env={**os.environ, "OFFLINE_LIMIT": str(OFFLINE_LIMIT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()
    lines: list[str] = []

    def drain() -> None:
        # Keep reading for the whole session: a full pipe would block the emulator.
        assert process.stdout
        for line in process.stdout:
            lines.append(line)
            if line.strip() == "READY":
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the emulator did not start:\n" + "".join(lines))
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def local_api() -> Iterator[Api]:
    remote = os.environ.get("MUSIC_API_URL")
    if remote:
        yield Api(remote, {"apiKey": os.environ["MUSIC_API_KEY"]})
        return
    process, base = start_emulator("--seed", "demo")
    with urllib.request.urlopen(f"{base}/config", timeout=10) as response:
        config = json.load(response)
    yield Api(f"{base}/graphql", config, base)
    stop_emulator(process)


def stop_emulator(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


Run = Callable[..., dict[str, Any]]


def client(url: str, headers: dict[str, str]) -> Run:
    """Run one GraphQL document with these headers; errors raise gql's TransportQueryError."""
    session = Client(transport=RequestsHTTPTransport(url=url, headers=headers, timeout=30))

    def run(document: str, **variables: Any) -> dict[str, Any]:
        return session.execute(GraphQLRequest(document, variable_values=variables))

    return run


@pytest.fixture(scope="session")
def guest(local_api: Api) -> Run:
    return client(local_api.url, {"x-api-key": local_api.config["apiKey"]})


LOGIN = "mutation($email: AWSEmail!, $password: String!) { login(email: $email, password: $password) { idToken refreshToken } }"


def sign_in(guest: Run, email: str, password: str) -> dict[str, str]:
    return guest(LOGIN, email=email, password=password)["login"]


@pytest.fixture(scope="session")
def admin(local_api: Api, guest: Run) -> Run:
    email = os.environ.get("MUSIC_ADMIN_EMAIL", ADMIN["email"])
    password = os.environ.get("MUSIC_ADMIN_PASSWORD", ADMIN["password"])
    return client(local_api.url, {"authorization": sign_in(guest, email, password)["idToken"]})


@pytest.fixture(scope="session")
def listener(local_api: Api, guest: Run) -> Run:
    email = os.environ.get("MUSIC_LISTENER_EMAIL", LISTENER["email"])
    password = os.environ.get("MUSIC_LISTENER_PASSWORD", LISTENER["password"])
    return client(local_api.url, {"authorization": sign_in(guest, email, password)["idToken"]})


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"
