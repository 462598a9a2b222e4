"""Listener profiles: one item per account (`USER#sub` / `PROFILE`), written once at confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.data.table import profile_key, to_raw, written


def put_profile(profile: Mapping[str, Any]) -> bool:
    """Write a user's profile once; False when it was already there (a repeated trigger)."""
    item = {**profile_key(profile["id"]), "kind": "PROFILE", **profile}
    return written("put_item", Item=to_raw(item), ConditionExpression="attribute_not_exists(PK)")
