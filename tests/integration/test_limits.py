"""The emulator applies the stack's AppSync limits (schema/limits.py), so a query too deep or too
costly fails here first, and introspection can be switched off as in production."""

from __future__ import annotations

import pytest
from gql.transport.exceptions import TransportQueryError

from schema.limits import QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT
from tests.integration.conftest import Api, Run, client, start_emulator, stop_emulator

LIMIT_REACHED = "ResolverExecutionLimitReached"  # AppSync's errorType past its resolver count limit


def chain(levels: int) -> str:
    """A query exactly `levels` fields deep: artist → albums → items → artist → … → a scalar."""
    fields = ["artist(id: $id)", *(("albums", "items", "artist")[n % 3] for n in range(levels - 2))]
    leaf = "nextToken" if fields[-1] == "albums" else "id"
    return "query($id: ID!) { " + " { ".join(fields) + f" {{ {leaf} " + "}" * len(fields) + " }"


@pytest.fixture(scope="module")
def artist_id(listener: Run) -> str:
    return listener("{ artists(limit: 1) { items { id } } }")["artists"]["items"][0]["id"]


def test_a_query_as_deep_as_the_limit_runs(listener: Run, artist_id: str) -> None:
    """The top-level field is level 1: the strictest reading of AppSync's 'nested levels'."""
    assert listener(chain(QUERY_DEPTH_LIMIT), id=artist_id)["artist"] is not None


def test_one_level_past_the_depth_limit_is_refused(listener: Run, artist_id: str) -> None:
    with pytest.raises(TransportQueryError) as raised:
        listener(chain(QUERY_DEPTH_LIMIT + 1), id=artist_id)
    assert raised.value.errors[0]["errorType"] == "ValidationError"
    assert "depth" in raised.value.errors[0]["message"]


def test_a_request_past_the_resolver_count_limit_fails_past_it(listener: Run) -> None:
    """`genres` has a resolver: as many aliases as the limit run, one more fails, as AppSync counts."""

    def aliases(count: int) -> str:
        return "{ " + " ".join(f"g{n}: genres {{ id }}" for n in range(count)) + " }"

    assert len(listener(aliases(RESOLVER_COUNT_LIMIT))) == RESOLVER_COUNT_LIMIT
    with pytest.raises(TransportQueryError) as raised:
        listener(aliases(RESOLVER_COUNT_LIMIT + 1))
    (error,) = raised.value.errors
    assert (error["errorType"], error["path"]) == (LIMIT_REACHED, [f"g{RESOLVER_COUNT_LIMIT}"])


def test_each_item_of_a_batch_counts_towards_the_resolver_count_limit(admin: Run) -> None:
    """`Song.album` is one BatchInvoke per 100 songs, but AppSync counts a resolver per song."""
    songs = len(admin("{ songs(limit: 100) { items { id } } }")["songs"]["items"])
    per_song = RESOLVER_COUNT_LIMIT // songs + 1
    albums = " ".join(f"a{n}: album {{ id }}" for n in range(per_song))
    with pytest.raises(TransportQueryError) as raised:
        admin(f"{{ songs(limit: 100) {{ items {{ {albums} }} }} }}")
    executed = 1 + songs * per_song  # `songs` itself, then each album of each song
    assert {error["errorType"] for error in raised.value.errors} == {LIMIT_REACHED}
    assert len(raised.value.errors) == executed - RESOLVER_COUNT_LIMIT


def test_introspection_can_be_switched_off_as_in_production(local_api: Api) -> None:
    local_api.local_only()
    process, base = start_emulator("--no-introspection")
    try:
        api_key = {"x-api-key": local_api.config["apiKey"]}
        closed = client(f"{base}/graphql", api_key)
        for introspection in ("{ __schema { queryType { name } } }", '{ __type(name: "Song") { name } }'):
            with pytest.raises(TransportQueryError) as raised:
                closed(introspection)
            # AppSync answers a validation error too: the field is not there for the query.
            assert raised.value.errors[0]["errorType"] == "ValidationError"
            assert "introspection" in raised.value.errors[0]["message"].lower()
        assert closed("mutation { __typename }") == {"__typename": "Mutation"}, "clients add __typename everywhere"
        open_api = client(local_api.url, api_key)
        assert open_api("{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"] == "Query"
    finally:
        stop_emulator(process)
