"""Plays: the listener's counted plays (their history), their per-song and per-artist counts,
and the aggregated counts the play consumer moves.

A counted play is an item of its listener (`USER#sub` / `PLAY#startedAt#songId`): its key is
the play's identity, so a client's retry finds it instead of counting again, and it carries
`tallied` once the consumer has added it to the song's counts (the consumer's idempotency
marker, in the same transaction as the increments). The listener's own counts move with the
play (one transaction on the listener's items, never on the song). The song's `playCount`
and its day count (`PLAYDAY#day` / `SONG#s`, read by the charts) move only in the consumer,
one update per distinct song (and day) per transaction, however many plays it carries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from resolvers.data.table import (
    Page,
    batch_get_raw,
    partition_request,
    query_all,
    query_page,
    song_key,
    table_name,
    to_item,
    to_raw,
    transact,
)
from resolvers.table_layout import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

PLAY_PREFIX = "PLAY#"
# A day count lives a little longer than the longest chart window (30 days).
DAY_COUNT_DAYS = 32


def play_key(user_id: str, started_at: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"{PLAY_PREFIX}{started_at}#{song_id}"}


def song_count_key(user_id: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"PLAYCOUNT#{song_id}"}


def artist_count_key(user_id: str, artist_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"ARTISTPLAYS#{artist_id}"}


def day_count_key(day: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"PLAYDAY#{day}", SORT_KEY: f"SONG#{song_id}"}


def history_key(user_id: str) -> dict[str, str]:
    """The listener's history version: every counted play moves it, in the play's transaction."""
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "PLAYS"}


class Lookup(NamedTuple):
    """What recording plays reads first, in one strongly consistent BatchGetItem."""

    plays: dict[tuple[str, str], dict[str, Any]]  # stored plays by (startedAt, songId)
    songs: dict[str, dict[str, Any]]
    version: int  # the listener's history version (0 before their first counted play)


def lookup(user_id: str, plays: Sequence[tuple[str, str]]) -> Lookup:
    """The stored plays among these (startedAt, songId) (a retry finds itself), their songs and
    the listener's history version."""
    keys = [play_key(user_id, started_at, song_id) for started_at, song_id in plays]
    keys += [song_key(song_id) for _, song_id in plays] + [history_key(user_id)]
    found = Lookup({}, {}, 0)
    for raw in batch_get_raw(keys, consistent=True):
        item = to_item(raw)
        if raw[SORT_KEY]["S"] == "SONG":
            found.songs[item["id"]] = item
        elif raw[SORT_KEY]["S"] == "PLAYS":
            found = found._replace(version=int(item["version"]))
        else:
            found.plays[(item["startedAt"], item["songId"])] = item
    return found


def history_version(user_id: str) -> int:
    """The listener's history version now (one strongly consistent GetItem)."""
    return lookup(user_id, []).version


def latest_play_before(user_id: str, moment: str) -> dict[str, Any] | None:
    """The counted play that started last before `moment` (one Query). Counted plays never
    overlap, so their ends are in the same order as their starts: only this one can overlap
    a play that ends at `moment`."""
    page = query_page(
        None,
        f"USER#{user_id}",
        limit=1,
        next_token=None,
        newest_first=True,
        sort_range=(PLAY_PREFIX, f"{PLAY_PREFIX}{moment}"),
    )
    return page.items[0] if page.items else None


class Written(NamedTuple):
    """How a play's write ended: stored, or refused because the play was there already (a
    concurrent retry) or because the listener's history moved since `version` was read."""

    stored: bool
    existed: bool = False
    history_moved: bool = False


def write_play(play: Mapping[str, Any], expires_at: int, version: int) -> Written:
    """Store a counted play and move the listener's own counts with it, in one transaction
    conditional on the play being new and on the listener's history still being at `version`,
    the one its overlap check read: two plays of one listener are written one after the other,
    each checked against the other."""
    user_id, song_id = play["userId"], play["songId"]
    item = {**play_key(user_id, play["startedAt"], song_id), "kind": "PLAY", TTL_ATTRIBUTE: expires_at, **play}
    counts = [song_count_key(user_id, song_id)]
    if play.get("artistId"):
        counts.append(artist_count_key(user_id, play["artistId"]))
    actions: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table_name(),
                "Item": to_raw(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
    ]
    for key in counts:
        target = song_id if key[SORT_KEY].startswith("PLAYCOUNT#") else play["artistId"]
        actions.append(
            {
                "Update": {
                    "TableName": table_name(),
                    "Key": to_raw(key),
                    "UpdateExpression": "ADD plays :one SET kind = :kind, targetId = :target",
                    "ExpressionAttributeValues": to_raw({":one": 1, ":kind": "PLAYCOUNT", ":target": target}),
                }
            }
        )
    moves = {":next": version + 1, ":kind": "PLAYS"}
    actions.append(
        {
            "Update": {
                "TableName": table_name(),
                "Key": to_raw(history_key(user_id)),
                "UpdateExpression": "SET version = :next, kind = :kind",
                "ConditionExpression": "version = :seen" if version else "attribute_not_exists(version)",
                "ExpressionAttributeValues": to_raw(moves | ({":seen": version} if version else {})),
            }
        }
    )
    failed = transact(actions)
    if not failed:
        return Written(stored=True)
    return Written(stored=False, existed=failed[0] is not None, history_moved=failed[-1] is not None)


