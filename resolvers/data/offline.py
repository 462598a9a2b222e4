"""A listener's offline library: songs kept for offline playback.

The songs live in the listener's partition (`USER#sub` / `OFFLINE#songId`); a counter item
beside them enforces the per-listener limit in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.data.table import Page, client, query_page, table_name, to_item, to_raw, transact
from resolvers.errors import ConflictError, NotFoundError
from resolvers.table_layout import PARTITION_KEY, SORT_KEY


def _offline_key(user_id: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"OFFLINE#{song_id}"}


def _offline_count_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "OFFLINE_COUNT"}


def add_offline(user_id: str, entry: Mapping[str, Any], limit: int) -> bool:
    """Add a song to the library; False when it was already there. ConflictError past the limit."""
    failed = transact(
        [
            {
                "Put": {
                    "TableName": table_name(),
                    "Item": to_raw({**_offline_key(user_id, entry["songId"]), **entry}),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": table_name(),
                    "Key": to_raw(_offline_count_key(user_id)),
                    "UpdateExpression": "ADD songCount :one",
                    "ConditionExpression": "attribute_not_exists(songCount) OR songCount < :limit",
                    "ExpressionAttributeValues": to_raw({":one": 1, ":limit": limit}),
                }
            },
        ]
    )
    if failed and failed[0] is not None:
        return False
    if failed:
        raise ConflictError(f"The offline library holds at most {limit} songs: remove some first")
    return True


def get_offline(user_id: str, song_id: str) -> dict[str, Any] | None:
    raw = client().get_item(TableName=table_name(), Key=to_raw(_offline_key(user_id, song_id))).get("Item")
    return to_item(raw) if raw else None


def renew_offline(user_id: str, song_id: str, changes: Mapping[str, Any]) -> None:
    names = {f"#a{n}": name for n, name in enumerate(changes)}
    client().update_item(
        TableName=table_name(),
        Key=to_raw(_offline_key(user_id, song_id)),
        UpdateExpression="SET " + ", ".join(f"#a{n} = :v{n}" for n in range(len(changes))),
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_raw({f":v{n}": v for n, v in enumerate(changes.values())}),
    )


def remove_offline(user_id: str, song_id: str) -> None:
    failed = transact(
        [
            {
                "Delete": {
                    "TableName": table_name(),
                    "Key": to_raw(_offline_key(user_id, song_id)),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": table_name(),
                    "Key": to_raw(_offline_count_key(user_id)),
                    "UpdateExpression": "ADD songCount :minus",
                    "ExpressionAttributeValues": to_raw({":minus": -1}),
                }
            },
        ]
    )
    if failed:
        raise NotFoundError(f"Song {song_id} is not in the offline library")


def offline_page(user_id: str, limit: int, next_token: str | None) -> Page:
    return query_page(
        None, f"USER#{user_id}", limit=limit, next_token=next_token, newest_first=True, sort_prefix="OFFLINE#"
    )
