"""AppSync's `@aws_subscribe`, locally: a mutation's result goes to the subscriptions naming it.

Nothing here knows a particular subscription. `emulator.appsync.bind` reads each
subscription field's `@aws_subscribe(mutations: [...])` and wires:
- the subscription field: registers a subscriber with its non-null arguments (AppSync's
  filter: a null argument does not filter) and streams what it receives;
- each listed mutation: after it resolves, its result, cut down to the fields the
  mutation selected (AppSync sends subscribers the mutation's selection set), goes to
  every subscriber whose arguments equal the result's fields of the same name.
Each subscriber then gets that result through its own selection set, and the field
auth directives are checked against the subscriber, as AppSync does.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_ids = itertools.count(1)


@dataclass(eq=False)
class Subscriber:
    field: str
    mutations: frozenset[str]
    filters: dict[str, Any]
    who: str
    id: int = field(default_factory=lambda: next(_ids))
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)

    def wants(self, mutation: str, result: Mapping[str, Any]) -> bool:
        return mutation in self.mutations and all(result.get(k) == v for k, v in self.filters.items())


class Stream:
    """The source stream of one subscription; closing it unregisters the subscriber."""

    def __init__(self, hub: Subscriptions, subscriber: Subscriber) -> None:
        self.hub = hub
        self.subscriber = subscriber

    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self.subscriber.queue.get()
        except BaseException:
            self.hub.unregister(self.subscriber)
            raise

    async def aclose(self) -> None:
        self.hub.unregister(self.subscriber)


class Subscriptions:
    """The subscribers of one API, in this process's memory (AppSync keeps them in its fleet)."""

    def __init__(self) -> None:
        self._subscribers: dict[int, Subscriber] = {}

    def register(self, field_name: str, mutations: list[str], arguments: Mapping[str, Any], who: str) -> Stream:
        """Subscribe now (before the first event is awaited), filtering on the non-null arguments."""
        filters = {k: v for k, v in arguments.items() if v is not None}
        subscriber = Subscriber(field_name, frozenset(mutations), filters, who)
        self._subscribers[subscriber.id] = subscriber
        return Stream(self, subscriber)

    def unregister(self, subscriber: Subscriber) -> None:
        self._subscribers.pop(subscriber.id, None)

    def publish(self, mutation: str, result: Any) -> int:
        """Hand a mutation's result to every matching subscriber; returns how many."""
        if not isinstance(result, Mapping):
            return 0
        matched = [s for s in list(self._subscribers.values()) if s.wants(mutation, result)]
        for subscriber in matched:
            subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, dict(result))
        return len(matched)

    def active(self) -> list[dict[str, Any]]:
        """What is subscribed right now (served at GET /subscriptions for developers and tests)."""
        return [
            {"field": s.field, "arguments": s.filters, "subscriber": s.who} for s in list(self._subscribers.values())
        ]
