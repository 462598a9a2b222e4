"""Stand-in for the media pipeline (issue 3) until it is merged: make a song READY, announce it.

The media processor marks a song READY in the table and then calls
`resolvers.releases.announce("SONG", song)`. These helpers do exactly that, in the test
process, against the running emulator's AWS endpoint (GET /config "awsEndpoint"). Once
the pipeline is merged, a real audio upload replaces `release_song` and nothing else
changes: the fan-out, the inbox, email and subscriptions are exercised unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from emulator import aws
from resolvers import releases
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import table
from resolvers.settings import settings

_CACHED = (settings, table.client, releases._sqs)


@contextmanager
def _as_the_media_processor(aws_endpoint: str) -> Iterator[str]:
    """Lambda settings pointing at the emulated account, for the duration of one call; yields the queue URL."""
    queue_url = _client("sqs", aws_endpoint).get_queue_url(QueueName=aws.NEW_CONTENT_QUEUE)["QueueUrl"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", aws_endpoint)
        patch.setenv("AWS_DEFAULT_REGION", aws.REGION)
        patch.setenv("AWS_ACCESS_KEY_ID", aws.LOCAL_ACCESS_KEY)
        patch.setenv("AWS_SECRET_ACCESS_KEY", aws.LOCAL_SECRET_KEY)
        patch.setenv("TABLE_NAME", aws.TABLE_NAME)
        patch.setenv("NEW_CONTENT_QUEUE_URL", queue_url)
        for cached in _CACHED:
            cached.cache_clear()
        try:
            yield queue_url
        finally:
            for cached in _CACHED:
                cached.cache_clear()


def _client(service: str, aws_endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=aws_endpoint,
        region_name=aws.REGION,
        aws_access_key_id=aws.LOCAL_ACCESS_KEY,
        aws_secret_access_key=aws.LOCAL_SECRET_KEY,
    )


def release_song(aws_endpoint: str, song_id: str) -> str:
    """Mark the song READY and announce it, as the media processor does; returns the queued message body."""
    sent: list[str] = []
    with _as_the_media_processor(aws_endpoint):
        song = catalog_data.update("SONG", song_id, {"status": "READY"}, now_iso())
        hook = releases._sqs().meta.events
        hook.register("provide-client-params.sqs.SendMessage", lambda params, **_: sent.append(params["MessageBody"]))
        releases.announce("SONG", song)
    return sent[0]


def redeliver(aws_endpoint: str, body: str) -> None:
    """Queue the very same message again, as SQS may deliver it (at least once)."""
    with _as_the_media_processor(aws_endpoint) as queue_url:
        _client("sqs", aws_endpoint).send_message(QueueUrl=queue_url, MessageBody=body)


def wait_until_drained(aws_endpoint: str, queue_name: str, timeout: float = 10, poll: float = 0.05) -> None:
    """Until a consumer has taken every message off this queue (SQS deletes each after its invocation)."""
    sqs = _client("sqs", aws_endpoint)
    queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        if (
            int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
            == 0
        ):
            return
        time.sleep(poll)
    raise AssertionError(f"the queue {queue_name} was not drained in time")


def wait_until_consumed(aws_endpoint: str, timeout: float = 10) -> None:
    """Until the fan-out has taken every message off the new-content queue."""
    wait_until_drained(aws_endpoint, aws.NEW_CONTENT_QUEUE, timeout)
