"""Play counts: the consumer adds a batch of queued plays to the songs, one update per song.

A batch's plays are grouped by song (and by song and day, for the charts) and written in as
few transactions as DynamoDB's 100 actions allow: each transaction marks its plays
`tallied` (only if stored and not yet tallied) and adds their number to each song's
`playCount` and day count. The marker and the increment commit together, so a redelivered
message (SQS delivers at least once; a batch comes back after a partial failure) adds
nothing twice: its plays' markers fail their condition, the transaction is cancelled and
runs again without them. A play of a deleted song is dropped the same way. A message that
is not ours (poison) fails alone and ends in the dead-letter queue; a transaction that
fails fails only the messages whose plays it carried.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from resolvers.data import plays as plays_data
from resolvers.errors import MusicError, ValidationError
from resolvers.genres import genre as known_genre
from resolvers.observability import logger
from resolvers.validation import identifier, moment

TRANSACTION_ACTIONS = 100  # DynamoDB's limit per TransactWriteItems
MAX_ATTEMPTS = 8  # each refused attempt drops at least one action, or waits out a conflict


class QueuedPlay(NamedTuple):
    user_id: str
    song_id: str
    started_at: str
    genre: str | None = None  # the song's at play time, for genre charts (older messages lack it)

    @property
    def day(self) -> str:
        return self.started_at[:10]


def parse_message(body: str) -> list[QueuedPlay]:
    """The plays of one queue message (`resolvers.plays._queue`); ValidationError if it is not ours."""
    try:
        message = json.loads(body)
    except ValueError:
        raise ValidationError("not a plays message") from None
    entries = message.get("plays") if isinstance(message, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValidationError("not a plays message")
    plays = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValidationError("not a plays message")
        started = moment(entry.get("startedAt"), "startedAt")
        if entry["startedAt"] != started.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"
        ):
            raise ValidationError("startedAt: not a stored play's key")
        user_id, song_id = identifier(entry.get("userId"), "userId"), identifier(entry.get("songId"), "songId")
        song_genre = known_genre(entry["genre"]) if entry.get("genre") is not None else None
        plays.append(QueuedPlay(user_id, song_id, entry["startedAt"], song_genre))
    return plays


def chunks(plays: Sequence[QueuedPlay]) -> list[list[QueuedPlay]]:
    """Plays grouped by song, cut so each transaction holds at most TRANSACTION_ACTIONS actions
    (a play's marker, and once per chunk each song's count and each (song, day) count)."""
    ordered = sorted(plays, key=lambda p: (p.song_id, p.day))
    found: list[list[QueuedPlay]] = []
    current: list[QueuedPlay] = []
    songs: set[str] = set()
    days: set[tuple[str, str]] = set()
    for play in ordered:
        extra = 1 + (play.song_id not in songs) + ((play.song_id, play.day) not in days)
        if len(current) + len(songs) + len(days) + extra > TRANSACTION_ACTIONS:
            found.append(current)
            current, songs, days = [], set(), set()
        current.append(play)
        songs.add(play.song_id)
        days.add((play.song_id, play.day))
    if current:
        found.append(current)
    return found


def _day_count_expiry(now: datetime.datetime) -> int:
    return int((now + datetime.timedelta(days=plays_data.DAY_COUNT_DAYS)).timestamp())


def tally(plays: Sequence[QueuedPlay]) -> int:
    """Add these plays to their songs' counts, each at most once ever; returns how many it added."""
    pending = list(plays)
    expires = _day_count_expiry(datetime.datetime.now(datetime.UTC))
    for _attempt in range(MAX_ATTEMPTS):
        if not pending:
            return 0
        by_song = Counter(p.song_id for p in pending)
        by_day = Counter((p.song_id, p.day) for p in pending)
        keys = [{"userId": p.user_id, "songId": p.song_id, "startedAt": p.started_at} for p in pending]
        genres = {p.song_id: p.genre for p in pending if p.genre}
        actions = plays_data.tally_actions(keys, by_song, by_day, expires, genres)
        failed = plays_data.run_tally(actions)
        if not failed:
            return len(pending)
        songs = list(by_song)
        play_reasons, song_reasons = failed[: len(pending)], failed[len(pending) : len(pending) + len(songs)]
        refused_plays = {pending[i] for i, reason in enumerate(play_reasons) if reason is not None}
        gone = {songs[i] for i, reason in enumerate(song_reasons) if reason is not None}
        if gone:
            logger.info("plays of deleted songs dropped", extra={"songs": sorted(gone)})
        # Already tallied (a redelivery), never stored, or of a deleted song: not counted again.
        pending = [p for p in pending if p not in refused_plays and p.song_id not in gone]
    raise MusicError("plays kept being refused; the batch will be retried")


def tally_batch(messages: Iterable[tuple[str, str]]) -> set[str]:
    """Tally a batch of (message id, body); returns the ids of the messages that failed."""
    failed: set[str] = set()
    sources: dict[QueuedPlay, set[str]] = {}
    for message_id, body in messages:
        try:
            plays = parse_message(body)
        except ValidationError:
            logger.exception("a queued message is not plays", extra={"messageId": message_id})
            failed.add(message_id)
            continue
        for play in plays:
            sources.setdefault(play, set()).add(message_id)
    for chunk in chunks(list(sources)):
        try:
            tally(chunk)
        except Exception:
            carried = set().union(*(sources[p] for p in chunk))
            logger.exception("a tally failed; SQS will retry its messages", extra={"messages": sorted(carried)})
            failed |= carried
    return failed


def queued_plays(items: Sequence[Mapping[str, Any]]) -> list[QueuedPlay]:
    """The consumer's view of stored plays (bench and tests build batches with it)."""
    return [QueuedPlay(i["userId"], i["songId"], i["startedAt"], i.get("genre")) for i in items]
