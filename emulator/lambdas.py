"""A local Lambda runtime: what every local function shares, and the in-process function.

Like Lambda, a function handles one event at a time per instance (Powertools keeps the
current event on the router), an exception becomes an error with the exception's class
name as its type, and the result must survive JSON, so a payload bug shows up locally.

`make run` and the integration tests run each function as a pool of worker processes
(emulator/instances.py): several instances at once, each with its own module state, as
Lambda does. `LocalFunction` here runs one instance in the emulator's own process, with the
emulator's modules: unit tests use it to patch handlers and run against in-process moto.

A handler that runs past its function's timeout (the stack's, counted from when it starts,
not while it waits for the instance) fails with Lambda's `Sandbox.Timedout`. Lambda would
stop it; Python cannot stop a thread, so the emulator abandons it to finish on its own and
serves later invocations on a fresh instance, as Lambda would after a timeout.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class LambdaError(Exception):
    """A function error as Lambda reports it: errorType and errorMessage."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that our handlers and Powertools read."""

    function_name: str
    timeout_seconds: float = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


class Function(Protocol):
    """A local function as triggers and the API see it: invoke with an event, get the result or a LambdaError."""

    name: str
    timeout_seconds: float

    def invoke(self, event: Any) -> Any: ...

    def warm(self) -> None: ...

    def stop(self) -> None: ...


# How the registry makes a function: (name, handler path, timeout in seconds) -> Function.
FunctionFactory = Callable[[str, str, float], Function]


@dataclass
class _Invocation:
    """One call of a function, shared between the caller and the thread that runs it."""

    payload: Any
    started: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    abandoned: bool = False
    result: Any = None
    error: LambdaError | None = None


class LocalFunction:
    def __init__(self, name: str, handler: str, timeout_seconds: float = 10) -> None:
        self.name = name
        self.handler_path = handler
        self.timeout_seconds = timeout_seconds
        self._handler: Callable[[Any, Any], Any] | None = None
        self._instance = threading.Lock()  # held while an invocation runs; replaced when one times out

    def warm(self) -> None:
        """Import the handler now rather than on the first event."""
        self._load()

    def stop(self) -> None:
        """Nothing to stop: its invocations run on daemon threads of the emulator's process."""

    def _load(self) -> Callable[[Any, Any], Any]:
        if self._handler is None:
            module, _, attribute = self.handler_path.rpartition(".")
            self._handler = getattr(importlib.import_module(module), attribute)
        return self._handler

    def invoke(self, event: Any) -> Any:
        """Run the handler on a JSON copy of the event; raise LambdaError as Lambda reports it."""
        invocation = _Invocation(json.loads(json.dumps(event)))
        threading.Thread(target=self._run, args=(invocation,), name=f"lambda:{self.name}", daemon=True).start()
        invocation.started.wait()
        if not invocation.done.wait(self.timeout_seconds):
            invocation.abandoned = True
            self._instance = threading.Lock()
            message = f"Task timed out after {self.timeout_seconds:.2f} seconds"
            print(f"[lambda] {self.name}: {message}; its thread is abandoned", flush=True)  # CloudWatch's line
            raise LambdaError("Sandbox.Timedout", message)
        if invocation.error:
            raise invocation.error
        try:
            return json.loads(json.dumps(invocation.result))
        except TypeError as error:
            raise LambdaError("Runtime.MarshalError", f"Unable to marshal response: {error}") from None

    def _run(self, invocation: _Invocation) -> None:
        instance = self._claim_instance()
        try:
            invocation.started.set()
            invocation.result = self._load()(invocation.payload, LambdaContext(self.name, self.timeout_seconds))
        except Exception as error:
            if not invocation.abandoned:
                traceback.print_exc()
            invocation.error = LambdaError(type(error).__name__, str(error))
        finally:
            invocation.done.set()
            instance.release()

    def _claim_instance(self) -> threading.Lock:
        """The function's instance, once free; waiting callers move on to a fresh one after a timeout."""
        while True:
            instance = self._instance
            if instance.acquire(timeout=0.05):
                if instance is self._instance:
                    return instance
                instance.release()  # a timed-out instance, freed late: its replacement serves us


class Functions:
    """The functions of the stack by name and by ARN, as triggers and data sources name them.

    `make` says how a function runs: in-process (`LocalFunction`, the default) or as a pool
    of instances in worker processes (emulator/instances.py, what `python -m emulator` uses).
    """

    def __init__(self, make: FunctionFactory = LocalFunction) -> None:
        self._make = make
        self._by_name: dict[str, Function] = {}

    def add(self, name: str, handler: str, timeout_seconds: float = 10) -> Function:
        self._by_name[name] = self._make(name, handler, timeout_seconds)
        return self._by_name[name]

    def get(self, name_or_arn: str) -> Function:
        return self._by_name[name_or_arn.rsplit(":", 1)[-1]]

    def stop(self) -> None:
        """Stop every function's instances (worker processes), as the emulator exits."""
        for function in self._by_name.values():
            function.stop()

    def arn(self, name: str) -> str:
        return LambdaContext(name).invoked_function_arn
