"""Stands in for the media pipeline, the only thing that turns a song READY.

On AWS a song becomes READY when its uploaded audio checks out (S3 -> SQS -> processor).
That pipeline is not on this branch, so tests mark songs READY directly in the table, the
way the processor does once an upload is accepted. When it lands, replace these two
functions with a real upload and nothing else in the tests needs to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3

from emulator.aws import TABLE_NAME
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import table


def mark_ready(song_id: str, duration_seconds: int | None = None) -> None:
    """Unit tests (in-process moto): through the store, as the processor writes it."""
    changes: dict[str, Any] = {"status": "READY"}
    if duration_seconds is not None:
        changes["durationSeconds"] = duration_seconds
    catalog_data.update("SONG", song_id, changes, now_iso())


def mark_ready_on_emulator(config: Mapping[str, Any], song_id: str, duration_seconds: int | None = None) -> None:
    """Integration tests: straight into the running emulator's table, through its AWS endpoint."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=config["awsEndpoint"],
        region_name=config.get("region", "us-east-1"),
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    key = table.song_key(song_id)
    dynamodb.update_item(
        TableName=TABLE_NAME,
        Key={name: {"S": value} for name, value in key.items()},
        UpdateExpression="SET #status = :ready, updatedAt = :now"
        + (", durationSeconds = :duration" if duration_seconds is not None else ""),
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":ready": {"S": "READY"}, ":now": {"S": now_iso()}}
        | ({":duration": {"N": str(duration_seconds)}} if duration_seconds is not None else {}),
    )