def plays_page(user_id: str, since: str, limit: int, next_token: str | None) -> Page:
    """A listener's counted plays since `since`, newest first (older ones wait for the TTL)."""
    return query_page(
        None,
        f"USER#{user_id}",
        limit=limit,
        next_token=next_token,
        newest_first=True,
        sort_range=(f"{PLAY_PREFIX}{since}", f"{PLAY_PREFIX}~"),
    )


def my_counts(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Plays by (listener, song): one BatchGetItem per 100 pairs."""
    found = batch_get_raw([song_count_key(user, song) for user, song in pairs])
    counts = {}
    for raw in found:
        user = raw[PARTITION_KEY]["S"].removeprefix("USER#")
        song = raw[SORT_KEY]["S"].removeprefix("PLAYCOUNT#")
        counts[(user, song)] = int(raw["plays"]["N"])
    return counts


def artist_counts(user_id: str, limit: int) -> list[dict[str, Any]]:
    """A listener's per-artist play counts (one Query page); the caller picks the most played."""
    return query_page(None, f"USER#{user_id}", limit=limit, next_token=None, sort_prefix="ARTISTPLAYS#").items


def _day_counts(day: str, genre: str | None) -> Counter[str]:
    only = {"FilterExpression": "genre = :genre"} if genre else {}
    request = partition_request(
        None, f"PLAYDAY#{day}", {":genre": genre} if genre else None, ProjectionExpression="songId, plays", **only
    )
    return Counter({raw["songId"]["S"]: int(raw["plays"]["N"]) for raw in query_all(request)})


def day_counts(days: Sequence[str], genre: str | None) -> Counter[str]:
    """Plays per song over these UTC days (of one genre, at play time): each day's partition
    read whole, the days side by side (a MONTH is 30 Queries; on AWS, about one's latency)."""
    totals: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=min(len(days), 10) or 1) as pool:
        for counts in pool.map(lambda day: _day_counts(day, genre), days):
            totals.update(counts)
    return totals


# -- the consumer's side ------------------------------------------------------------------------


def tally_actions(
    plays: Sequence[Mapping[str, Any]],
    by_song: Mapping[str, int],
    by_day: Mapping[tuple[str, str], int],
    expires: int,
    genres: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One transaction's actions: mark each play tallied (only if stored and not yet tallied),
    add each song's plays to its `playCount` (only if the song still exists), and to its day
    count, which carries the song's genre when known (genre charts filter on it)."""
    actions: list[dict[str, Any]] = []
    for play in plays:
        actions.append(
            {
                "Update": {
                    "TableName": table_name(),
                    "Key": to_raw(play_key(play["userId"], play["startedAt"], play["songId"])),
                    "UpdateExpression": "SET tallied = :yes",
                    "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(tallied)",
                    "ExpressionAttributeValues": to_raw({":yes": True}),
                }
            }
        )
    for song_id, count in by_song.items():
        actions.append(
            {
                "Update": {
                    "TableName": table_name(),
                    "Key": to_raw(song_key(song_id)),
                    "UpdateExpression": "ADD playCount :n",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": to_raw({":n": count}),
                }
            }
        )
    for (song_id, day), count in by_day.items():
        values = {":n": count, ":kind": "PLAYDAY", ":song": song_id, ":expires": expires}
        expression = "ADD plays :n SET kind = :kind, songId = :song, #ttl = :expires"
        if genres and genres.get(song_id):
            values[":genre"] = genres[song_id]
            expression += ", genre = :genre"
        actions.append(
            {
                "Update": {
                    "TableName": table_name(),
                    "Key": to_raw(day_count_key(day, song_id)),
                    "UpdateExpression": expression,
                    "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
                    "ExpressionAttributeValues": to_raw(values),
                }
            }
        )
    return actions


def run_tally(actions: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Run a tally transaction: [] when written, else per action None or the item that failed
    its condition ({} when there was none). A TransactionConflict is retried (table.transact)."""
    return transact(actions)
