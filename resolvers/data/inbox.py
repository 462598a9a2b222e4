"""Each listener's inbox of new-release notifications (`USER#sub` / `NOTE#id`).

Unread notifications also carry the keys of a sparse `UNREAD#sub` index partition, so the
unread count and "mark all read" read only unread items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from resolvers.data.table import (
    BATCH_GET_LIMIT,
    Page,
    Where,
    batch_write,
    client,
    partition_request,
    query_all,
    query_page,
    table_name,
    to_raw,
)
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

UNREAD_INDEX = "byParent"


def notification_key(user_id: str, notification_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"NOTE#{notification_id}"}


def _unread_keys(user_id: str, notification_id: str) -> dict[str, str]:
    pk_attribute, sk_attribute = INDEXES[UNREAD_INDEX]
    return {pk_attribute: f"UNREAD#{user_id}", sk_attribute: f"NOTE#{notification_id}"}


def put_notifications(user_ids: Iterable[str], notification: Mapping[str, Any], expires_at: int) -> int:
    """One unread notification per user, written 25 to a call; the same event rewrites the same items.

    Returns the BatchWriteItem calls made.
    """
    # `kind` is the item-type marker of every item; the release's kind is stored as contentKind.
    fields = {k: v for k, v in notification.items() if k != "kind"} | {"contentKind": notification["kind"]}
    common = to_raw({**fields, "kind": "NOTE", "read": False, TTL_ATTRIBUTE: expires_at})
    requests = [
        {
            "PutRequest": {
                "Item": {
                    **to_raw(
                        {
                            **notification_key(user_id, notification["id"]),
                            **_unread_keys(user_id, notification["id"]),
                            "userId": user_id,
                        }
                    ),
                    **common,
                }
            }
        }
        for user_id in user_ids
    ]
    return batch_write(requests)


def _notification(item: Mapping[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in item.items() if k != "contentKind"}
    return fields | {"kind": item.get("contentKind")}


def notifications_page(user_id: str, limit: int, next_token: str | None, unread_only: bool) -> Page:
    if unread_only:
        page = query_page(UNREAD_INDEX, f"UNREAD#{user_id}", limit=limit, next_token=next_token, newest_first=True)
    else:
        page = query_page(
            None, f"USER#{user_id}", limit=limit, next_token=next_token, newest_first=True, sort_prefix="NOTE#"
        )
    return Page([_notification(item) for item in page.items], page.next_token)


def count_unread(user_id: str) -> int:
    """A COUNT Query on the user's sparse unread partition (pages of 1 MB of keys)."""
    request = partition_request(UNREAD_INDEX, f"UNREAD#{user_id}", Select="COUNT")
    total = 0
    while True:
        response = client().query(**request)
        total += response["Count"]
        if "LastEvaluatedKey" not in response:
            return total
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def mark_notifications_read(user_id: str, notification_ids: Sequence[str] | None) -> int:
    """Mark the user's own notifications read (these ids, or all unread); returns how many changed.

    The keys are built from the caller's id, so another user's notification cannot be
    reached. Unread items are rewritten read and without their unread-index keys: one
    BatchGetItem (or the unread partition's pages) plus one BatchWriteItem per 25.
    """
    unread_pk = INDEXES[UNREAD_INDEX][0]
    if notification_ids is None:
        unread = list(query_all(partition_request(UNREAD_INDEX, f"UNREAD#{user_id}")))
    else:
        keys = [to_raw(notification_key(user_id, i)) for i in dict.fromkeys(notification_ids)]
        unread = []
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            pending: dict[str, Any] = {table_name(): {"Keys": keys[start : start + BATCH_GET_LIMIT]}}
            while pending:
                response = client().batch_get_item(RequestItems=pending)
                unread += [raw for raw in response["Responses"].get(table_name(), []) if unread_pk in raw]
                pending = response.get("UnprocessedKeys") or {}
    rewritten = [{"PutRequest": {"Item": {**_without_unread_keys(raw), "read": {"BOOL": True}}}} for raw in unread]
    batch_write(rewritten)
    return len(rewritten)


def _without_unread_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in INDEXES[UNREAD_INDEX]}


def song_releases(user_id: str, limit: int) -> list[dict[str, Any]]:
    """The newest song releases in the listener's inbox (one Query; album releases filtered out)."""
    page = query_page(
        None,
        f"USER#{user_id}",
        limit=limit,
        next_token=None,
        newest_first=True,
        sort_prefix="NOTE#",
        where=[Where("contentKind", "=", "SONG")],
    )
    return page.items
