"""Cleanup after deletes: a deleted song's, album's or artist's files and derived items go
asynchronously, off the request path (the cleanup queue → `handlers/cleanup.py`).

It sits below the catalog (which schedules) and media and ratings (which remove), so the
catalog need not import the media pipeline to delete an item.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from resolvers import aws_clients
from resolvers.settings import settings


@cache
def _sqs() -> Any:
    return aws_clients.client("sqs")


def schedule_cleanup(kind: str, item_id: str) -> None:
    """After a song, album or artist is deleted, its files go asynchronously (the cleanup queue)."""
    _sqs().send_message(QueueUrl=settings().cleanup_queue, MessageBody=json.dumps({"kind": kind, "id": item_id}))
