"""Settings read once from the environment at cold start, validated."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Settings:
    table_name: str
    user_pool_id: str
    user_pool_client_id: str


@cache
def settings() -> Settings:
    """The function's settings; a missing variable fails the cold start loudly."""
    missing = [name for name in ("TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID") if not os.environ.get(name)]
    if missing:
        raise RuntimeError(f"missing environment variables: {', '.join(missing)}")
    return Settings(
        table_name=os.environ["TABLE_NAME"],
        user_pool_id=os.environ["USER_POOL_ID"],
        user_pool_client_id=os.environ["USER_POOL_CLIENT_ID"],
    )
