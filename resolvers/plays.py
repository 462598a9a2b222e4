"""Plays: what counts as a play, the listener's history, and handing counted plays to the queue.

A play counts once the listener heard at least 30 seconds or half the song, whichever is
shorter; fetching `streamUrl` never counts. The play's identity is (listener, song,
startedAt): its key, so a retry finds the stored play and answers as the first call did.
Plays are checked against the song (at most its duration + 5 s), the clock (no later than a
minute from now, at most 30 days old) and the listener's other counted plays (two counted
plays of one listener never overlap in time).

The song's counts never move here: a hit song is played thousands of times a second, and
one item takes about 1,000 writes a second. A counted play is queued, and the play consumer
(`resolvers/play_counts.py`) adds a batch's plays to each song once. A play stored but not
queued (the queue did not answer) is queued again by the client's retry, which finds it not
yet tallied; the consumer counts each play once however often it is queued.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

from resolvers import aws_clients
from resolvers.catalog import present_song
from resolvers.data import plays as plays_data
from resolvers.data import table
from resolvers.errors import NotFoundError, UnavailableError, ValidationError
from resolvers.observability import logger
from resolvers.settings import settings
from resolvers.validation import identifier, moment, page_size, text, whole_number

COUNTS_AFTER_MS = 30_000  # ... or half the song, whichever is shorter
DURATION_SLACK_MS = 5_000  # a player's clock may run a little past the song's end
FUTURE_SLACK = datetime.timedelta(minutes=1)
OLDEST_PLAY = datetime.timedelta(days=30)
HISTORY_KEPT = datetime.timedelta(days=90)
MAX_PLAYED_MS = 24 * 3600 * 1000  # no song is longer than a day: beyond, the number is noise
DEVICE_MAX = 100
MAX_PLAYS = 50  # per recordPlays call


class Play(NamedTuple):
    """A checked play: the start normalized to UTC milliseconds, so it is one key however written."""

    song_id: str
    started_at: str
    played_ms: int
    device: str

    def ends_at(self) -> str:
        return _iso(_parse(self.started_at) + datetime.timedelta(milliseconds=self.played_ms))


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def parse_play(data: Any, now: datetime.datetime) -> Play:
    """The input's shape and clock checks; the song's are in `counts`."""
    if not isinstance(data, Mapping):
        raise ValidationError("input: is required")
    song_id = identifier(data.get("songId"), "songId")
    started = moment(data.get("startedAt"), "startedAt")
    if started > now + FUTURE_SLACK:
        raise ValidationError("startedAt: must not be more than a minute from now")
    if started < now - OLDEST_PLAY:
        raise ValidationError("startedAt: plays older than 30 days are not recorded")
    played_ms = whole_number(data.get("playedMs"), "playedMs", low=0, high=MAX_PLAYED_MS)
    if played_ms is None:
        raise ValidationError("playedMs: is required")
    device = text(data.get("device"), "device", max_length=DEVICE_MAX)
    assert device is not None
    return Play(song_id, _iso(started), played_ms, device)


def counts(play: Play, song: Mapping[str, Any] | None) -> bool:
    """Whether the play counts under the song's rule; ValidationError when it cannot be a play of it."""
    if song is None:
        raise NotFoundError(f"Song {play.song_id} not found")
    if song.get("status") != "READY" or not song.get("durationSeconds"):
        raise ValidationError("songId: only READY songs can be played")
    duration_ms = int(song["durationSeconds"]) * 1000
    if play.played_ms > duration_ms + DURATION_SLACK_MS:
        raise ValidationError("playedMs: longer than the song (plus 5 seconds)")
    return play.played_ms >= min(COUNTS_AFTER_MS, duration_ms / 2)


def _check_no_overlap(user_id: str, play: Play) -> None:
    """A counting play must not overlap another counted play of the same listener."""
    before = plays_data.latest_play_before(user_id, play.ends_at())
    if before and before["endsAt"] > play.started_at:
        raise ValidationError(
            f"startedAt: overlaps the play of song {before['songId']} started at {before['startedAt']}"
        )


@cache
def _sqs() -> Any:
    return aws_clients.client("sqs")


def _queue(plays: Sequence[Mapping[str, Any]]) -> None:
    """Hand counted plays to the consumer; when the queue does not answer, the play is stored
    untallied and the caller is told to retry (the retry queues it again)."""
    keys = ("userId", "songId", "startedAt", "genre")
    body = json.dumps({"plays": [{k: p[k] for k in keys if p.get(k) is not None} for p in plays]})
    try:
        _sqs().send_message(QueueUrl=settings().plays_queue, MessageBody=body)
    except Exception:
        logger.exception("could not queue plays", extra={"plays": len(plays)})
        raise UnavailableError("The play was kept but not yet counted: send it again") from None


