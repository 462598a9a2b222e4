"""GraphQL fields of the play queue, each a thin call into `resolvers.play_queue`; the caller is
the token's subject, so a listener only ever reads, saves or hears of their own queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers import play_queue
from resolvers.routes.identity import signed_in_user
from resolvers.routes.selection import selects

router = Router()


def _caller() -> str:
    return signed_in_user(router, "Sign in to keep a play queue")


@router.resolver(type_name="Query", field_name="playQueue")
def get_play_queue() -> dict[str, Any] | None:
    queue = play_queue.get(_caller())
    return play_queue.with_songs(queue) if selects(router, "songs") else queue


@router.resolver(type_name="Mutation", field_name="savePlayQueue")
def save_play_queue(input: dict[str, Any]) -> dict[str, Any] | None:
    queue = play_queue.save(_caller(), input)
    return play_queue.with_songs(queue) if selects(router, "songs") else queue


@router.resolver(type_name="Subscription", field_name="onPlayQueueChanged")
def play_queue_changed_filter() -> dict[str, Any]:
    """The subscriber's enhanced filter; AppSync (infra/subscription_filter_resolver.js) applies it."""
    return play_queue.changed_filter(_caller())
