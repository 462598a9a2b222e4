"""Listener profiles: one item per account (`USER#sub` / `PROFILE`), written once at confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from resolvers.data.table import client, profile_key, table_name, to_raw


def put_profile(profile: Mapping[str, Any]) -> bool:
    """Write a user's profile once; False when it was already there (a repeated trigger)."""
    item = {**profile_key(profile["id"]), "kind": "PROFILE", **profile}
    try:
        client().put_item(TableName=table_name(), Item=to_raw(item), ConditionExpression="attribute_not_exists(PK)")
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
