"""A backing service that is down or hangs: the API answers UnavailableError within seconds, never hangs.

And a handler that hangs for another reason runs into its function's timeout, as on Lambda.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.lambdas import LambdaError, LocalFunction
from resolvers import aws_clients
from resolvers.errors import UnavailableError
from tests.unit.conftest import CACHED_CLIENTS, appsync_event, invoke

CEILING_SECONDS = 5
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quick_timeouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real AWS endpoint setting, no moto: calls go to whatever `AWS_ENDPOINT_URL` names."""
    monkeypatch.setattr(aws_clients, "CONNECT_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(aws_clients, "READ_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(aws_clients, "MAX_ATTEMPTS", 2)
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "music-test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for cached in CACHED_CLIENTS:
        cached.cache_clear()
    yield
    for cached in CACHED_CLIENTS:
        cached.cache_clear()


@pytest.fixture
def refusing_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port nobody listens on: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")


@pytest.fixture
def hanging_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A port that accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        yield


def browse() -> None:
    invoke(appsync_event("Query", "songs", {"limit": 5}, groups=("users",)))


@pytest.mark.usefixtures("quick_timeouts", "refusing_endpoint")
def test_an_unreachable_service_is_unavailable_not_internal() -> None:
    started = time.monotonic()
    with pytest.raises(UnavailableError, match="try again"):
        browse()
    assert time.monotonic() - started < CEILING_SECONDS


@pytest.mark.usefixtures("quick_timeouts", "hanging_endpoint")
def test_a_hanging_service_times_out_instead_of_holding_the_request() -> None:
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        browse()
    assert time.monotonic() - started < CEILING_SECONDS


def test_every_client_has_timeouts_and_bounded_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    config = aws_clients.client("dynamodb").meta.config
    assert (config.connect_timeout, config.read_timeout) == (1, 2)
    assert config.retries == {"total_max_attempts": 3, "mode": "standard"}
    made_elsewhere = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "resolvers").rglob("*.py")
        if "boto3.client(" in path.read_text() and path.name != "aws_clients.py"
    ]
    assert made_elsewhere == [], "make AWS clients with resolvers.aws_clients.client"


HUNG = threading.Event()


def hanging_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Hangs until released when asked to; answers at once otherwise."""
    if event.get("hang"):
        HUNG.wait(30)
    return {"remainingMs": context.get_remaining_time_in_millis()}


def test_a_hung_handler_times_out_like_lambda_and_the_next_call_is_served() -> None:
    function = LocalFunction("hangs", "tests.unit.test_faults.hanging_handler", timeout_seconds=0.5)
    HUNG.clear()
    started = time.monotonic()
    with pytest.raises(LambdaError) as timed_out:
        function.invoke({"hang": True})
    assert timed_out.value.error_type == "Sandbox.Timedout"
    assert 0.5 <= time.monotonic() - started < CEILING_SECONDS
    started = time.monotonic()
    answered = function.invoke({})  # the hung thread still holds its instance: a fresh one answers
    assert time.monotonic() - started < 0.5
    assert 0 < answered["remainingMs"] <= 500
    HUNG.set()
