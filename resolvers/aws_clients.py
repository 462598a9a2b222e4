"""Every AWS client of the Lambda code, with timeouts and a bounded number of retries.

boto3's defaults wait 60 s to connect and 60 s per read, and retry on top: a call to a
service that hangs would hold a request past AppSync's 30 s resolver timeout and then
fail without a word. Here a dead service is noticed within seconds, and the API handler
turns it into an `UnavailableError` the caller can act on (try again).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 3  # the first call and two retries, with backoff (botocore's "standard" mode)


def client(service: str, **options: Any) -> Any:
    """A boto3 client for `service`; `options` are further botocore Config settings."""
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        **options,
    )
    return boto3.client(service, config=config)
