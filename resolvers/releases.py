"""New releases: `announce` queues one event per release, `fan_out` tells the followers.

The media pipeline calls `announce(kind, item)` when a song or album becomes READY. The
new-content function (`resolvers/handlers/new_content.py`) runs `fan_out` for each queued
event: inbox notifications for every follower of the artist or the genre (BatchWriteItem,
25 a call), one SNS publish for email, one `publishNewContent` call for the real-time
subscriptions.

Idempotency is keyed on the event id that `announce` gives each event (never on its
content: two real releases with the same title are two events). The event's record keeps
the steps done: a redelivered event does nothing again, and a retry after a failure
redoes only the steps that had not finished.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Mapping
from functools import cache
from typing import Any

from resolvers import aws_clients, mailing, realtime
from resolvers.clock import now_iso
from resolvers.data import follows as follows_data
from resolvers.data import inbox as inbox_data
from resolvers.data import releases as releases_data
from resolvers.data import table
from resolvers.errors import ValidationError
from resolvers.genres import genre
from resolvers.observability import logger
from resolvers.settings import settings
from resolvers.validation import TITLE_MAX, identifier, text

KINDS = ("SONG", "ALBUM")
NOTIFICATION_DAYS = 90
# SQS keeps a message at most 14 days: any redelivery still finds the event's record.
EVENT_RECORD_DAYS = 14
DAY = 24 * 3600
STEPS = ("inbox", "email", "realtime")


@cache
def _sqs() -> Any:
    return aws_clients.client("sqs")


def new_event_id() -> str:
    """A UUIDv7: unique, and ordered by time, so an inbox keyed on it reads newest first."""
    millis = time.time_ns() // 1_000_000
    random = secrets.randbits(74)
    value = (millis << 80) | (0x7 << 76) | ((random >> 62) << 64) | (0b10 << 62) | (random & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def announce(kind: str, item: dict) -> None:
    """Queue a new-content event for a song or album that just became available (READY)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    event = {
        "eventId": new_event_id(),
        "kind": kind,
        "id": item["id"],
        "title": item["title"],
        "artistId": item["artistId"],
        "albumId": item.get("albumId") if kind == "SONG" else None,
        "genre": item["genre"],
        "publishedAt": now_iso(),
    }
    _sqs().send_message(QueueUrl=settings().queue_url, MessageBody=json.dumps(event))
    logger.info("new content announced", extra={"eventId": event["eventId"], "kind": kind, "contentId": item["id"]})


def parse_event(event: Any) -> dict[str, Any]:
    """The queued event, checked; a malformed one is a poison message (retried, then dead-lettered)."""
    if not isinstance(event, dict):
        raise ValidationError("event: not a JSON object")
    if event.get("kind") not in KINDS:
        raise ValidationError(f"kind: one of {KINDS}")
    return {
        "eventId": identifier(event.get("eventId"), "eventId"),
        "kind": event["kind"],
        "id": identifier(event.get("id"), "id"),
        "title": text(event.get("title"), "title", max_length=TITLE_MAX),
        "artistId": identifier(event.get("artistId"), "artistId"),
        "albumId": identifier(event["albumId"], "albumId") if event.get("albumId") else None,
        "genre": genre(event.get("genre")),
        "publishedAt": text(event.get("publishedAt"), "publishedAt", max_length=40),
    }


def fan_out(event: Any, remaining_ms: int) -> None:
    """Tell every follower about one release, exactly once per step whatever the deliveries."""
    release = parse_event(event)
    event_id = release["eventId"]
    now = int(time.time())
    done = releases_data.claim_event(
        event_id, now=now, lease_until=now + remaining_ms // 1000 + 1, expires_at=now + EVENT_RECORD_DAYS * DAY
    )
    if done is None:
        logger.info("event already fanned out: nothing to do", extra={"eventId": event_id})
        return
    try:
        _run_steps(release, done)
    except Exception:
        releases_data.release_event(event_id)  # the retry need not wait for the lease to lapse
        raise


def _run_steps(release: Mapping[str, Any], done: set[str]) -> None:
    event_id = release["eventId"]
    artist = table.get("ARTIST", release["artistId"])
    if artist is None:
        logger.warning("the released item's artist is gone: nothing to announce", extra={"eventId": event_id})
        releases_data.event_step_done(event_id, "skipped", completed_at=now_iso())
        return
    content = {
        **release,
        "artistName": artist["name"],
        "audiences": [
            follows_data.audience("ARTIST", release["artistId"]),
            follows_data.audience("GENRE", release["genre"]),
        ],
    }
    if "inbox" not in done:
        followers = set(follows_data.follower_ids("ARTIST", release["artistId"]))
        followers.update(follows_data.follower_ids("GENRE", release["genre"]))
        notification = {"id": event_id, "contentId": release["id"]} | {
            k: content[k] for k in ("kind", "artistId", "albumId", "title", "artistName", "genre", "publishedAt")
        }
        inbox_data.put_notifications(sorted(followers), notification, int(time.time()) + NOTIFICATION_DAYS * DAY)
        releases_data.event_step_done(event_id, "inbox")
        logger.info("inbox notifications written", extra={"eventId": event_id, "followers": len(followers)})
    if "email" not in done:
        mailing.publish(content)
        releases_data.event_step_done(event_id, "email")
    if "realtime" not in done:
        realtime.publish_new_content(content)
    releases_data.event_step_done(event_id, "realtime", completed_at=now_iso())
