"""Ratings through the API handler: exact aggregates, conflicts retried, errors typed."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from resolvers import ratings
from resolvers.data import ratings as ratings_data
from resolvers.errors import ConflictError, NotFoundError, ValidationError
from tests.media_stand_in import mark_ready
from tests.unit.conftest import appsync_event, invoke

pytestmark = pytest.mark.usefixtures("aws")

ANNA, BEN, CARA = (str(uuid.uuid4()) for _ in range(3))


def as_listener(user: str, type_name: str, field: str, arguments: dict | None = None, **extra: Any) -> dict:
    event = appsync_event(type_name, field, arguments, groups=("users",), **extra)
    event["identity"] |= {"sub": user, "username": user, "claims": {"sub": user, "cognito:groups": ["users"]}}
    return event


def rate(user: str, song_id: str, stars: Any) -> dict:
    return invoke(as_listener(user, "Mutation", "rateSong", {"songId": song_id, "stars": stars}))


def unrate(user: str, song_id: str) -> bool:
    return invoke(as_listener(user, "Mutation", "removeRating", {"songId": song_id}))


def song(song_id: str) -> dict:
    return invoke(appsync_event("Query", "song", {"id": song_id}, groups=("users",)))


def item_count() -> int:
    return boto3.client("dynamodb").scan(TableName="music-test", Select="COUNT")["Count"]


@pytest.fixture
def ready_song() -> dict[str, Any]:
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "Nina Vale"}}))
    created = invoke(
        appsync_event("Mutation", "createSong", {"input": {"title": "Tram", "artistId": artist["id"], "genre": "jazz"}})
    )
    mark_ready(created["id"])
    return created


def test_rate_rerate_and_remove_keep_the_aggregate_exact(ready_song: dict) -> None:
    assert (song(ready_song["id"])["ratingCount"], song(ready_song["id"])["averageRating"]) == (0, None)
    first = rate(ANNA, ready_song["id"], 4)
    assert (first["stars"], first["songId"]) == (4, ready_song["id"])
    assert (first["song"]["ratingCount"], first["song"]["averageRating"]) == (1, 4)
    rate(BEN, ready_song["id"], 5)
    replaced = rate(ANNA, ready_song["id"], 1)  # replaces, does not add
    assert (replaced["song"]["ratingCount"], replaced["song"]["averageRating"]) == (2, 3)
    assert rate(ANNA, ready_song["id"], 1)["song"]["ratingCount"] == 2, "the same stars again change nothing"
    assert unrate(ANNA, ready_song["id"]) is True
    assert unrate(ANNA, ready_song["id"]) is False
    after = song(ready_song["id"])
    assert (after["ratingCount"], after["averageRating"]) == (1, 5)


def test_stars_out_of_range_are_validation_errors_and_write_nothing(ready_song: dict) -> None:
    before = item_count()
    for stars in (0, 6, -1, None, "5", True, 4.5):
        with pytest.raises(ValidationError, match="stars"):
            rate(ANNA, ready_song["id"], stars)
    assert item_count() == before


def test_only_ready_songs_known_songs_and_valid_ids(ready_song: dict) -> None:
    draft = invoke(
        appsync_event(
            "Mutation", "createSong", {"input": {"title": "Draft", "artistId": ready_song["artistId"], "genre": "jazz"}}
        )
    )
    with pytest.raises(ValidationError, match="READY"):
        rate(ANNA, draft["id"], 3)
    with pytest.raises(NotFoundError):
        rate(ANNA, str(uuid.uuid4()), 3)
    with pytest.raises(NotFoundError):
        unrate(ANNA, str(uuid.uuid4()))
    with pytest.raises(ValidationError, match="songId"):
        rate(ANNA, "not-an-id", 3)
    assert song(draft["id"])["ratingCount"] == 0


def test_a_concurrent_rating_between_read_and_write_is_retried_not_lost(
    monkeypatch: pytest.MonkeyPatch, ready_song: dict
) -> None:
    """Anna read the song; Ben and Cara rated it before her transaction: hers is refused, redone on
    the song as it is now (handed back by the refusal, no extra read), and all three count."""
    real_state = ratings_data.rating_state
    writes = []

    def stale_state(user_id: str, song_id: str) -> tuple:
        seen = real_state(user_id, song_id)
        monkeypatch.setattr(ratings_data, "rating_state", real_state)
        rate(BEN, song_id, 5)
        rate(CARA, song_id, 2)
        return seen

    def counted(song_id: str, current: Any, seen: Any, rating: Any) -> Any:
        if rating["userId"] == ANNA:
            writes.append(current)
        return real_write(song_id, current, seen, rating)

    real_write = ratings_data.write_rating
    monkeypatch.setattr(ratings_data, "rating_state", stale_state)
    monkeypatch.setattr(ratings_data, "write_rating", counted)
    monkeypatch.setattr(ratings, "_pause", lambda attempt: None)
    result = rate(ANNA, ready_song["id"], 4)
    assert len(writes) == 2, "refused once, then written"
    assert writes[1]["ratingCount"] == 2, "the retry starts from the song the refusal handed back"
    assert (result["song"]["ratingCount"], result["song"]["ratingSum"]) == (3, 11)
    monkeypatch.undo()
    assert song(ready_song["id"])["ratingCount"] == 3


def test_the_same_listener_racing_themselves_counts_once(monkeypatch: pytest.MonkeyPatch, ready_song: dict) -> None:
    """Two re-ratings by one listener both read 3 stars: the later must not apply its delta to 3."""
    rate(ANNA, ready_song["id"], 3)
    real_state = ratings_data.rating_state

    def stale_state(user_id: str, song_id: str) -> tuple:
        seen = real_state(user_id, song_id)
        monkeypatch.setattr(ratings_data, "rating_state", real_state)
        rate(ANNA, song_id, 5)  # the other request, from the same listener
        return seen

    monkeypatch.setattr(ratings_data, "rating_state", stale_state)
    monkeypatch.setattr(ratings, "_pause", lambda attempt: None)
    result = rate(ANNA, ready_song["id"], 1)
    assert (result["song"]["ratingCount"], result["song"]["ratingSum"]) == (1, 1)
    assert (song(ready_song["id"])["ratingCount"], song(ready_song["id"])["averageRating"]) == (1, 1)


def test_retries_are_bounded(monkeypatch: pytest.MonkeyPatch, ready_song: dict) -> None:
    current = ratings_data.rating_state(ANNA, ready_song["id"])
    attempts = []

    def always_refused(*args: Any) -> ratings_data.RatingWrite:
        attempts.append(args)
        return ratings_data.RatingWrite(False, *current)

    monkeypatch.setattr(ratings_data, "write_rating", always_refused)
    monkeypatch.setattr(ratings, "_pause", lambda attempt: None)
    with pytest.raises(ConflictError, match="try again"):
        rate(ANNA, ready_song["id"], 4)
    assert len(attempts) == ratings.MAX_ATTEMPTS


def test_my_ratings_are_the_callers_own_latest_first_with_songs(ready_song: dict) -> None:
    other = invoke(
        appsync_event(
            "Mutation", "createSong", {"input": {"title": "Other", "artistId": ready_song["artistId"], "genre": "soul"}}
        )
    )
    mark_ready(other["id"])
    rate(ANNA, ready_song["id"], 2)
    rate(ANNA, other["id"], 5)
    rate(BEN, ready_song["id"], 4)
    event = as_listener(ANNA, "Query", "myRatings", {"limit": 1})
    event["info"]["selectionSetList"] = ["items", "items/stars", "items/song", "items/song/title"]
    first = invoke(event)
    assert [(r["songId"], r["stars"], r["song"]["title"]) for r in first["items"]] == [(other["id"], 5, "Other")]
    event["arguments"]["nextToken"] = first["nextToken"]
    second = invoke(event)
    assert [(r["songId"], r["stars"]) for r in second["items"]] == [(ready_song["id"], 2)]
    without_songs = invoke(as_listener(BEN, "Query", "myRatings"))
    assert [(r["songId"], r["stars"], r["song"]) for r in without_songs["items"]] == [(ready_song["id"], 4, None)]
    with pytest.raises(ValidationError, match="nextToken"):  # another listener's token is not a way in
        invoke(as_listener(BEN, "Query", "myRatings", {"nextToken": first["nextToken"]}))


def test_my_rating_is_one_batch_per_caller(ready_song: dict) -> None:
    unrated = invoke(
        appsync_event(
            "Mutation",
            "createSong",
            {"input": {"title": "Unrated", "artistId": ready_song["artistId"], "genre": "jazz"}},
        )
    )
    rate(ANNA, ready_song["id"], 4)
    rate(BEN, ready_song["id"], 1)
    sources = [song(ready_song["id"]), song(unrated["id"])]
    events = [as_listener(ANNA, "Song", "myRating", source=s) for s in sources]
    assert invoke(events) == [4, None]
    assert invoke([as_listener(BEN, "Song", "myRating", source=s) for s in sources]) == [1, None]


def test_ratings_move_the_top_rated_order_and_edits_keep_it(ready_song: dict) -> None:
    second = invoke(
        appsync_event(
            "Mutation",
            "createSong",
            {"input": {"title": "Second", "artistId": ready_song["artistId"], "genre": "jazz"}},
        )
    )
    mark_ready(second["id"])

    def top() -> list[str]:
        page = invoke(appsync_event("Query", "songs", {"sort": "TOP_RATED"}, groups=("users",)))
        return [s["title"] for s in page["items"]]

    rate(ANNA, ready_song["id"], 3)
    rate(ANNA, second["id"], 4)
    assert top() == ["Second", "Tram"]
    rate(BEN, ready_song["id"], 5)  # 4.0 with two ratings beats 4.0 with one
    assert top() == ["Tram", "Second"]
    invoke(appsync_event("Mutation", "updateSong", {"id": second["id"], "input": {"title": "Zweite", "genre": "soul"}}))
    rate(CARA, second["id"], 5)  # 4.5 now: the edit above did not pin its old rank
    assert top() == ["Zweite", "Tram"]


def test_a_deleted_songs_ratings_are_forgotten_by_the_cleanup(ready_song: dict) -> None:
    rate(ANNA, ready_song["id"], 4)
    rate(BEN, ready_song["id"], 2)
    assert ratings.forget_song(ready_song["id"]) == 0, "not while the song exists"
    assert len(invoke(as_listener(ANNA, "Query", "myRatings"))["items"]) == 1
    invoke(appsync_event("Mutation", "deleteSong", {"id": ready_song["id"]}))
    assert ratings.forget_song(ready_song["id"]) == 2
    assert ratings.forget_song(ready_song["id"]) == 0, "safe to repeat"
    for user in (ANNA, BEN):
        assert invoke(as_listener(user, "Query", "myRatings"))["items"] == []
