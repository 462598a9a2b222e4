"""AWS going away mid-session: every call answers UnavailableError within the function's timeout.

The emulator runs behind tests/integration/aws_outage.py's relay, which makes the AWS
emulation hang (connections accepted, never answered) or vanish (connections cut, then
refused) on a signal, while the API's HTTP layer stays up, as AppSync's would.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulator.aws import API_FUNCTION, FUNCTIONS
from tests.integration.conftest import LOGIN, Api, start_emulator, stop_emulator

PASSWORD = "Outage-proof-1!"
SONGS = "{ songs(limit: 5) { items { id } } }"
(API_TIMEOUT_SECONDS,) = (spec.timeout_seconds for spec in FUNCTIONS if spec.name == API_FUNCTION)


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        self.api_key = requests.get(f"{base}/config", timeout=10).json()["apiKey"]
        self.token = ""

    def call(self, document: str, *, guest: bool = False, **variables: Any) -> dict[str, Any]:
        headers = {"x-api-key": self.api_key} if guest else {"authorization": self.token}
        response = requests.post(
            f"{self.base}/graphql", json={"query": document, "variables": variables}, headers=headers, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()

    def sign_up(self) -> str:
        email = f"outage-{uuid.uuid4().hex[:8]}@example.com"
        self.call(
            'mutation($e: AWSEmail!, $p: String!) { register(email: $e, password: $p, displayName: "O") { userConfirmed } }',
            guest=True,
            e=email,
            p=PASSWORD,
        )
        code = requests.get(f"{self.base}/outbox", params={"to": email}, timeout=10).json()[-1]["code"]
        self.call(
            "mutation($e: AWSEmail!, $c: String!) { confirmRegistration(email: $e, code: $c) }",
            guest=True,
            e=email,
            c=code,
        )
        self.token = self.call(LOGIN, guest=True, email=email, password=PASSWORD)["data"]["login"]["idToken"]
        return email


def unavailable_within(seconds: float, answer: Any) -> None:
    started = time.monotonic()
    result = answer()
    elapsed = time.monotonic() - started
    assert [e["errorType"] for e in result["errors"]] == ["UnavailableError"], json.dumps(result)
    assert "Traceback" not in json.dumps(result)
    assert elapsed < seconds, f"answered after {elapsed:.1f} s"


@pytest.fixture
def outage(local_api: Api) -> Iterator[tuple[int, Session]]:
    local_api.local_only()
    process, base = start_emulator(module="tests.integration.aws_outage")
    try:
        yield process.pid, Session(base)
    finally:
        stop_emulator(process)


def test_a_hanging_then_vanished_aws_is_unavailable_not_a_hang(outage: tuple[int, Session]) -> None:
    pid, session = outage
    email = session.sign_up()
    assert session.call(SONGS)["data"]["songs"]["items"] == []

    os.kill(pid, signal.SIGUSR1)  # AWS hangs mid-session, open connections included
    unavailable_within(API_TIMEOUT_SECONDS, lambda: session.call(SONGS))  # DynamoDB
    unavailable_within(
        API_TIMEOUT_SECONDS, lambda: session.call(LOGIN, guest=True, email=email, password=PASSWORD)
    )  # Cognito

    os.kill(pid, signal.SIGUSR2)  # then it is gone: refused at once, no waiting for timeouts
    unavailable_within(2, lambda: session.call(SONGS))
    assert requests.get(f"{session.base}/config", timeout=5).ok, "the API itself stays up"
