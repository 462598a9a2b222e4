"""Fan-out records of new-release events: idempotency keyed on the event id, with a lease.

The record keeps the steps done, so a redelivered event does nothing again and a retry
after a failure redoes only the steps that had not finished.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from resolvers.data.table import client, table_name, to_item, to_raw
from resolvers.errors import ConflictError
from resolvers.table_layout import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE


class EventBusy(ConflictError):
    """Another delivery of the same event holds its lease: this one is retried later."""


def event_key(event_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"EVENT#{event_id}", SORT_KEY: "EVENT"}


def claim_event(event_id: str, *, now: int, lease_until: int, expires_at: int) -> set[str] | None:
    """Take the event's lease; returns the steps already done, or None when the event is complete.

    One conditional UpdateItem: the first delivery creates the record, a later one (a retry
    after a failure) sees what the earlier ones finished, and a concurrent one is refused.
    """
    try:
        response = client().update_item(
            TableName=table_name(),
            Key=to_raw(event_key(event_id)),
            UpdateExpression="SET #lease = :until, #ttl = if_not_exists(#ttl, :ttl), #kind = :kind",
            ConditionExpression="attribute_not_exists(#done) AND (attribute_not_exists(#lease) OR #lease < :now)",
            ExpressionAttributeNames={
                "#lease": "leaseUntil",
                "#ttl": TTL_ATTRIBUTE,
                "#kind": "kind",
                "#done": "completedAt",
            },
            ExpressionAttributeValues=to_raw(
                {":until": lease_until, ":ttl": expires_at, ":kind": "EVENT", ":now": now}
            ),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        if "completedAt" in (error.response.get("Item") or {}):
            return None
        raise EventBusy(f"Event {event_id} is being processed by another delivery") from None
    return set(to_item(response["Attributes"]).get("steps", []))


def event_step_done(event_id: str, step: str, *, completed_at: str | None = None) -> None:
    """Record a finished step; the last one also marks the event complete and frees the lease."""
    expression = "ADD #steps :step"
    values: dict[str, Any] = {":step": {step}}
    names = {"#steps": "steps"}
    if completed_at:
        expression += " SET #done = :done REMOVE #lease"
        values[":done"] = completed_at
        names |= {"#done": "completedAt", "#lease": "leaseUntil"}
    client().update_item(
        TableName=table_name(),
        Key=to_raw(event_key(event_id)),
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_raw(values),
    )


def release_event(event_id: str) -> None:
    """Free the lease after a failed attempt, so the retry need not wait for it to lapse."""
    client().update_item(
        TableName=table_name(),
        Key=to_raw(event_key(event_id)),
        UpdateExpression="REMOVE #lease",
        ExpressionAttributeNames={"#lease": "leaseUntil"},
    )
