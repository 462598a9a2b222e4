"""Charts and `songs(sort: MOST_PLAYED)` through the API handler on in-process moto: plays are
recorded by several listeners, the consumer adds them up, then each period and genre is read."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from typing import Any

import pytest

from resolvers.charts import period_days
from resolvers.errors import ValidationError
from tests.unit.conftest import appsync_event, invoke, listener_event
from tests.unit.test_plays import _at, _play, _queued, _song, consume, record

DAY = 86_400


def chart(period: str, genre: str | None = None, limit: int | None = None) -> list[tuple[str, int, int]]:
    arguments: dict[str, Any] = (
        {"period": period} | ({"genre": genre} if genre else {}) | ({"limit": limit} if limit else {})
    )
    entries = invoke(listener_event("Query", "charts", arguments))
    return [(entry["song"]["id"], entry["plays"], entry["position"]) for entry in entries]


def played(song_id: str, times: int, seconds_ago: float) -> None:
    """`times` counted plays of the song by different listeners, starting about `seconds_ago`."""
    for n in range(times):
        assert record(_play(song_id, 60_000, _at(seconds_ago - n)), sub=str(uuid.uuid4()))


@pytest.fixture
def catalog(aws: dict[str, str]) -> dict[str, str]:
    """Four READY songs: three jazz, one rock; plays today, 10 days ago and 20 days ago."""
    songs = {"hit": _song(200, "jazz"), "steady": _song(200, "jazz"), "old": _song(200, "jazz"), "rock": _song()}
    invoke(appsync_event("Mutation", "updateSong", {"id": songs["rock"], "input": {"genre": "rock"}}))
    played(songs["hit"], 3, 3600)
    played(songs["steady"], 2, 3600)
    played(songs["steady"], 3, 10 * DAY)
    played(songs["old"], 6, 20 * DAY)
    played(songs["rock"], 4, 3600)
    assert consume(_queued()) == []
    return songs


def test_each_period_counts_its_own_days(catalog: dict[str, str]) -> None:
    hit, steady, old, rock = catalog["hit"], catalog["steady"], catalog["old"], catalog["rock"]
    assert chart("WEEK") == [(rock, 4, 1), (hit, 3, 2), (steady, 2, 3)]
    assert [c[:2] for c in chart("MONTH")] == [(old, 6), (steady, 5), (rock, 4), (hit, 3)]
    assert [c[:2] for c in chart("ALL_TIME")] == [(old, 6), (steady, 5), (rock, 4), (hit, 3)]


def test_a_genre_chart_keeps_the_genre_and_limit_cuts(catalog: dict[str, str]) -> None:
    assert [c[0] for c in chart("WEEK", "jazz")] == [catalog["hit"], catalog["steady"]]
    assert [c[0] for c in chart("ALL_TIME", "rock")] == [catalog["rock"]]
    assert chart("MONTH", "jazz", limit=2) == [(catalog["old"], 6, 1), (catalog["steady"], 5, 2)]
    assert chart("WEEK", "classical") == []


def test_a_deleted_song_leaves_the_chart(catalog: dict[str, str]) -> None:
    invoke(appsync_event("Mutation", "deleteSong", {"id": catalog["rock"]}))
    assert [c[0] for c in chart("WEEK")] == [catalog["hit"], catalog["steady"]]
    assert catalog["rock"] not in [c[0] for c in chart("ALL_TIME")]


def test_most_played_orders_songs_and_pages_through_them(catalog: dict[str, str]) -> None:
    unplayed = _song(200, "jazz")
    seen: list[dict[str, Any]] = []
    token = None
    while True:
        arguments = {"sort": "MOST_PLAYED", "limit": 2} | ({"nextToken": token} if token else {})
        page = invoke(listener_event("Query", "songs", arguments))
        seen += page["items"]
        token = page["nextToken"]
        if not token:
            break
    ids = [song["id"] for song in seen]
    assert ids[:4] == [catalog["old"], catalog["steady"], catalog["rock"], catalog["hit"]]
    assert ids[4:] == [unplayed], "an unplayed song is listed too, last"
    jazz = invoke(listener_event("Query", "songs", {"sort": "MOST_PLAYED", "filter": {"genre": "jazz"}}))
    assert [s["id"] for s in jazz["items"]] == [catalog["old"], catalog["steady"], catalog["hit"], unplayed]
    by_artist = invoke(
        listener_event("Query", "songs", {"sort": "MOST_PLAYED", "filter": {"artistId": seen[0]["artistId"]}})
    )
    assert [s["id"] for s in by_artist["items"]] == [catalog["old"]]


def test_the_week_is_today_and_the_six_days_before(aws: dict[str, str]) -> None:
    today = datetime.date(2026, 12, 1)
    assert period_days("WEEK", today) == ["2026-12-01"] + [f"2026-11-{d:02d}" for d in range(30, 24, -1)]
    assert len(period_days("MONTH", today)) == 30 and period_days("MONTH", today)[-1] == "2026-11-02"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"period": "YEAR"}, "period"),
        ({"period": "WEEK", "genre": "polka-metal"}, "genre"),
        ({"period": "WEEK", "limit": 0}, "limit"),
        ({"period": "ALL_TIME", "limit": 101}, "limit"),
    ],
)
def test_bad_chart_arguments_are_validation_errors(
    aws: dict[str, str], arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        invoke(listener_event("Query", "charts", arguments))


def test_a_forged_most_played_token_is_a_validation_error(catalog: dict[str, str]) -> None:
    for value in (-1, "12", 1.5, True):
        forged = {"PK": "SONG#x", "SK": "SONG", "GSI1PK": "SONG", "playCount": value}
        token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
        with pytest.raises(ValidationError, match="nextToken"):
            invoke(listener_event("Query", "songs", {"sort": "MOST_PLAYED", "nextToken": token}))


def test_a_smart_playlist_orders_by_plays_whether_listed_or_liked(catalog: dict[str, str]) -> None:
    """Listed: the MOST_PLAYED index; liked only: the liked songs sorted by the same rule."""
    for song_id in catalog.values():
        invoke(listener_event("Mutation", "like", {"input": {"songId": song_id}}))
    expected = [catalog["old"], catalog["steady"], catalog["rock"], catalog["hit"]]
    for rules in ({"sort": "MOST_PLAYED", "limit": 4}, {"sort": "MOST_PLAYED", "likedOnly": True}):
        made = invoke(listener_event("Mutation", "createSmartPlaylist", {"input": {"name": "Most", "rules": rules}}))
        event = listener_event("Playlist", "entries", {"limit": 10})
        event["source"] = made
        (entries,) = invoke([event])
        assert [entry["song"]["id"] for entry in entries["items"]] == expected
