"""Property-based fuzzing of the API: generated operations, sent over HTTP to an emulator of its own.

hypothesis-graphql builds queries and mutations from the schema (valid ones, and invalid
ones in NEGATIVE mode), with values anywhere in their types' range: empty and huge
strings, NUL and other control characters, unknown enum values, negative limits, ids
that are not ids. Whatever comes in, the answer must be a GraphQL response whose every
error has a known errorType, never an InternalError, a 5xx or a traceback. Its own
emulator, so the catalog it litters is not the one other tests read.
FUZZ_EXAMPLES sets the number of operations per caller and mode (default 300: 1,800 in all).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from emulator.seed import ADMIN, LISTENER
from schema import SDL_PATH
from tests.integration.conftest import LOGIN, client, start_emulator, stop_emulator
from tests.test_schema import APPSYNC_DEFINITIONS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SCHEMA = build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())
# Every errorType the API may answer with (README, "Errors"): anything else is a defect.
KNOWN_ERRORS = {
    "ValidationError",
    "NotFoundError",
    "ConflictError",
    "UnauthorizedError",
    "Unauthorized",
    "ResolverExecutionLimitReached",
    "UnsupportedOperation",
}
LEAKS = ("Traceback", 'File "', "/site-packages/", "resolvers/", "botocore", "Exception(")
SCALARS = {
    "AWSEmail": st.emails().map(nodes.String),
    "AWSDate": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "AWSDateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "AWSURL": st.sampled_from(["https://example.com/a", "http://127.0.0.1/x"]).map(nodes.String),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same operations on every run: CI failures reproduce
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def fuzzed_api() -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    process, base = start_emulator("--seed", "demo")
    try:
        url = f"{base}/graphql"
        with urllib.request.urlopen(f"{base}/config", timeout=10) as response:
            api_key = {"x-api-key": json.load(response)["apiKey"]}
        guest = client(url, api_key)

        def token(account: dict[str, str]) -> dict[str, str]:
            login = guest(LOGIN, email=account["email"], password=account["password"])["login"]
            return {"authorization": login["idToken"]}

        yield url, {"guest": api_key, "listener": token(LISTENER), "admin": token(ADMIN)}
    finally:
        stop_emulator(process)


def send(url: str, headers: dict[str, str], document: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url, json.dumps({"query": document}).encode(), {"content-type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def check(status: int, body: str, document: str) -> None:
    """The property every answer must have, whatever was asked."""
    assert status in (200, 400), f"HTTP {status} for {document!r}: {body[:500]}"
    assert not any(leak in body for leak in LEAKS), f"internals leaked for {document!r}: {body[:500]}"
    answer: dict[str, Any] = json.loads(body)
    for error in answer.get("errors") or []:
        assert error.get("errorType") in KNOWN_ERRORS, f"{error} for {document!r}"


@pytest.mark.parametrize("who", ["admin", "listener", "guest"])
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
def test_generated_operations_get_typed_answers(fuzzed_api: tuple, who: str, mode: Mode) -> None:
    url, callers = fuzzed_api
    headers = callers[who]
    operations = from_schema(SCHEMA, custom_scalars=SCALARS, mode=mode)

    @FUZZ
    @given(document=operations)
    def answered_safely(document: str) -> None:
        check(*send(url, headers, document), document)

    answered_safely()


def test_the_property_catches_an_untyped_error() -> None:
    """The check itself can fail: an answer without a known errorType, or with a traceback, is caught."""
    untyped = json.dumps({"data": None, "errors": [{"message": "boom", "errorType": "InternalError"}]})
    with pytest.raises(AssertionError):
        check(200, untyped, "{ x }")
    with pytest.raises(AssertionError):
        check(200, json.dumps({"errors": [{"message": 'Traceback (most recent call last): File "x"'}]}), "{ x }")
    with pytest.raises(AssertionError):
        check(500, "{}", "{ x }")
