"""Charts: the most played songs of the last 7 or 30 UTC days, or of all time, overall or in a genre.

WEEK and MONTH add up the day counts the play consumer keeps (`PLAYDAY#day` / `SONG#s`, with
the song's genre at play time): one Query per day, run side by side, then one BatchGetItem
for the top songs. ALL_TIME reads the MOST_PLAYED listing (`Song.playCount`), one Query. A
chart lists only playable songs: a deleted or re-processing song drops out, the next moves up.
What a chart reads grows with the songs played per day, not with plays; docs/api/plays.md
says where that stops being cheap.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Mapping
from typing import Any

from resolvers.catalog import present_song
from resolvers.data import discover as discover_data
from resolvers.data import plays as plays_data
from resolvers.data import table
from resolvers.errors import ValidationError
from resolvers.genres import genre as known_genre
from resolvers.validation import page_size

PERIOD_DAYS = {"WEEK": 7, "MONTH": 30}
PERIODS = (*PERIOD_DAYS, "ALL_TIME")
SPARE = 10  # extra candidates read, so deleted songs rarely leave a chart short
KEPT_SECONDS = 60.0  # how long a function instance keeps a chart it computed for the feed


def period_days(period: str, today: datetime.date) -> list[str]:
    """The UTC days a WEEK or MONTH chart counts, today first."""
    return [(today - datetime.timedelta(days=back)).isoformat() for back in range(PERIOD_DAYS[period])]


def _ranked(totals: Mapping[str, int], size: int) -> list[tuple[str, int]]:
    """Most plays first; among equals by song id, so a chart reads the same twice."""
    return sorted(((song, plays) for song, plays in totals.items() if plays > 0), key=lambda p: (-p[1], p[0]))[:size]


def _all_time(genre: str | None, size: int) -> list[tuple[dict[str, Any], int]]:
    scope = "GENRE" if genre else "ALL"
    narrowing = discover_data.Narrowing(equal={"status": "READY"})
    page = discover_data.list_page("SONG", scope, genre, "MOST_PLAYED", narrowing, limit=size, next_token=None)
    return [(song, int(song["playCount"])) for song in page.items if song.get("playCount", 0) > 0]


def _recent(period: str, genre: str | None, size: int, today: datetime.date) -> list[tuple[dict[str, Any], int]]:
    top = _ranked(plays_data.day_counts(period_days(period, today), genre), size + SPARE)
    songs = table.batch_get("SONG", [song_id for song_id, _ in top]) if top else {}
    found = [(songs[song_id], plays) for song_id, plays in top if song_id in songs]
    return [(song, plays) for song, plays in found if song.get("status") == "READY"][:size]


def ranked(period: str, genre: str | None, size: int) -> list[tuple[dict[str, Any], int]]:
    """The chart's songs as stored, with their plays in the period, most played first."""
    if period == "ALL_TIME":
        return _all_time(genre, size)
    return _recent(period, genre, size, datetime.datetime.now(datetime.UTC).date())


class _KeptCharts:
    """`ranked`, kept by this function instance for KEPT_SECONDS: the feed's popular songs are
    the same for every listener, and a MONTH chart is 31 calls. `charts` itself reads fresh."""

    def __init__(self) -> None:
        self._charts: dict[tuple[str, str | None, int], tuple[float, list[tuple[dict[str, Any], int]]]] = {}

    def __call__(self, period: str, genre: str | None, size: int) -> list[tuple[dict[str, Any], int]]:
        now = time.monotonic()
        kept_at, chart = self._charts.get((period, genre, size), (None, []))
        if kept_at is None or now - kept_at >= KEPT_SECONDS:
            chart = ranked(period, genre, size)
            self._charts[(period, genre, size)] = (now, chart)
        return chart

    def cache_clear(self) -> None:
        self._charts.clear()


kept = _KeptCharts()


def charts(period: Any, genre: Any, limit: Any) -> list[dict[str, Any]]:
    """The chart of a period (and genre): [{position, plays, song}], most played first."""
    if period not in PERIODS:
        raise ValidationError(f"period: one of {', '.join(PERIODS)}")
    size = page_size(limit)
    only = known_genre(genre) if genre is not None else None
    chart = ranked(period, only, size)
    return [{"position": n, "plays": plays, "song": present_song(song)} for n, (song, plays) in enumerate(chart, 1)]
