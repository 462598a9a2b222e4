"""The GraphQL feed field, a thin call into `resolvers.feed`; the feed is always the caller's own."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers import feed
from resolvers.routes.identity import signed_in_user

router = Router()


@router.resolver(type_name="Query", field_name="feed")
def my_feed(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    return feed.page(signed_in_user(router, "Sign in to read your feed"), limit, nextToken)
