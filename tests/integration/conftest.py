"""Integration tests: the gql client over real HTTP against the emulator, started here and stopped after.

Against a deployed stack instead: set MUSIC_API_URL and MUSIC_API_KEY (stack outputs),
and MUSIC_ADMIN_EMAIL/PASSWORD and MUSIC_LISTENER_EMAIL/PASSWORD for two confirmed
accounts; tests that need the local outbox or the demo seed skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.requests import RequestsHTTPTransport

from emulator import launcher
from emulator.seed import ADMIN, LISTENER

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


def start_emulator(*options: str, module: str = "emulator") -> tuple[subprocess.Popen[str], str]:
    """An emulator of the test's own (its small OFFLINE_LIMIT included); fails the test if it does not start."""
    try:
        return launcher.start(*options, env={"OFFLINE_LIMIT": str(OFFLINE_LIMIT)}, module=module)
    except launcher.EmulatorDidNotStart as error:
        pytest.fail(str(error))


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


stop_emulator = launcher.stop


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
