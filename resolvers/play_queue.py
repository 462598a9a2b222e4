"""The play queue that follows a listener across devices: the rules of a save, resuming, and
who is told.

Concurrency: optimistic, by version. Each save sends the whole queue and the version it
replaces (`expectedVersion`; none for the first save); the data layer writes it in one
conditional PutItem, so of two devices saving over the same version one wins and the other
gets a ConflictError naming the version now stored, and saves nothing. That device reads
the queue (`playQueue`), merges as its listener wants, and saves over the new version. No
retry here: only the listener can say which queue is right.

Song ids are checked as ids, not looked up: a queue that names a song deleted since still
resumes, and `PlayQueue.songs` shows null at that position (one batch read, when selected).

`onPlayQueueChanged` sends each save to the owner's subscriptions only: its filter
(`ownerId eq <subscriber's sub>`) comes from the subscriber's token, never from an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from resolvers.catalog import present_song
from resolvers.clock import now_iso
from resolvers.data import play_queue as queue_data
from resolvers.data import table
from resolvers.errors import ConflictError, ValidationError
from resolvers.plays import DEVICE_MAX, MAX_PLAYED_MS
from resolvers.validation import identifier, text, whole_number

MAX_SONGS = 500
# Where playback stopped within the current song: no song is longer than a day (as for plays).
POSITION_MAX_MS = MAX_PLAYED_MS
MAX_VERSION = 2**31 - 1  # GraphQL's Int


class Save(NamedTuple):
    """A checked save: the queue's fields, and the version it replaces (None for the first)."""

    song_ids: list[str]
    current_index: int
    position_ms: int
    device: str
    expected_version: int | None


def _required(value: Any, field: str, *, high: int) -> int:
    number = whole_number(value, field, low=0, high=high)
    if number is None:
        raise ValidationError(f"{field}: is required")
    return number


def parse_save(data: Any) -> Save:
    """The input's checks, all before anything is written."""
    if not isinstance(data, Mapping):
        raise ValidationError("input: is required")
    raw_ids = data.get("songIds")
    if not isinstance(raw_ids, list):
        raise ValidationError("songIds: a list of song ids")
    if len(raw_ids) > MAX_SONGS:
        raise ValidationError(f"songIds: at most {MAX_SONGS} songs, not {len(raw_ids)}")
    song_ids = [identifier(song_id, "songIds") for song_id in raw_ids]
    last = max(len(song_ids) - 1, 0)  # an empty queue is allowed, at index 0
    current_index = _required(data.get("currentIndex"), "currentIndex", high=last)
    position_ms = _required(data.get("positionMs"), "positionMs", high=POSITION_MAX_MS)
    device = text(data.get("device"), "device", max_length=DEVICE_MAX)
    assert device is not None
    expected = whole_number(data.get("expectedVersion"), "expectedVersion", low=1, high=MAX_VERSION - 1)
    return Save(song_ids, current_index, position_ms, device, expected)


def _conflict(save: Save, stored: Mapping[str, Any]) -> ConflictError:
    """Why a save was refused, with the version to read and save over."""
    if not stored:
        return ConflictError("No play queue is saved yet: save without expectedVersion")
    now = f"version {stored['version']}, saved from {stored['device']!r} at {stored['updatedAt']}"
    if save.expected_version is None:
        return ConflictError(
            f"A play queue is saved already ({now}): read it with playQueue and save with expectedVersion"
        )
    return ConflictError(
        f"The play queue changed since version {save.expected_version} (now {now}): "
        "read it with playQueue and save with expectedVersion"
    )


def save(user_id: str, data: Any) -> dict[str, Any]:
    """Replace the caller's queue if it is still at `expectedVersion`; the queue as stored."""
    checked = parse_save(data)
    queue = {
        "ownerId": user_id,
        "songIds": checked.song_ids,
        "currentIndex": checked.current_index,
        "positionMs": checked.position_ms,
        "device": checked.device,
        "version": (checked.expected_version or 0) + 1,
        "updatedAt": now_iso(),
    }
    refused = queue_data.put_queue(queue, checked.expected_version)
    if refused is not None:
        raise _conflict(checked, refused)
    return queue


def get(user_id: str) -> dict[str, Any] | None:
    """The caller's queue, or None before their first save."""
    return queue_data.get_queue(user_id)


def with_songs(queue: dict[str, Any] | None) -> dict[str, Any] | None:
    """`PlayQueue.songs`: the songs position for position, null where one is gone (BatchGetItem per 100)."""
    if queue is None:
        return None
    found = table.batch_get("SONG", queue["songIds"])
    return {**queue, "songs": [present_song(found[i]) if i in found else None for i in queue["songIds"]]}


def changed_filter(user_id: str) -> dict[str, Any]:
    """`onPlayQueueChanged`'s enhanced filter: saves of the subscriber's own queue, nobody else's."""
    return {"filterGroup": [{"filters": [{"fieldName": "ownerId", "operator": "eq", "value": user_id}]}]}
