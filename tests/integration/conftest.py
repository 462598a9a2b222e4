"""Integration tests: the gql client over real HTTP against the emulator, started here and stopped after."""

from __future__ import annotations

import json
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


@dataclass(frozen=True)
class LocalApi:
    base: str
    config: dict[str, Any]

    @property
    def url(self) -> str:
        return f"{self.base}/graphql"

    def outbox(self, to: str) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.base}/outbox?to={to}", timeout=10) as response:
            return json.load(response)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def local_api() -> Iterator[LocalApi]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--seed", "demo"],
        cwd=ROOT,
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
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(f"{base}/config", timeout=10) as response:
        config = json.load(response)
    yield LocalApi(base, config)
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
def guest(local_api: LocalApi) -> Run:
    return client(local_api.url, {"x-api-key": local_api.config["apiKey"]})


LOGIN = "mutation($email: AWSEmail!, $password: String!) { login(email: $email, password: $password) { idToken refreshToken } }"


def sign_in(guest: Run, email: str, password: str) -> dict[str, str]:
    return guest(LOGIN, email=email, password=password)["login"]


@pytest.fixture(scope="session")
def admin(local_api: LocalApi, guest: Run) -> Run:
    return client(local_api.url, {"authorization": sign_in(guest, ADMIN["email"], ADMIN["password"])["idToken"]})


@pytest.fixture(scope="session")
def listener(local_api: LocalApi, guest: Run) -> Run:
    return client(local_api.url, {"authorization": sign_in(guest, LISTENER["email"], LISTENER["password"])["idToken"]})


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"
