"""Catalog writes under concurrency: exact counts, conflicts retried, no false "already exists"."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from resolvers.data import table
from resolvers.errors import InternalError, UnavailableError, ValidationError
from tests.unit.conftest import appsync_event, invoke

pytestmark = pytest.mark.usefixtures("aws")


def mutation(field: str, **arguments: Any) -> Any:
    return invoke(appsync_event("Mutation", field, arguments))


def query(field: str, **arguments: Any) -> Any:
    return invoke(appsync_event("Query", field, arguments))


@pytest.fixture
def album() -> dict[str, Any]:
    artist = mutation("createArtist", input={"name": "Nina Vale", "genres": ["jazz"]})
    return mutation("createAlbum", input={"artistId": artist["id"], "title": "Blue Hours", "genre": "jazz"})


def cancelled(*codes: str) -> ClientError:
    """A TransactWriteItems cancellation as DynamoDB reports it, one reason per action."""
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


class Flaky:
    """Wraps the real client: the first `conflicts` transactions are cancelled by a TransactionConflict."""

    def __init__(self, real: Any, conflicts: int) -> None:
        self.real, self.conflicts, self.calls = real, conflicts, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def transact_write_items(self, **request: Any) -> Any:
        self.calls += 1
        if self.calls <= self.conflicts:
            raise cancelled("None", "TransactionConflict", *["None"] * (len(request["TransactItems"]) - 2))
        return self.real.transact_write_items(**request)


def test_counts_are_exposed_and_exact(album: dict[str, Any]) -> None:
    artist_id = album["artistId"]
    assert (album["songCount"], query("artist", id=artist_id)["albumCount"]) == (0, 1)
    songs = [
        mutation("createSong", input={"title": f"S{n}", "artistId": artist_id, "albumId": album["id"], "genre": "jazz"})
        for n in range(3)
    ]
    mutation("createSong", input={"title": "Single", "artistId": artist_id, "genre": "jazz"})
    mutation("deleteSong", id=songs[0]["id"])
    artist = query("artist", id=artist_id)
    assert (artist["albumCount"], artist["songCount"], query("album", id=album["id"])["songCount"]) == (1, 3, 2)


def test_a_transaction_conflict_is_retried_and_the_song_written_once(
    monkeypatch: pytest.MonkeyPatch, album: dict[str, Any]
) -> None:
    flaky = Flaky(table.client(), conflicts=3)
    monkeypatch.setattr(table, "client", lambda: flaky)
    monkeypatch.setattr(table, "conflict_pause", lambda attempt: None)
    song = mutation(
        "createSong", input={"title": "T", "artistId": album["artistId"], "albumId": album["id"]} | {"genre": "jazz"}
    )
    monkeypatch.undo()
    assert flaky.calls == 4, "three cancelled attempts, then the one that went through"
    assert query("song", id=song["id"])["title"] == "T"
    assert query("album", id=album["id"])["songCount"] == 1


def test_conflicts_that_persist_are_try_again_not_a_conflict_or_already_exists(
    monkeypatch: pytest.MonkeyPatch, album: dict[str, Any]
) -> None:
    flaky = Flaky(table.client(), conflicts=1_000)
    monkeypatch.setattr(table, "client", lambda: flaky)
    monkeypatch.setattr(table, "conflict_pause", lambda attempt: None)
    with pytest.raises(UnavailableError, match="try again"):
        mutation(
            "createSong", input={"title": "T", "artistId": album["artistId"], "albumId": album["id"], "genre": "jazz"}
        )
    monkeypatch.undo()
    assert flaky.calls == table.CONFLICT_ATTEMPTS
    assert query("album", id=album["id"])["songCount"] == 0, "nothing half-written"


def test_a_refusal_we_do_not_recognise_is_not_reported_as_a_duplicate_id(
    monkeypatch: pytest.MonkeyPatch, album: dict[str, Any]
) -> None:
    """Only a failed condition on the new item itself means its id is taken."""
    real = table.client()

    class Refusing(Flaky):
        def transact_write_items(self, **request: Any) -> Any:
            codes = ["None"] * len(request["TransactItems"])
            codes[-1] = "ConditionalCheckFailed"  # an index item's put, which has no condition of its own
            raise cancelled(*codes)

    monkeypatch.setattr(table, "client", lambda: Refusing(real, 0))
    with pytest.raises(InternalError) as raised:  # "Tide": a title with a search word, so an index item
        mutation("createSong", input={"title": "Tide", "artistId": album["artistId"], "genre": "jazz"})
    assert "already exists" not in str(raised.value)


def forge(token: str, **changes: str) -> str:
    plain = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return base64.urlsafe_b64encode(json.dumps(plain | changes).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", ["", "x" * 1_025, "é" * 513])
def test_a_forged_token_with_an_empty_or_oversized_key_is_a_validation_error(album: dict[str, Any], value: str) -> None:
    for n in range(2):
        mutation("createSong", input={"title": f"S{n}", "artistId": album["artistId"], "genre": "jazz"})
    token = query("songs", limit=1, sort="TITLE")["nextToken"]
    with pytest.raises(ValidationError, match="nextToken"):
        query("songs", limit=1, sort="TITLE", nextToken=forge(token, SK=value))
