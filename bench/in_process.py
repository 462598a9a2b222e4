"""Importing this sets the Lambda settings for code run against in-process moto.

Import it before `resolvers`, whose logger reads its level at import and whose clients
read the region and table once (isort keeps `bench` ahead of `emulator` and `resolvers`).
"""

from __future__ import annotations

import os

os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - moto's, guards nothing
    TABLE_NAME="music-bench",
    USER_POOL_ID="unused",
    USER_POOL_CLIENT_ID="unused",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="ERROR",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
