"""Play queues: one item per listener (`USER#sub` / `PLAYQUEUE`), replaced whole by each save.

A save is one PutItem conditional on the version it replaces (or on there being no queue,
for the first save), so of two devices saving over the same version exactly one wins; the
other gets back, from the same call, the queue it clashed with. 500 ids of 36 characters
make an item of about 20 KB, far below DynamoDB's 400 KB.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.data.table import client, table_name, to_item, to_raw, write_or_blocker
from resolvers.table_layout import PARTITION_KEY, SORT_KEY


def queue_key(user_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: "PLAYQUEUE"}


def get_queue(user_id: str) -> dict[str, Any] | None:
    """The listener's queue, strongly consistent: a device resuming right after a save sees it."""
    response = client().get_item(TableName=table_name(), Key=to_raw(queue_key(user_id)), ConsistentRead=True)
    raw = response.get("Item")
    return to_item(raw) if raw else None


def put_queue(queue: Mapping[str, Any], expected_version: int | None) -> dict[str, Any] | None:
    """Store the queue if it replaces `expected_version` (None: if there is no queue yet).

    None when stored; otherwise the stored queue that refused it ({} when there is none).
    """
    item = {**queue_key(queue["ownerId"]), "kind": "PLAYQUEUE", **queue}
    if expected_version is None:
        return write_or_blocker("put_item", Item=to_raw(item), ConditionExpression="attribute_not_exists(PK)")
    return write_or_blocker(
        "put_item",
        Item=to_raw(item),
        ConditionExpression="#version = :expected",
        ExpressionAttributeNames={"#version": "version"},
        ExpressionAttributeValues=to_raw({":expected": expected_version}),
    )
