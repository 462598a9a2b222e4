"""The emulator applies the stack's AppSync limits (schema/limits.py), so a query too deep fails here first."""

from __future__ import annotations

import pytest
from gql.transport.exceptions import TransportQueryError

from schema.limits import QUERY_DEPTH_LIMIT
from tests.integration.conftest import Run


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
