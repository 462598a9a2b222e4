"""The emulator applies the stack's AppSync limits (schema/limits.py), so a query too deep fails here first."""

from __future__ import annotations

import pytest
from gql.transport.exceptions import TransportQueryError

from schema.limits import QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT
from tests.integration.conftest import Api, Run, client, start_emulator, stop_emulator


def nested(depth: int) -> str:
    """A query `depth` levels deep: song → album → artist → albums → … → id."""
    steps = ["song(id: $id) {", "album {", "artist {", "albums { items {"]
    body, level, closing = "", 0, []
    while level < depth - 1:
        step = steps[0] if level == 0 else steps[1 + (level - 1) % 3]
        body += step
        closing.append("}" * step.count("{"))
        level += step.count("{")
    return "query($id: ID!) {" + body + " id " + "".join(reversed(closing)) + "}"


def test_queries_up_to_the_depth_limit_run(listener: Run) -> None:
    song_id = listener("{ songs(limit: 1) { items { id } } }")["songs"]["items"][0]["id"]
    listener(nested(QUERY_DEPTH_LIMIT - 1), id=song_id)


def test_a_query_past_the_depth_limit_is_refused(listener: Run) -> None:
    with pytest.raises(TransportQueryError) as raised:
        listener(nested(QUERY_DEPTH_LIMIT + 2), id="00000000-0000-0000-0000-000000000000")
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
    assert (error["errorType"], error["path"]) == ("LimitExceeded", [f"g{RESOLVER_COUNT_LIMIT}"])


def test_introspection_can_be_switched_off_as_in_production(local_api: Api) -> None:
    local_api.local_only()
    process, base = start_emulator("--no-introspection")
    try:
        api_key = {"x-api-key": local_api.config["apiKey"]}
        closed = client(f"{base}/graphql", api_key)
        with pytest.raises(TransportQueryError) as raised:
            closed("{ __schema { queryType { name } } }")
        assert raised.value.errors[0]["errorType"] == "ValidationError"
        assert "introspection" in raised.value.errors[0]["message"].lower()
        open_api = client(local_api.url, api_key)
        assert open_api("{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"] == "Query"
    finally:
        stop_emulator(process)
