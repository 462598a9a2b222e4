"""Each listener's precomputed feed picks: one item of their partition (`USER#sub` / `FEED`).

Rewritten whole when their ratings or follows change; new releases come from the inbox.
`songs_and_ratings` spans the catalog and ratings on purpose: one BatchGetItem reads the
songs of a feed page and whether the listener rated them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from resolvers.data.ratings import rating_key
from resolvers.data.table import batch_get_raw, client, song_key, table_name, to_item, to_raw, written
from resolvers.table_layout import PARTITION_KEY, SORT_KEY


def feed_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "FEED"}


def get_feed(user_id: str) -> dict[str, Any] | None:
    """The listener's precomputed picks, or None before the first computation (one GetItem)."""
    raw = client().get_item(TableName=table_name(), Key=to_raw(feed_key(user_id))).get("Item")
    return to_item(raw) if raw else None


def put_feed(user_id: str, entries: Sequence[Mapping[str, Any]], computed_at: str) -> bool:
    """Store the picks unless a computation that started later already has; False when it had."""
    return written(
        "put_item",
        Item=to_raw({**feed_key(user_id), "kind": "FEED", "computedAt": computed_at, "entries": list(entries)}),
        ConditionExpression="attribute_not_exists(PK) OR computedAt <= :mine",
        ExpressionAttributeValues=to_raw({":mine": computed_at}),
    )


def songs_and_ratings(
    user_id: str, song_ids: Sequence[str], *, have: Iterable[str] = ()
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """These songs (but those the caller already `have`), and which of them the listener has
    rated: one BatchGetItem per 50 songs."""
    skip = set(have)
    keys = [rating_key(user_id, song_id) for song_id in song_ids]
    keys += [song_key(song_id) for song_id in song_ids if song_id not in skip]
    songs: dict[str, dict[str, Any]] = {}
    rated: set[str] = set()
    for raw in batch_get_raw(keys) if keys else []:
        item = to_item(raw)
        if raw[SORT_KEY]["S"] == "SONG":
            songs[item["id"]] = item
        else:
            rated.add(item["songId"])
    return songs, rated
