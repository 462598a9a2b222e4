"""AppSync's `@aws_subscribe`, locally: a mutation's result goes to the subscriptions naming it.

Nothing here knows a particular subscription. `emulator.appsync.bind` reads each
subscription field's `@aws_subscribe(mutations: [...])` and wires:
- the subscription field: registers a subscriber with its non-null arguments (AppSync's
  filter: a null argument does not filter) and streams what it receives;
- each listed mutation: after it resolves, its result, cut down to the fields the
  mutation selected (AppSync sends subscribers the mutation's selection set), goes to
  every subscriber whose arguments equal the result's fields of the same name.
Each subscriber then gets that result through its own selection set, and the field
auth directives are checked against the subscriber, as AppSync does (subscribers whose
execution cannot differ share one: emulator/shared_events.py). A subscriber may
also hold an enhanced filter and an invalidation filter (emulator/enhanced.py sets them,
emulator/filters.py evaluates them); `invalidate` ends the subscriptions it matches.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator import filters as enhanced_filters
from emulator.shared_events import Event

_ids = itertools.count(1)
_END = object()  # queued by `invalidate`: the stream ends, and the client gets `complete`


@dataclass(eq=False)
class Subscriber:
    field: str
    mutations: frozenset[str]
    filters: dict[str, Any]
    who: str
    filter: Mapping[str, Any] | None = None
    invalidation: Mapping[str, Any] | None = None
    id: int = field(default_factory=lambda: next(_ids))
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.get_running_loop)

    def deliver(self, item: Any) -> None:
        """Queue an item from any thread; on the subscriber's own loop at once, without a wake-up call per item."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.queue.put_nowait(item)
        else:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def wants(self, mutation: str, result: Mapping[str, Any]) -> bool:
        return (
            mutation in self.mutations
            and all(result.get(k) == v for k, v in self.filters.items())
            and (self.filter is None or enhanced_filters.matches(self.filter, result))
        )

    def invalidated_by(self, field_name: str, payload: Mapping[str, Any]) -> bool:
        return (
            self.field == field_name
            and self.invalidation is not None
            and enhanced_filters.matches(self.invalidation, payload)
        )


class Stream:
    """The source stream of one subscription; closing it unregisters the subscriber."""

    def __init__(self, hub: Subscriptions, subscriber: Subscriber) -> None:
        self.hub = hub
        self.subscriber = subscriber

    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> Any:
        try:
            event = await self.subscriber.queue.get()
        except BaseException:
            self.hub.unregister(self.subscriber)
            raise
        if event is _END:
            raise StopAsyncIteration
        return event

    async def aclose(self) -> None:
        self.hub.unregister(self.subscriber)


class Subscriptions:
    """The subscribers of one API, in this process's memory (AppSync keeps them in its fleet)."""

    def __init__(self) -> None:
        self._subscribers: dict[int, Subscriber] = {}

    def register(
        self,
        field_name: str,
        mutations: list[str],
        arguments: Mapping[str, Any],
        who: str,
        *,
        enhanced: Mapping[str, Any] | None = None,
        invalidation: Mapping[str, Any] | None = None,
    ) -> Stream:
        """Subscribe now (before the first event is awaited), filtering on the non-null arguments
        and on the enhanced filter (checked already) when the subscription's resolver set one."""
        filters = {k: v for k, v in arguments.items() if v is not None}
        subscriber = Subscriber(field_name, frozenset(mutations), filters, who, enhanced, invalidation)
        self._subscribers[subscriber.id] = subscriber
        return Stream(self, subscriber)

    def unregister(self, subscriber: Subscriber) -> None:
        self._subscribers.pop(subscriber.id, None)

    def publish(self, mutation: str, result: Any) -> int:
        """Hand a mutation's result to every matching subscriber; returns how many."""
        if not isinstance(result, Mapping):
            return 0
        matched = [s for s in list(self._subscribers.values()) if s.wants(mutation, result)]
        event = Event(result)  # one for all: subscribers with the same document and auth share its execution
        for subscriber in matched:
            subscriber.deliver(event)
        return len(matched)

    def invalidate(self, field_name: str, payload: Mapping[str, Any]) -> int:
        """End the subscriptions to a field whose invalidation filter matches the payload; returns how many."""
        ended = [s for s in list(self._subscribers.values()) if s.invalidated_by(field_name, payload)]
        for subscriber in ended:
            self.unregister(subscriber)
            subscriber.deliver(_END)
        return len(ended)

    def active(self) -> list[dict[str, Any]]:
        """What is subscribed right now (served at GET /subscriptions for developers and tests)."""
        return [
            {"field": s.field, "arguments": s.filters, "filter": s.filter, "subscriber": s.who}
            for s in list(self._subscribers.values())
        ]
