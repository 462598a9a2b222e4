"""AppSync's enhanced filtering and invalidation, locally, for any field schema/ marks for it.

On AWS the subscription's APPSYNC_JS resolver (infra/subscription_filter_resolver.js)
invokes the API function, passes its result to `extensions.setSubscriptionFilter` and
sets an invalidation filter on the subscriber's user id; each mutation that invalidates
it (infra/invalidating_resolver.js) calls `extensions.invalidateSubscriptions` with the
caller's user id. This module does what those few lines of JS do, without a JS runtime:
- `subscribe`: invoke the function with the subscription's resolver event; a function
  error fails the subscription with its errorType; a filter AppSync would refuse fails it
  as a `ValidationError`; otherwise register the subscriber with both filters;
- `invalidating`: after the mutation resolves, end the caller's subscriptions to the fields.
It knows no field: emulator/appsync.py calls it for the fields schema/filtered_subscription.py lists.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from emulator import filters
from emulator.auth import Caller
from emulator.lambdas import Function
from emulator.subscriptions import Stream, Subscriptions
from schema.filtered_subscription import OWNER_FIELD


class SubscriptionFilterRejected(Exception):
    """The resolver set a filter past AppSync's rules (emulator/filters.py); errorType `ValidationError`."""


def owner_filter(caller: Caller) -> dict[str, Any] | None:
    """The invalidation filter the subscription resolver sets: `userId eq <the subscriber's sub>`."""
    owner = (caller.identity() or {}).get("sub")
    if owner is None:
        return None
    return {"filterGroup": [{"filters": [{"fieldName": OWNER_FIELD, "operator": "eq", "value": owner}]}]}


async def subscribe(
    subscriptions: Subscriptions,
    api: Function,
    field_name: str,
    mutations: list[str],
    *,
    event: dict[str, Any],
    caller: Caller,
    subscribed: asyncio.Event | None,
) -> Stream:
    """Run the subscription's resolver, then subscribe with the filter it returned."""
    result = await asyncio.to_thread(api.invoke, event)
    try:
        spec = filters.check(result)
    except filters.FilterError as error:
        raise SubscriptionFilterRejected(f"{field_name}: {error}") from None
    stream = subscriptions.register(
        field_name, mutations, {}, caller.describe(), enhanced=spec, invalidation=owner_filter(caller)
    )
    if subscribed is not None:
        subscribed.set()  # the protocol may acknowledge the subscription now (AppSync's start_ack)
    return stream


def invalidating(subscriptions: Subscriptions, fields: list[str], resolve: Callable[..., Any]) -> Callable[..., Any]:
    """A mutation resolver that, once it succeeds, invalidates the caller's subscriptions to `fields`."""

    def invalidate(info: Any) -> None:
        caller: Caller = info.context["caller"]
        payload: Mapping[str, Any] = {OWNER_FIELD: (caller.identity() or {}).get("sub")}
        for field_name in fields:
            subscriptions.invalidate(field_name, payload)

    def resolver(source: Any, info: Any, **arguments: Any) -> Any:
        result = resolve(source, info, **arguments)
        if not inspect.isawaitable(result):
            invalidate(info)
            return result

        async def resolved() -> Any:
            value = await result
            invalidate(info)
            return value

        return resolved()

    return resolver