# Another device's play moved the history meanwhile: check again. Each round stores one of the
# plays racing, so n devices at once need at most n rounds.
HISTORY_ATTEMPTS = 10


def _store(user_id: str, play: Play, song: Mapping[str, Any], version: int, *, checked: bool) -> tuple[Any, int]:
    """Store a counting play of the listener's history at `version`; (the item to queue, the
    version after). `checked`: its overlap check against that version was just made. When
    another play of the listener was stored meanwhile (two devices at once), the play is
    checked again against it before it is written."""
    item = {
        "userId": user_id,
        "songId": play.song_id,
        "artistId": song.get("artistId"),
        "genre": song.get("genre"),
        "startedAt": play.started_at,
        "endsAt": play.ends_at(),
        "playedMs": play.played_ms,
        "device": play.device,
    }
    expires = int((_parse(play.started_at) + HISTORY_KEPT).timestamp())
    for attempt in range(HISTORY_ATTEMPTS):
        if not checked:
            _check_no_overlap(user_id, play)
        written = plays_data.write_play({k: v for k, v in item.items() if v is not None}, expires, version)
        if written.stored:
            return item, version + 1
        if written.existed:  # a concurrent retry of this very play stored it: the same answer
            return item, version
        table.conflict_pause(attempt)
        version, checked = plays_data.history_version(user_id), False
    raise UnavailableError("Many plays were recorded at once: send this one again")


def record_play(user_id: str, data: Any) -> dict[str, bool]:
    """Record one play of the caller; `counted` says whether it counts (a retry: as it did)."""
    play = parse_play(data, _now())
    found = plays_data.lookup(user_id, [(play.started_at, play.song_id)])
    stored = found.plays.get((play.started_at, play.song_id))
    if stored is not None:  # a retry: the same answer, and queued again until it is tallied
        if not stored.get("tallied"):
            _queue([stored])
        return {"counted": True}
    song = found.songs.get(play.song_id)
    if not counts(play, song):
        return {"counted": False}
    item, _ = _store(user_id, play, song or {}, found.version, checked=False)
    _queue([item])
    return {"counted": True}


def _start(play: Play) -> str:
    return play.started_at


def record_plays(user_id: str, data: Any) -> list[dict[str, bool]]:
    """Record up to 50 plays made offline: all checked before any is stored, answers in order."""
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_PLAYS:
        raise ValidationError(f"plays: from 1 to {MAX_PLAYS} plays")
    now = _now()
    plays = [parse_play(entry, now) for entry in data]
    found = plays_data.lookup(user_id, [(p.started_at, p.song_id) for p in plays])
    stored = {p: found.plays.get((p.started_at, p.song_id)) for p in plays}
    counting = [p for p in plays if stored[p] is not None or counts(p, found.songs.get(p.song_id))]
    # New counting plays of this call must not overlap each other (retries of one play are one).
    new = sorted({(p.started_at, p.song_id): p for p in counting if stored[p] is None}.values(), key=_start)
    for earlier, later in itertools.pairwise(new):
        if earlier.ends_at() > later.started_at:
            raise ValidationError(f"plays: the plays started at {earlier.started_at} and {later.started_at} overlap")
    for play in new:
        _check_no_overlap(user_id, play)
    to_queue = {(p.started_at, p.song_id): item for p in counting if (item := stored[p]) and not item.get("tallied")}
    version = found.version
    for play in new:
        # Checked above against `version`; each play stored moves it by one (ours, in order).
        item, moved = _store(user_id, play, found.songs.get(play.song_id) or {}, version, checked=True)
        to_queue[(play.started_at, play.song_id)] = item
        version = moved
    if to_queue:
        _queue(list(to_queue.values()))
    return [{"counted": p in counting} for p in plays]


def recently_played(user_id: str, limit: Any, next_token: str | None, *, with_songs: bool) -> dict[str, Any]:
    """The caller's counted plays of the last 90 days, newest start first."""
    since = _iso(_now() - HISTORY_KEPT)
    page = plays_data.plays_page(user_id, since, page_size(limit), next_token)
    ids = [play["songId"] for play in page.items]
    songs = table.batch_get("SONG", ids) if with_songs and ids else {}
    items = []
    for play in page.items:
        song = songs.get(play["songId"])
        items.append({**play, "song": present_song(song) if song else None})
    return {"items": items, "nextToken": page.next_token}


def my_play_counts(pairs: Sequence[tuple[str | None, str]]) -> list[int]:
    """`Song.myPlayCount` for a batch of (caller, song): one BatchGetItem per 100."""
    found = plays_data.my_counts([(user, song) for user, song in pairs if user])
    return [found.get((user, song), 0) if user else 0 for user, song in pairs]
