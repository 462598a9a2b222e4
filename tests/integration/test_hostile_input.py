"""Hostile strings through the API: a clear ValidationError, and nothing stored."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run

CREATE_ARTIST = "mutation($n: String!) { createArtist(input: {name: $n}) { id name } }"
SEARCH = "query($q: String!) { search(query: $q, limit: 50) { artists { id name } } }"


def marker() -> str:
    """A word no other test uses, to look for what a refused write might have left."""
    return f"zq{uuid.uuid4().hex[:10]}"


def refused(run: Run, document: str, **variables: Any) -> dict[str, Any]:
    with pytest.raises(TransportQueryError) as raised:
        run(document, **variables)
    (error,) = raised.value.errors
    assert "Traceback" not in error["message"]
    return error


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("{} " + "x" * 10_000, "at most"),
        ("{}\x00", "control characters"),
        ("{}\x1b[31m", "control characters"),
        ("{}\u0007bell", "control characters"),
        ("   ", "empty"),
    ],
    ids=["oversized", "nul", "escape", "bell", "blank"],
)
def test_bad_names_are_refused_and_nothing_is_stored(admin: Run, listener: Run, name: str, why: str) -> None:
    word = marker()
    error = refused(admin, CREATE_ARTIST, n=name.replace("{}", word, 1))
    assert error["errorType"] == "ValidationError" and why in error["message"]
    assert listener(SEARCH, q=word)["search"]["artists"] == [], "nothing stored"


def test_names_are_stored_in_one_unicode_form(admin: Run, listener: Run) -> None:
    """A name typed with a combining accent (NFD) is the same name as the precomposed one (NFC)."""
    word = marker()
    created = admin(CREATE_ARTIST, n=f"Beyonce\u0301 {word}")["createArtist"]
    assert created["name"] == f"Beyonc\u00e9 {word}"
    for query in (f"beyonc\u00e9 {word}", f"beyonce\u0301 {word}", f"BEYONCE {word}"):
        assert [a["id"] for a in listener(SEARCH, q=query)["search"]["artists"]] == [created["id"]], query


@pytest.mark.parametrize(
    "not_an_id",
    ["", "ARTIST#x", "../../etc/passwd", "x" * 10_000, "1 OR 1=1", "00000000-0000-0000-0000-00000000000g", "\x00"],
    ids=["empty", "key", "path", "huge", "injection", "almost", "nul"],
)
def test_ids_that_are_not_ids_are_validation_errors(admin: Run, listener: Run, not_an_id: str) -> None:
    for run, document in (
        (listener, "query($id: ID!) { song(id: $id) { id } }"),
        (listener, "mutation($id: ID!) { rateSong(songId: $id, stars: 3) { stars } }"),
        (admin, "mutation($id: ID!) { deleteArtist(id: $id) }"),
        (admin, 'mutation($id: ID!) { updateSong(id: $id, input: {title: "x"}) { id } }'),
    ):
        error = refused(run, document, id=not_an_id)
        assert error["errorType"] == "ValidationError", (document, error)
        assert "not a valid id" in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"meow",
        b'"{ genres { id } }"',
        b"null",
        b"[]",
        b"{}",
        b"\xff{}",
        b'{"query": "{ genres { id } }", "variables": 1}',
    ],
    ids=["empty", "not-json", "json-string", "null", "list", "no-query", "not-utf8", "variables-not-object"],
)
def test_requests_that_are_not_graphql_get_appsyncs_400(local_api: Api, body: bytes) -> None:
    """Never a 500 or a plain-text answer: AppSync's 400 with a typed error a client can read."""
    headers = {"content-type": "application/json", "x-api-key": local_api.config["apiKey"]}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(local_api.url, body, headers), timeout=10)
    assert refused.value.code == 400
    (error,) = json.load(refused.value)["errors"]
    assert error["errorType"] == "MalformedHttpRequestException" and error["message"]
