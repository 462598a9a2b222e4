"""A local Lambda runtime: invokes our handlers in-process the way Lambda would.

Like Lambda, a function handles one event at a time per instance (Powertools keeps the
current event on the router), an exception becomes an error with the exception's class
name as its type, and the result must survive JSON, so a payload bug shows up locally.
"""

from __future__ import annotations

import importlib
import json
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class LocalFunction:
    def __init__(self, name: str, handler: str) -> None:
        self.name = name
        self.handler_path = handler
        self._handler: Callable[[Any, Any], Any] | None = None
        self._lock = threading.Lock()

    def _load(self) -> Callable[[Any, Any], Any]:
        if self._handler is None:
            module, _, attribute = self.handler_path.rpartition(".")
            self._handler = getattr(importlib.import_module(module), attribute)
        return self._handler

    def invoke(self, event: Any) -> Any:
        """Run the handler on a JSON copy of the event; raise LambdaError as Lambda reports it."""
        payload = json.loads(json.dumps(event))
        with self._lock:
            try:
                result = self._load()(payload, LambdaContext(self.name))
            except Exception as error:
                traceback.print_exc()
                raise LambdaError(type(error).__name__, str(error)) from None
        try:
            return json.loads(json.dumps(result))
        except TypeError as error:
            raise LambdaError("Runtime.MarshalError", f"Unable to marshal response: {error}") from None


class Functions:
    """The functions of the stack by name and by ARN, as triggers and data sources name them."""

    def __init__(self) -> None:
        self._by_name: dict[str, LocalFunction] = {}

    def add(self, name: str, handler: str) -> LocalFunction:
        self._by_name[name] = LocalFunction(name, handler)
        return self._by_name[name]

    def get(self, name_or_arn: str) -> LocalFunction:
        return self._by_name[name_or_arn.rsplit(":", 1)[-1]]

    def arn(self, name: str) -> str:
        return LambdaContext(name).invoked_function_arn
