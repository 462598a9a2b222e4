"""Every AWS client of the Lambda code, with timeouts and a bounded number of retries.

boto3's defaults wait 60 s to connect and 60 s per read, and retry on top: a call to a
service that hangs would hold a request past its function's timeout and then fail without
a word. Here one call gives up within `longest_call_seconds()`, shorter than any function's
timeout (tests/infra/test_timeouts.py), and the API handler turns that into an
`UnavailableError` the caller can act on (try again).

DynamoDB, Cognito, SQS and SNS answer in milliseconds, so 2 s per read leaves a wide
margin: under `make load` no call to the local emulation timed out.
The read timeout bounds each wait for data, not a whole download, so large S3 objects
still stream.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
MAX_ATTEMPTS = 3  # the first call and two retries, with backoff (botocore's "standard" mode)
# Standard mode waits up to 50 ms x 2^i before retry i of a timeout or a refused connection.
BACKOFF_SECONDS = 0.05 * sum(2**i for i in range(1, MAX_ATTEMPTS))


def client(service: str, **options: Any) -> Any:
    """A boto3 client for `service`; `options` are further botocore Config settings."""
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
        **options,
    )
    return boto3.client(service, config=config)


def longest_call_seconds() -> float:
    """How long one call may take against a service that accepts connections and never answers."""
    return MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + BACKOFF_SECONDS
