"""Follows, new-release notifications (inbox and email) and the real-time new-content feed."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator

import strawberry
from strawberry import ID

from schema.catalog import Artist
from schema.directives import BACKEND, LISTENER
from schema.filtered_subscription import filtered_subscription_field
from schema.lambda_field import lambda_field
from schema.none_field import none_field, subscription_field
from schema.scalars import AWSDateTime, AWSEmail


@strawberry.enum(description="What was released.")
class ContentKind(enum.Enum):
    SONG = "SONG"
    ALBUM = "ALBUM"


@strawberry.input(description="Exactly one of `artistId` and `genre`.")
class FollowInput:
    artist_id: ID | None = strawberry.UNSET
    genre: str | None = strawberry.UNSET


@strawberry.type(description="An artist or a genre the caller follows.")
class Follow:
    artist_id: ID | None
    genre: str | None
    followed_at: AWSDateTime

    @lambda_field(batch=True)
    def artist(self) -> Artist | None:
        """The followed artist; null for a genre, or for an artist removed from the catalog."""


@strawberry.type
class FollowConnection:
    items: list[Follow]
    next_token: str | None


@strawberry.type(description="A release by an artist or in a genre the caller follows; `id` is the release event's id.")
class Notification:
    id: ID
    kind: ContentKind
    content_id: ID
    artist_id: ID
    album_id: ID | None
    title: str
    artist_name: str
    genre: str
    published_at: AWSDateTime
    read: bool


@strawberry.type
class NotificationConnection:
    items: list[Notification]
    next_token: str | None


@strawberry.type(
    description=(
        "Email about new releases. SNS filter policies hold at most 150 values: past 150 follows, "
        "email covers the 150 most recent ones (the inbox and the subscription cover all)."
    )
)
class EmailNotifications:
    enabled: bool
    email: AWSEmail | None
    follows_covered: int
    follows_not_covered: int


# Read by the backend that publishes it (IAM) and by the listeners subscribed to it.
@strawberry.type(
    directives=[*BACKEND, *LISTENER],
    description="A song or album that just became available; `id` is the song's or album's id.",
)
class NewContent:
    event_id: ID
    kind: ContentKind
    id: ID
    artist_id: ID
    album_id: ID | None
    title: str
    artist_name: str
    genre: str
    published_at: AWSDateTime
    audiences: list[str] = strawberry.field(
        description=(
            "Who the release is for, one entry per followable thing: `ARTIST#<artistId>` and "
            "`GENRE#<genre>`; `onMyNewContent` filters on it."
        )
    )


@strawberry.input(description="What the new-content fan-out publishes; the same fields as NewContent.")
class NewContentInput:
    event_id: ID
    kind: ContentKind
    id: ID
    artist_id: ID
    title: str
    artist_name: str
    genre: str
    published_at: AWSDateTime
    audiences: list[str]
    album_id: ID | None = strawberry.UNSET


@strawberry.type
class FollowQuery:
    @lambda_field(auth=LISTENER)
    def my_follows(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> FollowConnection:
        """The artists and genres the caller follows: artists first, then genres."""

    @lambda_field(auth=LISTENER)
    def notifications(
        self,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
        unread_only: bool | None = strawberry.UNSET,
    ) -> NotificationConnection:
        """The caller's inbox, newest first; notifications expire after 90 days."""

    @lambda_field(auth=LISTENER)
    def unread_notification_count(self) -> int:
        """How many of the caller's notifications are unread."""

    @lambda_field(auth=LISTENER)
    def email_notifications(self) -> EmailNotifications:
        """Whether the caller gets new releases by email, and how many follows email covers."""


@strawberry.type
class FollowMutation:
    @lambda_field(auth=LISTENER)
    def follow(self, input: FollowInput) -> Follow:
        """Follow an artist or a genre; following again changes nothing."""

    @lambda_field(auth=LISTENER)
    def unfollow(self, input: FollowInput) -> bool:
        """Stop following; false when the caller was not following it."""

    @lambda_field(auth=LISTENER)
    def mark_notifications_read(
        self, ids: list[ID] | None = strawberry.UNSET, all: bool | None = strawberry.UNSET
    ) -> int:
        """Mark the caller's notifications read (up to 100 `ids`, or `all: true`); returns how many changed."""

    @lambda_field(auth=LISTENER)
    def set_email_notifications(self, enabled: bool) -> EmailNotifications:
        """Get new releases of followed artists and genres by email (an SNS email subscription), or stop."""

    @none_field(auth=BACKEND)
    def publish_new_content(self, input: NewContentInput) -> NewContent:
        """Backend only (IAM): announce a release to the `onNewContent` subscribers."""


@strawberry.type
class FollowSubscription:
    @subscription_field(mutations=["publishNewContent"], auth=LISTENER)
    def on_new_content(
        self, artist_id: ID | None = strawberry.UNSET, genre: str | None = strawberry.UNSET
    ) -> AsyncGenerator[NewContent | None, None]:
        """New songs and albums as they become available; a given argument filters, a null one does not."""

    @filtered_subscription_field(mutations=["publishNewContent"], invalidated_by=["follow", "unfollow"], auth=LISTENER)
    def on_my_new_content(self) -> AsyncGenerator[NewContent | None, None]:
        """New songs and albums of every artist and genre the caller follows when subscribing (up to 200).
        `follow` and `unfollow` end the caller's subscription: subscribe again to follow the new list."""
