"""Likes: a listener's kept songs, albums and artists (`USER#sub` / `LIKE#KIND#id`).

Each like also carries `byKind` keys (`LIKES#KIND#sub`, `likedAt#id`) so `myLikes` lists one
kind newest first with one Query. A like is written in one transaction with a check that its
item exists (and, for a song, is READY), so no like ever names nothing at the time it is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resolvers.data.table import (
    KEYS,
    Page,
    batch_get_raw,
    client,
    query_page,
    table_name,
    to_item,
    to_raw,
    transact,
)
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY


def like_key(user_id: str, kind: str, item_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"LIKE#{kind}#{item_id}"}


def _like_item(like: Mapping[str, Any]) -> dict[str, Any]:
    by_time = INDEXES["byKind"]
    return {
        **like_key(like["userId"], like["itemKind"], like["itemId"]),
        by_time[0]: f"LIKES#{like['itemKind']}#{like['userId']}",
        by_time[1]: f"{like['likedAt']}#{like['itemId']}",
        "kind": "LIKE",
        **like,
    }


def put_like(like: Mapping[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """Store a like if its item exists (a song: READY) and the listener has not liked it yet.

    Returns (True, None) when stored, (False, the like as it was) when it already existed, and
    (False, None) when the item does not exist or is not READY. One transaction.
    """
    target_key = KEYS[like["itemKind"]](like["itemId"])
    check: dict[str, Any] = {
        "TableName": table_name(),
        "Key": to_raw(target_key),
        "ConditionExpression": "attribute_exists(PK)",
    }
    if like["itemKind"] == "SONG":
        check["ConditionExpression"] += " AND #status = :ready"
        check["ExpressionAttributeNames"] = {"#status": "status"}
        check["ExpressionAttributeValues"] = to_raw({":ready": "READY"})
    failed = transact(
        [
            {"ConditionCheck": check},
            {
                "Put": {
                    "TableName": table_name(),
                    "Item": to_raw(_like_item(like)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            },
        ]
    )
    if not failed:
        return True, None
    if failed[0] is not None:
        return False, None
    return False, failed[1] or None


def delete_like(user_id: str, kind: str, item_id: str) -> bool:
    """Remove a like; False when there was none."""
    response = client().delete_item(
        TableName=table_name(), Key=to_raw(like_key(user_id, kind, item_id)), ReturnValues="ALL_OLD"
    )
    return "Attributes" in response


def likes_page(user_id: str, kind: str, limit: int, next_token: str | None) -> Page:
    """A listener's likes of one kind, newest first (one Query)."""
    return query_page("byKind", f"LIKES#{kind}#{user_id}", limit=limit, next_token=next_token, newest_first=True)


def latest_likes(user_id: str, kind: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` likes of one kind, newest first (Query pages of 100)."""
    likes: list[dict[str, Any]] = []
    token = None
    while len(likes) < limit:
        page = likes_page(user_id, kind, min(100, limit - len(likes)), token)
        likes += page.items
        token = page.next_token
        if not token:
            break
    return likes


def liked_among(wanted: Sequence[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Which (user, kind, id) are liked: one strongly consistent BatchGetItem (per 100), so a
    listener sees their own like at once."""
    if not wanted:
        return set()
    found = batch_get_raw([like_key(*one) for one in wanted], consistent=True)
    return {(item["userId"], item["itemKind"], item["itemId"]) for item in map(to_item, found)}
