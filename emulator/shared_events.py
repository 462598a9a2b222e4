"""One execution of a subscription event per distinct outcome, shared by the subscribers who would get it.

AppSync evaluates every subscription for every event; the emulator did too, one graphql-core
execution per subscriber (~0.3 ms each), which made 100 subscribers cost ~30 ms per event.
What an event's execution can depend on here is the event, the subscription's document and
variables, and the subscriber as the field auth directives see them: auth mode and groups
(emulator/auth.py `allows`). So each event keeps the results already executed for it, keyed
by those, and a subscriber with the same key gets the same result without executing again.
Whether a subscriber gets the event at all (arguments, enhanced filters) is decided per
subscriber before this (emulator/subscriptions.py). A Lambda field would also see the
subscriber's whole identity: an execution that built a resolver event (`mark_identity_read`)
is not shared.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Hashable, Mapping
from typing import Any

from graphql import ExecutionResult, print_ast
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from emulator.auth import Caller

# The context flag a resolver sets when it hands the caller's identity to code that may use it.
IDENTITY_READ = "identityRead"


class Event(dict[str, Any]):
    """A mutation result as its subscribers receive it, with the results executed for it so far."""

    def __init__(self, result: Mapping[str, Any]) -> None:
        super().__init__(result)
        self.results: dict[Hashable, ExecutionResult] = {}


def mark_identity_read(context: dict[str, Any]) -> None:
    """This execution depends on the caller's identity: its result stays the caller's own."""
    context[IDENTITY_READ] = True


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, answering an event from the results of subscribers with the same share key."""

    share_key: Hashable | None = None
    keyed = False

    def build_per_event_executor(self, payload: Any) -> Any:
        if not self.keyed:  # once per subscription: its document, variables and caller are fixed
            self.share_key, self.keyed = _share_key(self), True
        if isinstance(payload, Event) and self.share_key is not None:
            shared = payload.results.get(self.share_key)
            if shared is not None:
                return _Executed(shared)  # not even a per-event copy of this executor (~20 µs) for a shared result
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        """Execute, and keep the result on the event for the subscribers with the same share key."""
        event, context = self.root_value, self.context_value
        if not isinstance(event, Event) or self.share_key is None or not isinstance(context, dict):
            return super().execute_operation(serially)
        context[IDENTITY_READ] = False
        result = super().execute_operation(serially)
        if self.is_awaitable(result):
            return self._remember(event, context, result)
        if not context[IDENTITY_READ]:
            event.results[self.share_key] = result
        return result

    async def _remember(self, event: Event, context: dict[str, Any], pending: Awaitable[Any]) -> Any:
        result = await pending
        if not context[IDENTITY_READ]:
            event.results[self.share_key] = result
        return result


class _Executed:
    """A per-event executor whose result is known: graphql-core only asks it to `execute_operation`
    (`execute_subscription_event`)."""

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self.result


def _share_key(executor: SharedEventExecution) -> Hashable | None:
    """What the execution of an event depends on besides the event; None when there is no caller to key on."""
    caller = executor.context_value.get("caller") if isinstance(executor.context_value, dict) else None
    if not isinstance(caller, Caller):
        return None
    document = (
        print_ast(executor.operation),
        *(print_ast(f) for _, f in sorted(executor.fragment_definitions.items())),
    )
    variables = json.dumps(executor.variable_values.coerced, sort_keys=True, default=repr)
    return document, variables, caller.mode, tuple(sorted(caller.groups))
