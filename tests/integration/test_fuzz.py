"""Property-based fuzzing of the API: generated operations, sent over HTTP to an emulator of its own.

hypothesis-graphql builds queries and mutations from the schema: valid ones, and invalid
ones (NEGATIVE mode) that break the schema in one place. A valid operation's values are
then made realistic by name (ids, genres, titles, limits, page tokens... from the live
demo catalog), and one of them, or none, is spoiled: out of range, oversized, a control
or format character or a lone surrogate slipped in, a forged page token. So operations
get past the checks before the spoiled value and reach the data and the writes. They go
out with their values inline or as JSON variables, as real clients send them; malformed
HTTP requests are fuzzed too. Whatever comes in, the answer must be GraphQL-shaped with a
known errorType on every error: never an InternalError, a 5xx or a traceback. Its own
emulator, so the catalog it litters is not the one other tests read.

FUZZ_EXAMPLES sets the examples per test (default 400): valid operations of the listener
and of the admin, invalid operations, malformed requests, and a quarter as many valid
operations of a guest (who may call four fields); 1,700 requests in all, 45 s on an idle
2-core box (90 s when it is busy).
Derandomized: the same requests on every run, so a failure in CI reproduces locally.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import os
import random
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLScalarType,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    ast_from_value,
    build_schema,
    get_named_type,
    is_non_null_type,
    parse,
    parse_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from emulator.seed import ADMIN, CATALOG, LISTENER
from resolvers import errors
from resolvers.genres import GENRES
from schema import SDL_PATH
from tests.integration.conftest import client, sign_in, start_emulator, stop_emulator
from tests.test_schema import APPSYNC_DEFINITIONS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))
SCHEMA = build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())
ROOT = str(Path(__file__).resolve().parents[2])
# Every errorType a caller may see (README, "Errors"): the resolvers' own, except the two that
# mean something broke on our side, and those AppSync (and so the emulator) answers itself.
SERVER_FAULTS = {errors.InternalError, errors.UnavailableError}
KNOWN_ERRORS = {kind.__name__ for kind in errors.MusicError.__subclasses__() if kind not in SERVER_FAULTS} | {
    "Unauthorized",
    "ResolverExecutionLimitReached",
    "UnsupportedOperation",
    "MalformedHttpRequestException",
}
LEAKS = ("Traceback", 'File "', "/site-packages/", ROOT, "botocore", "Exception(", "<class '", " object at 0x")
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
BUILT_IN = {"ID", "String", "Int", "Float", "Boolean"}
# Strings no input check should let through, or that a careless one would choke on.
HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\u202eevil",
    "e\u0301",
    "\ud800",
    "tail \udfff",
    "\ufeff",
    "line\nbreak",
    "\r\n",
    "ARTIST#x",
    "SONG#",
    "../../etc/passwd",
    "' OR '1'='1",
    "%s%n",
    "{}",
    "null",
    "x" * 201,
    "y" * 2_001,
    "z" * 10_000,
    "\ufdfa" * 200,  # within 200 characters, but 3,600 once folded for the sort and search keys
]
HOSTILE_INTS = [0, -1, 101, 1_000, 86_401, MIN_INT, MAX_INT]
# One slipped into a valid string: NUL, bell, escape, DEL, NEL, a combining accent, zero widths,
# bidi override and isolate, line separator, BOM, lone surrogates, private use, noncharacters.
ODD_CHARACTERS = "\x00\x07\x1b\x7f\x85\u0301\u200b\u200d\u202e\u2066\u2028\ufeff\ud800\udfff\ue000\uffff"
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())  # surrogates too: JSON variables carry them


@dataclasses.dataclass(frozen=True)
class FuzzedApi:
    url: str
    callers: dict[str, dict[str, str]]
    ids: dict[str, list[str]] = dataclasses.field(repr=False)  # "artist", "album", "song", "user" -> ids
    tokens: list[str] = dataclasses.field(repr=False)  # page tokens the API issued
    refresh_token: str = dataclasses.field(repr=False)


def tampered(token: str) -> list[str]:
    """Tokens a client could forge from a real one: each key emptied, swapped, grown, mistyped, dropped."""
    key: dict[str, str] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))

    def encode(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    forged = [encode([key]), encode("x"), token[: len(token) // 2], token + "A"]
    for name, value in key.items():
        forged += [
            encode(key | {name: ""}),
            encode(key | {name: "USER#someone-else"}),
            encode(key | {name: value + "x" * 2_000}),
            encode(key | {name: 7}),
            encode({k: v for k, v in key.items() if k != name}),
        ]
    return forged


@pytest.fixture(scope="module")
def fuzzed_api() -> Iterator[FuzzedApi]:
    process, base = start_emulator("--seed", "demo")
    try:
        url = f"{base}/graphql"
        with urllib.request.urlopen(f"{base}/config", timeout=10) as response:
            api_key = {"x-api-key": json.load(response)["apiKey"]}
        guest = client(url, api_key)
        admin_session = sign_in(guest, ADMIN["email"], ADMIN["password"])
        admin = {"authorization": admin_session["idToken"]}
        listener = {"authorization": sign_in(guest, LISTENER["email"], LISTENER["password"])["idToken"]}
        found = client(url, admin)(
            """{ me { id } artists(limit: 100) { items { id } } albums(limit: 100) { items { id } }
                 songs(limit: 100) { items { id } }
                 a: artists(limit: 1) { nextToken } b: albums(limit: 1, sort: TITLE) { nextToken }
                 c: songs(limit: 1) { nextToken } d: songs(limit: 1, sort: TOP_RATED) { nextToken }
                 e: songs(limit: 1, sort: TITLE, filter: {genre: "jazz"}) { nextToken } }"""
        )
        ids = {kind: [item["id"] for item in found[f"{kind}s"]["items"]] for kind in ("artist", "album", "song")}
        ids["user"] = [found["me"]["id"]]
        for owner in (listener, admin):  # each caller has a library of its own to reach
            for kind, found_ids in library_of(client(url, owner), ids["song"]).items():
                ids[kind] = ids.get(kind, []) + found_ids
        tokens = [found[alias]["nextToken"] for alias in "abcde" if found[alias]["nextToken"]]
        assert all(ids.values()) and tokens, "the demo catalog is there to fuzz with"
        callers = {"guest": api_key, "listener": listener, "admin": admin}
        yield FuzzedApi(url, callers, ids, tokens, admin_session["refreshToken"])
    finally:
        stop_emulator(process)


def library_of(listener: Any, song_ids: list[str]) -> dict[str, list[str]]:
    """A public playlist of this caller's with two entries, and a share link to it: ids and a token
    the fuzzer can name (a random id almost never names a playlist, so nothing behind it was tried)."""
    playlist = listener('mutation { createPlaylist(input: {name: "Fuzzed", visibility: PUBLIC}) { id } }')[
        "createPlaylist"
    ]["id"]
    entries = listener(
        "mutation($p: ID!, $s: [ID!]!) { addToPlaylist(playlistId: $p, songIds: $s) { entries { items { id } } } }",
        p=playlist,
        s=song_ids[:2],
    )["addToPlaylist"]["entries"]["items"]
    token = listener("mutation($p: ID!) { createShareLink(input: {playlistId: $p}) { token } }", p=playlist)[
        "createShareLink"
    ]["token"]
    return {"playlist": [playlist], "entry": [entry["id"] for entry in entries], "share": [token]}


# hypothesis-graphql needs a strategy for each AppSync scalar; the values are made realistic after.
AWS_SCALARS = {
    "AWSEmail": st.emails().map(nodes.String),
    "AWSDate": st.dates().map(lambda day: nodes.String(day.isoformat())),
    "AWSDateTime": st.datetimes().map(lambda moment: nodes.String(moment.isoformat() + "Z")),
    "AWSURL": st.just(nodes.String("https://example.com/a.png")),
}


def realistic_values(api: FuzzedApi) -> dict[str, st.SearchStrategy[Any]]:
    """Values the API accepts, by the name of the argument or input field that takes them."""
    genres = st.sampled_from(sorted(GENRES))
    names = st.sampled_from([*CATALOG, "Blue Hours", "Midnight Tram", "Corazo\u0301n", "Ångström", "Don't Stop"])
    any_id = st.sampled_from([i for kind in ("artist", "album", "song", "playlist") for i in api.ids[kind]])
    days = st.dates(datetime.date(1950, 1, 1), datetime.date(2030, 12, 31)).map(str)
    return {
        "id": any_id,
        "artistId": st.sampled_from(api.ids["artist"]),
        "albumId": st.sampled_from(api.ids["album"]),
        "songId": st.sampled_from(api.ids["song"]),
        "ids": st.lists(st.uuids().map(str), max_size=3),
        "genre": genres,
        "genres": st.lists(genres, min_size=1, max_size=3),
        "name": names,
        "title": names,
        "displayName": names,
        "bio": st.sampled_from(["Smoky jazz.", "Line one\nline two", "A" * 2_000]),
        "query": st.sampled_from(["blue", "beyo", "nina vale", "CORAZON", "tram hours", "zz"]),
        "limit": st.integers(1, 100),
        "stars": st.integers(1, 5),
        "trackNumber": st.integers(1, 999),
        "durationSeconds": st.integers(1, 86_400),
        "sizeBytes": st.integers(1, 5 * 1024 * 1024),
        "minRating": st.floats(1, 5),
        "nextToken": st.sampled_from([None] * 10 + api.tokens),  # a first page, mostly
        "email": st.sampled_from([ADMIN["email"], LISTENER["email"]]) | st.emails(),
        "password": st.sampled_from([ADMIN["password"], "Wrong-pass1!"]),
        "code": st.from_regex(r"\A[0-9]{6}\Z"),
        "refreshToken": st.just(api.refresh_token),
        "contentType": st.sampled_from(["audio/mpeg", "audio/wav", "image/png", "image/jpeg", "text/html"]),
        "imageUrl": st.sampled_from(["https://example.com/a.png", "https://cdn.example.com/c/1.jpg"]),
        "coverUrl": st.sampled_from(["https://example.com/a.png", "https://cdn.example.com/c/1.jpg"]),
        "releaseDate": days,
        "releasedAfter": days,
        "releasedBefore": days,
        "since": st.datetimes(min_value=datetime.datetime(2020, 1, 1)).map(lambda d: d.isoformat() + "Z"),
        # Your library and listening: a playlist, its entries and share link made for the fuzzer.
        "playlistId": st.sampled_from(api.ids["playlist"]),
        "entryId": st.sampled_from(api.ids["entry"]),
        "afterEntryId": st.sampled_from(api.ids["entry"]),
        "entryIds": st.lists(st.sampled_from(api.ids["entry"]), min_size=1, max_size=2),
        "songIds": st.lists(st.sampled_from(api.ids["song"]), min_size=1, max_size=3),
        "token": st.sampled_from(api.ids["share"]),
        "expiresInDays": st.integers(1, 365),
        "description": names,
        "importKey": names,
        "importKeys": st.lists(names, min_size=1, max_size=3),
        "text": st.sampled_from(["[00:01.00]First line\n[00:04.50]Second line", "Plain words\nand more"]),
        "language": st.sampled_from(["en-US", "fr-FR"]),
        "startedAt": st.integers(60, 7 * 86_400).map(
            lambda ago: (datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=ago)).isoformat()
        ),
        "playedMs": st.integers(1_000, 400_000),
        "device": st.sampled_from(["phone", "Living-room speaker"]),
        # The play queue: a position within a queue of 1 to 3 songIds, saved first or over a low version.
        "currentIndex": st.integers(0, 2),
        "positionMs": st.integers(0, 400_000),
        "expectedVersion": st.integers(1, 3),  # a first save leaves it out (hypothesis-graphql omits optional fields)
    }


Arguments = list[tuple[str, Any]]  # an operation's arguments in document order: name, value


def spoiled(value: Any, rng: random.Random, forgeries: list[Any]) -> Any:
    """A hostile variant of a valid value: out of range, oversized, an odd character slipped in,
    or half the time one of its `forgeries` when it has some."""
    if forgeries and rng.random() < 0.5:
        return rng.choice(forgeries)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return rng.choice(HOSTILE_INTS)
    if isinstance(value, float):
        return rng.choice([0.0, -1.0, 5.000001, 1e308])
    if isinstance(value, list):
        return rng.choice([[], [spoiled(item, rng, []) for item in value], value * 200])
    text = value or ""
    at = rng.randrange(len(text) + 1)
    return rng.choice(
        [
            rng.choice(HOSTILE_STRINGS),
            text[:at] + rng.choice(ODD_CHARACTERS) + text[at:],
            text * 1_000,
            unicodedata.normalize("NFD", text) + "\u0301",
        ]
    )


def one_fault(
    known: dict[str, st.SearchStrategy[Any]], forgeries: dict[str, list[Any]], data: st.DataObject, rng: random.Random
) -> Callable[[Arguments], list[Any]]:
    """Every value the API knows by name made realistic, and one of them (or none) spoiled: a
    hostile value among valid ones gets past the checks that come before its own."""

    def choose(arguments: Arguments) -> list[Any]:
        def leaves(path: tuple[Any, ...], value: Any) -> list[tuple[Any, ...]]:
            if isinstance(value, dict):
                return [leaf for key, inner in value.items() for leaf in leaves((*path, key), inner)]
            return [path]

        fault = rng.choice(
            [None, *(leaf for n, (name, value) in enumerate(arguments) for leaf in leaves((n, name), value))]
        )

        def swap(path: tuple[Any, ...], value: Any) -> Any:
            if isinstance(value, dict):
                return {key: swap((*path, key), inner) for key, inner in value.items()}
            if path[-1] not in known:
                return value  # as generated: hostile already
            realistic = data.draw(known[path[-1]], label=path[-1])
            return spoiled(realistic, rng, forgeries.get(path[-1], [])) if path == fault else realistic

        return [swap((n, name), value) for n, (name, value) in enumerate(arguments)]

    return choose


def as_request(
    schema: GraphQLSchema, document: DocumentNode, choose: Callable[[Arguments], list[Any]], *, inline: bool
) -> dict[str, Any]:
    """The operation as a client sends it, its arguments' values as `choose` picks them: inline,
    or as JSON variables of the arguments' types (as gql and Amplify send them)."""
    info = TypeInfo(schema)
    arguments: Arguments = []

    class Collect(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            if info.get_argument() is not None:
                arguments.append((node.name.value, value_from_ast_untyped(node.value)))

    visit(document, TypeInfoVisitor(info, Collect()))
    chosen = iter(choose(arguments))
    variables: dict[str, Any] = {}
    declared: list[VariableDefinitionNode] = []

    class Shape(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
            argument = info.get_argument()
            if argument is None:
                return None
            value = next(chosen)
            if inline:
                return ArgumentNode(name=node.name, value=ast_from_value(value, argument.type))
            variable = VariableNode(name=NameNode(value=f"v{len(variables)}"))
            variables[variable.name.value] = value
            declared.append(VariableDefinitionNode(variable=variable, type=parse_type(str(argument.type))))
            return ArgumentNode(name=node.name, value=variable)

        def leave_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> OperationDefinitionNode:
            return dataclasses.replace(node, variable_definitions=tuple(declared))

    query = print_ast(visit(document, TypeInfoVisitor(info, Shape())))
    return {"query": query, "variables": variables} if variables else {"query": query}


def send(url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url, body, {"content-type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def check(status: int, body: str, sent: object) -> dict[str, Any]:
    """The property every answer must have, whatever was asked."""
    assert status in (200, 400), f"HTTP {status} for {sent!r}: {body[:500]}"
    assert not any(leak in body for leak in LEAKS), f"internals leaked for {sent!r}: {body[:500]}"
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    assert isinstance(answer, dict), f"not a GraphQL response for {sent!r}: {body[:500]}"
    assert status == 200 or answer.get("errors"), f"HTTP 400 without errors for {sent!r}: {body[:500]}"
    for error in answer.get("errors") or []:
        assert error.get("errorType") in KNOWN_ERRORS, f"{error} for {sent!r}"
    return answer


ROOTS = {**SCHEMA.query_type.fields, **SCHEMA.mutation_type.fields}  # type: ignore[union-attr]
GROUPS = {"guest": set(), "listener": {"users"}, "admin": {"users", "admin"}}


def may_call(who: str, field: GraphQLField) -> bool:
    """Whether the field's auth directives (read from the SDL) admit the caller."""
    for directive in field.ast_node.directives if field.ast_node else ():
        if directive.name.value == "aws_api_key" and who == "guest":
            return True
        if directive.name.value == "aws_cognito_user_pools":
            groups = {group.value for argument in directive.arguments for group in argument.value.values}  # type: ignore[attr-defined]
            if GROUPS[who] & groups:
                return True
    return False


def operations(mode: Mode) -> dict[str, st.SearchStrategy[DocumentNode]]:
    """Operations of one root field each, by root field: with several, one refused argument
    would null the whole answer and hide what the others did. An invalid one breaks the
    schema in one place, so only fields that take arguments have invalid operations."""
    return {
        root: from_schema(SCHEMA, fields=[root], custom_scalars=AWS_SCALARS, mode=mode, print_ast=lambda d: d)
        for root, field in ROOTS.items()
        if mode is Mode.POSITIVE or any(breakable(argument) for argument in field.args.values())
    }


def breakable(argument: GraphQLArgument) -> bool:
    """Whether hypothesis-graphql can give the argument a value of the wrong kind (not of an AWS scalar)."""
    kind = get_named_type(argument.type)
    return is_non_null_type(argument.type) or not isinstance(kind, GraphQLScalarType) or kind.name in BUILT_IN


def ask(api: FuzzedApi, who: str, request: dict[str, Any]) -> dict[str, Any]:
    return check(*send(api.url, api.callers[who], json.dumps(request).encode()), request)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same operations on every run: CI failures reproduce
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
# Fields, callers and where a fault goes are picked with a plain random generator (seeded by
# hypothesis, so a run is reproducible): hypothesis' own choices lean hard to the first option.
PLAIN_RANDOM = st.randoms(use_true_random=True)


@pytest.mark.parametrize("who", ["guest", "listener", "admin"])  # the admin last: its deletes thin the catalog
def test_valid_operations_get_typed_answers(fuzzed_api: FuzzedApi, who: str) -> None:
    """Each field the caller may call is as likely as any other, and one it may not call is as likely as one of those."""
    calls = operations(Mode.POSITIVE)
    allowed = [root for root in calls if may_call(who, ROOTS[root])]
    refused = [root for root in calls if root not in allowed]
    known = realistic_values(fuzzed_api)
    forgeries = {"nextToken": [forged for token in fuzzed_api.tokens for forged in tampered(token)]}
    answered: Counter[str] = Counter()  # root fields that came back with data

    @settings(FUZZ, max_examples=EXAMPLES // 4 if who == "guest" else EXAMPLES)  # a guest may call four fields
    @given(data=st.data(), rng=PLAIN_RANDOM)
    def answered_safely(data: st.DataObject, rng: random.Random) -> None:
        root = rng.choice([*allowed, rng.choice(refused)])
        document = data.draw(calls[root], label=root)
        request = as_request(SCHEMA, document, one_fault(known, forgeries, data, rng), inline=rng.random() < 0.5)
        answer = ask(fuzzed_api, who, request)
        answered.update(field for field, value in (answer.get("data") or {}).items() if value is not None)

    answered_safely()
    if who != "guest":
        # A fuzzer whose operations all stop at the first input check would test only that check.
        enough = answered.total() >= EXAMPLES // 4 and len(answered) >= min(15, EXAMPLES // 10)
        assert enough, f"too few operations reached the data: {answered}"


def test_invalid_operations_get_typed_answers(fuzzed_api: FuzzedApi) -> None:
    calls = operations(Mode.NEGATIVE)

    @FUZZ
    @given(data=st.data(), rng=PLAIN_RANDOM)
    def answered_safely(data: st.DataObject, rng: random.Random) -> None:
        root = rng.choice(sorted(calls))
        ask(
            fuzzed_api, rng.choice(sorted(fuzzed_api.callers)), {"query": print_ast(data.draw(calls[root], label=root))}
        )

    answered_safely()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ANY_CHARACTER, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
ENVELOPE = st.fixed_dictionaries(
    {},
    optional={
        "query": st.sampled_from(["{ me { id } }", "{ genres { id } }", "{", "", "subscription { x }"]) | JSON,
        "variables": JSON,
        "operationName": st.sampled_from(["A", ""]) | JSON,
        "extensions": JSON,
    },
)


@FUZZ
@given(
    body=st.one_of(
        ENVELOPE.map(lambda envelope: json.dumps(envelope).encode()),
        JSON.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=60),
        st.sampled_from([b"", b"meow", b"{}}", b"[]", b'"{ me { id } }"', b'\xff{"query": "{ me { id } }"}']),
    )
)
def test_malformed_requests_get_typed_answers(fuzzed_api: FuzzedApi, body: bytes) -> None:
    check(*send(fuzzed_api.url, fuzzed_api.callers["listener"], body), body)


def test_the_property_catches_an_untyped_error() -> None:
    """The check itself can fail: an answer without a known errorType, with a traceback, or not GraphQL."""
    for status, body in [
        (200, json.dumps({"data": None, "errors": [{"message": "boom", "errorType": "InternalError"}]})),
        (200, json.dumps({"data": None, "errors": [{"message": "x", "errorType": "ExecutionError"}]})),
        (200, json.dumps({"errors": [{"message": 'Traceback (most recent call last): File "x"'}]})),
        (500, "{}"),
        (400, "Unable to parse request body as JSON"),
        (400, "{}"),
    ]:
        with pytest.raises(AssertionError):
            check(status, body, "{ x }")


def test_arguments_become_realistic_variables_or_literals() -> None:
    document = parse(
        'mutation { createArtist(input: {name: "\\u0000", genres: ["?"]}) { albums(limit: 0) { nextToken } } }'
    )

    def choose(arguments: Arguments) -> list[Any]:
        assert arguments == [("input", {"name": "\x00", "genres": ["?"]}), ("limit", 0)]
        return [{"name": "\x00", "genres": ["rock"]}, 3]

    sent = as_request(SCHEMA, document, choose, inline=False)
    assert "mutation ($v0: CreateArtistInput!, $v1: Int)" in sent["query"]
    assert "createArtist(input: $v0)" in sent["query"] and "albums(limit: $v1)" in sent["query"]
    assert sent["variables"] == {"v0": {"name": "\x00", "genres": ["rock"]}, "v1": 3}
    inline = as_request(SCHEMA, document, choose, inline=True)
    assert 'createArtist(input: { name: "\\u0000", genres: ["rock"] })' in inline["query"]
    assert "variables" not in inline
