"""Plays end to end over GraphQL on the emulator: the play rule, retries, history, and exact
counts once the play queue has drained (the consumer runs on the emulator's event source)."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from emulator import aws
from tests.integration.conftest import Api, Run, client
from tests.integration.stand_in_media import wait_until_drained
from tests.integration.test_new_content import new_listener
from tests.integration.test_ratings import new_song
from tests.media_stand_in import mark_ready_on_emulator

RECORD = "mutation($i: PlayInput!) { recordPlay(input: $i) { counted } }"
RECORD_MANY = "mutation($p: [PlayInput!]!) { recordPlays(plays: $p) { counted } }"
HISTORY = """query($limit: Int, $token: String) {
  recentlyPlayed(limit: $limit, nextToken: $token) { items { song { id title } startedAt playedMs device } nextToken }
}"""
COUNTS = "query($id: ID!) { song(id: $id) { playCount myPlayCount } }"
CHARTS = """query($period: ChartPeriod!, $genre: String, $limit: Int) {
  charts(period: $period, genre: $genre, limit: $limit) { position plays song { id genre } }
}"""
MOST_PLAYED = """query($genre: String, $token: String) {
  songs(sort: MOST_PLAYED, filter: {genre: $genre}, limit: 2, nextToken: $token) { items { id playCount } nextToken }
}"""
DAY = 86_400


def at(seconds_ago: float) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds_ago)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ready_song(local_api: Api, admin: Run, duration: int, genre: str = "ambient") -> str:
    local_api.local_only()  # marks the song READY straight in the emulator's table
    song_id = new_song(admin, genre=genre)["id"]
    mark_ready_on_emulator(local_api.config, song_id, duration_seconds=duration)
    return song_id


def play(song_id: str, played_ms: int, started: str, device: str = "laptop") -> dict[str, Any]:
    return {"songId": song_id, "startedAt": started, "playedMs": played_ms, "device": device}


def counted(run: Run, entry: dict[str, Any]) -> bool:
    return run(RECORD, i=entry)["recordPlay"]["counted"]


def drained(local_api: Api, timeout: float = 30) -> None:
    """Wait until the play consumer has taken every message off the plays queue."""
    wait_until_drained(local_api.config["awsEndpoint"], aws.PLAYS_QUEUE, timeout, poll=0.1)


@pytest.mark.parametrize(("duration", "threshold_ms"), [(200, 30_000), (40, 20_000)])
def test_the_play_rule_at_its_boundaries(
    local_api: Api, guest: Run, admin: Run, duration: int, threshold_ms: int
) -> None:
    fan = new_listener(local_api, guest)
    song_id = ready_song(local_api, admin, duration)
    assert counted(fan.run, play(song_id, threshold_ms - 1, at(3000))) is False
    assert counted(fan.run, play(song_id, threshold_ms, at(2000))) is True
    with pytest.raises(TransportQueryError, match="playedMs"):
        fan.run(RECORD, i=play(song_id, duration * 1000 + 5_001, at(1000)))
    drained(local_api)
    assert fan.run(COUNTS, id=song_id)["song"] == {"playCount": 1, "myPlayCount": 1}
    history = fan.run(HISTORY)["recentlyPlayed"]["items"]
    assert [(p["song"]["id"], p["playedMs"]) for p in history] == [(song_id, threshold_ms)]


def test_concurrent_plays_and_retries_add_up_exactly(local_api: Api, guest: Run, admin: Run) -> None:
    """Four listeners play one song five times each, every play sent three times at once."""
    song_id = ready_song(local_api, admin, 200)
    listeners = [new_listener(local_api, guest) for _ in range(4)]
    sends = [(fan.token, play(song_id, 60_000, at(10_000 - 100 * n))) for fan in listeners for n in range(5)] * 3

    def send(token: str, entry: dict[str, Any]) -> bool:  # one gql client per call: they are not thread-safe
        return counted(client(local_api.url, {"authorization": token}), entry)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda s: send(*s), sends))
    assert all(answers), "a retry answers as the first call did"
    drained(local_api)
    assert listeners[0].run(COUNTS, id=song_id)["song"] == {"playCount": 20, "myPlayCount": 5}


def test_history_is_newest_first_pages_and_is_the_callers_own(local_api: Api, guest: Run, admin: Run) -> None:
    fan, other = new_listener(local_api, guest), new_listener(local_api, guest)
    songs = [ready_song(local_api, admin, 200) for _ in range(3)]
    offline = [play(song_id, 100_000, at(20_000 - 1000 * n), device="phone") for n, song_id in enumerate(songs)]
    assert fan.run(RECORD_MANY, p=offline)["recordPlays"] == [{"counted": True}] * 3
    with pytest.raises(TransportQueryError, match="overlaps"):
        fan.run(RECORD, i=play(songs[0], 60_000, at(20_000 - 1050)))
    seen, token = [], None
    while True:
        page = fan.run(HISTORY, limit=2, token=token)["recentlyPlayed"]
        seen += page["items"]
        token = page["nextToken"]
        if not token:
            break
    assert [p["song"]["id"] for p in seen] == songs[::-1]
    assert other.run(HISTORY)["recentlyPlayed"]["items"] == []
    assert other.run(COUNTS, id=songs[0])["song"]["myPlayCount"] == 0


def test_two_devices_sending_overlapping_plays_at_once_count_one(local_api: Api, guest: Run, admin: Run) -> None:
    """A phone and a laptop of one listener send overlapping plays at the same moment, five
    times over: each time exactly one counts and the other is refused as an overlap."""
    fan = new_listener(local_api, guest)
    phone_song, laptop_song = ready_song(local_api, admin, 200), ready_song(local_api, admin, 200)

    def send(device: str, song_id: str, seconds_ago: float) -> str:
        run = client(local_api.url, {"authorization": fan.token})  # each device its own connection
        try:
            return "counted" if counted(run, play(song_id, 60_000, at(seconds_ago), device=device)) else "not"
        except TransportQueryError as error:
            return "overlap" if "overlaps" in str(error) else str(error)

    for n in range(5):
        start = 20_000 - 1_000 * n
        with ThreadPoolExecutor(max_workers=2) as pool:
            phone = pool.submit(send, "phone", phone_song, start)
            laptop = pool.submit(send, "laptop", laptop_song, start - 10)
            outcomes = sorted([phone.result(), laptop.result()])
        assert outcomes == ["counted", "overlap"], outcomes
    assert len(fan.run(HISTORY, limit=20)["recentlyPlayed"]["items"]) == 5


def test_charts_per_period_and_genre_and_most_played(local_api: Api, guest: Run, admin: Run) -> None:
    """Soul songs (no other test plays soul): plays today, 10 days ago and 20 days ago, by several listeners."""
    songs = {name: ready_song(local_api, admin, 200, genre="soul") for name in ("hit", "steady", "old")}
    other = ready_song(local_api, admin, 200, genre="punk")
    fans = [new_listener(local_api, guest) for _ in range(3)]
    plan = {"hit": [3600] * 3, "steady": [3600, 10 * DAY, 10 * DAY], "old": [20 * DAY] * 3}
    for name, starts in plan.items():
        for fan, seconds_ago in zip(fans, starts, strict=True):
            assert counted(fan.run, play(songs[name], 60_000, at(seconds_ago + 400 * len(name))))
    assert counted(fans[0].run, play(other, 60_000, at(5 * DAY)))
    drained(local_api)
    run = fans[0].run

    def chart(period: str, genre: str | None = "soul", limit: int | None = None) -> list[tuple[str, int]]:
        entries = run(CHARTS, period=period, genre=genre, limit=limit)["charts"]
        assert [e["position"] for e in entries] == list(range(1, len(entries) + 1))
        return [(e["song"]["id"], e["plays"]) for e in entries]

    assert chart("WEEK") == [(songs["hit"], 3), (songs["steady"], 1)]
    assert chart("MONTH") == sorted((song_id, 3) for song_id in songs.values()), "equal plays: by song id"
    assert sorted(chart("ALL_TIME")) == sorted((song_id, 3) for song_id in songs.values())
    assert chart("MONTH", limit=1)[0][1] == 3
    assert chart("WEEK", genre="punk") == [(other, 1)]
    everything = dict(chart("WEEK", genre=None, limit=100))
    assert everything[songs["hit"]] == 3 and everything[other] == 1 and songs["old"] not in everything

    listed, token = [], None
    while True:
        page = run(MOST_PLAYED, genre="soul", token=token)["songs"]
        listed += [(song["id"], song["playCount"]) for song in page["items"]]
        token = page["nextToken"]
        if not token:
            break
    assert [count for _, count in listed][:3] == [3, 3, 3], "most played first, page after page"
    assert {song_id for song_id, _ in listed[:3]} == set(songs.values())
    with pytest.raises(TransportQueryError, match="genre"):
        run(CHARTS, period="WEEK", genre="polka")
