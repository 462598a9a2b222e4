"""GraphQL fields of follows and the inbox, each a thin call into the domain modules.

Every field acts for the signed-in caller only: the user id comes from the verified
identity AppSync passes, never from an argument.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import follows, mailing, notifications
from resolvers.routes.identity import signed_in_user

router = Router()


def _caller() -> str:
    return signed_in_user(router, "Sign in to follow artists and read notifications")


@router.resolver(type_name="Query", field_name="myFollows")
def my_follows(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    return follows.my_follows(_caller(), limit, nextToken)


@router.resolver(type_name="Query", field_name="notifications")
def list_notifications(
    limit: int | None = None, nextToken: str | None = None, unreadOnly: bool | None = None
) -> dict[str, Any]:
    return notifications.list_for(_caller(), limit, nextToken, unreadOnly)


@router.resolver(type_name="Query", field_name="unreadNotificationCount")
def unread_notification_count() -> int:
    return notifications.unread_count(_caller())


@router.resolver(type_name="Query", field_name="emailNotifications")
def email_notifications() -> dict[str, Any]:
    return mailing.email_settings(_caller())


@router.resolver(type_name="Mutation", field_name="follow")
def follow(input: dict[str, Any]) -> dict[str, Any]:
    return follows.follow(_caller(), input)


@router.resolver(type_name="Mutation", field_name="unfollow")
def unfollow(input: dict[str, Any]) -> bool:
    return follows.unfollow(_caller(), input)


@router.resolver(type_name="Mutation", field_name="markNotificationsRead")
def mark_notifications_read(ids: list[str] | None = None, all: bool | None = None) -> int:
    return notifications.mark_read(_caller(), ids, all)


@router.resolver(type_name="Mutation", field_name="setEmailNotifications")
def set_email_notifications(enabled: bool) -> dict[str, Any]:
    return mailing.set_enabled(_caller(), enabled)


@router.resolver(type_name="Subscription", field_name="onMyNewContent")
def my_new_content_filter() -> dict[str, Any]:
    """The subscriber's enhanced filter; AppSync (infra/subscription_filter_resolver.js) applies it."""
    return follows.new_content_filter(_caller())


@router.batch_resolver(type_name="Follow", field_name="artist", raise_on_error=True)
def follow_artists(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    return follows.artists_of([e.source for e in event])
