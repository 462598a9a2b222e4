"""Settings read once from the environment at cold start, validated."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

DEFAULT_OFFLINE_LIMIT = 1000  # songs per listener kept for offline playback
DEFAULT_TRANSCRIBE_LANGUAGE = "en-US"  # the language of automatic transcriptions (AUTO_TRANSCRIBE_LYRICS)


def _required(value: str | None, variable: str) -> str:
    """A setting only some functions have: using it where it is missing is a deployment bug."""
    if not value:
        raise RuntimeError(f"{variable} is not set for this function")
    return value


@dataclass(frozen=True)
class Settings:
    table_name: str
    # Each function gets only the variables it uses: the post-confirmation trigger cannot be
    # told its own pool's ids (the pool depends on it), the fan-out signs nobody in, and so on.
    # So these are optional here and checked where they are used.
    user_pool_id: str | None
    user_pool_client_id: str | None
    media_bucket: str | None
    cleanup_queue_url: str | None
    offline_limit: int
    new_content_queue_url: str | None
    new_content_topic_arn: str | None
    appsync_url: str | None
    feed_queue_url: str | None
    # Transcribe every first upload without lyrics (billed per minute of audio: off by default).
    auto_transcribe: bool = False
    transcribe_language: str = DEFAULT_TRANSCRIBE_LANGUAGE
    plays_queue_url: str | None = None
    share_base_url: str | None = None

    @property
    def cleanup_queue(self) -> str:
        return _required(self.cleanup_queue_url, "CLEANUP_QUEUE_URL")

    @property
    def bucket(self) -> str:
        return _required(self.media_bucket, "MEDIA_BUCKET")

    @property
    def client_id(self) -> str:
        return _required(self.user_pool_client_id, "USER_POOL_CLIENT_ID")

    @property
    def queue_url(self) -> str:
        """Where `releases.announce` sends new-content events."""
        return _required(self.new_content_queue_url, "NEW_CONTENT_QUEUE_URL")

    @property
    def topic_arn(self) -> str:
        """The SNS topic email subscribers filter by artist and genre."""
        return _required(self.new_content_topic_arn, "NEW_CONTENT_TOPIC_ARN")

    @property
    def feed_queue(self) -> str:
        """Where ratings and follows queue a recomputation of the listener's feed."""
        return _required(self.feed_queue_url, "FEED_QUEUE_URL")

    @property
    def plays_queue(self) -> str:
        """Where `recordPlay` queues counted plays for the play consumer to add up."""
        return _required(self.plays_queue_url, "PLAYS_QUEUE_URL")

    @property
    def share_base(self) -> str:
        """Where share links point (the web client's origin): `<base>/s/<token>`."""
        return _required(self.share_base_url, "SHARE_BASE_URL").rstrip("/")

    @property
    def graphql_url(self) -> str:
        """The AppSync GraphQL endpoint the fan-out calls `publishNewContent` on (IAM)."""
        return _required(self.appsync_url, "APPSYNC_URL")


@cache
def settings() -> Settings:
    """The function's settings; a missing table name fails the cold start loudly."""
    if not os.environ.get("TABLE_NAME"):
        raise RuntimeError("missing environment variable TABLE_NAME")
    return Settings(
        table_name=os.environ["TABLE_NAME"],
        user_pool_id=os.environ.get("USER_POOL_ID") or None,
        user_pool_client_id=os.environ.get("USER_POOL_CLIENT_ID") or None,
        media_bucket=os.environ.get("MEDIA_BUCKET") or None,
        cleanup_queue_url=os.environ.get("CLEANUP_QUEUE_URL") or None,
        offline_limit=int(os.environ.get("OFFLINE_LIMIT", str(DEFAULT_OFFLINE_LIMIT))),
        new_content_queue_url=os.environ.get("NEW_CONTENT_QUEUE_URL") or None,
        new_content_topic_arn=os.environ.get("NEW_CONTENT_TOPIC_ARN") or None,
        appsync_url=os.environ.get("APPSYNC_URL") or None,
        feed_queue_url=os.environ.get("FEED_QUEUE_URL") or None,
        auto_transcribe=os.environ.get("AUTO_TRANSCRIBE_LYRICS", "false").lower() == "true",
        transcribe_language=os.environ.get("TRANSCRIBE_LANGUAGE") or DEFAULT_TRANSCRIBE_LANGUAGE,
        plays_queue_url=os.environ.get("PLAYS_QUEUE_URL") or None,
        share_base_url=os.environ.get("SHARE_BASE_URL") or None,
    )
