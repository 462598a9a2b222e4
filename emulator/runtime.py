"""One local Lambda instance: a worker process that imports one handler and runs its events.

`python -m emulator.runtime <handler path> <function name> <timeout> <fd>`, started by
emulator/instances.py. Like Lambda's runtime interface client it imports the handler once
(the init phase), then loops: receive an event, call the handler, send back the result or
the error. Module globals (clients, Powertools' router with its current event) belong to
this instance alone. Messages are JSON over the inherited socket `fd`; the handler's own
output (logs, tracebacks) goes to the emulator's console, as Lambda's goes to CloudWatch.

This module imports nothing heavy of its own, so an instance's cold start is its handler's.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from emulator.lambdas import LambdaContext


def error_reply(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def load(handler_path: str) -> Callable[[Any, Any], Any]:
    module, _, attribute = handler_path.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def run(handler: Callable[[Any, Any], Any], request: dict[str, Any], name: str, timeout: float) -> bytes:
    """One invocation: the result as JSON, or Lambda's error shape."""
    context = LambdaContext(name, timeout, aws_request_id=request["requestId"])
    try:
        result = handler(request["event"], context)
    except Exception as error:
        traceback.print_exc()
        return error_reply(type(error).__name__, str(error))
    try:
        return json.dumps({"result": result}).encode()
    except (TypeError, ValueError) as error:
        return error_reply("Runtime.MarshalError", f"Unable to marshal response: {error}")


def main(argv: list[str]) -> int:
    handler_path, name, timeout, fd = argv
    connection = Connection(int(fd))
    try:
        handler = load(handler_path)
    except Exception as error:  # Lambda reports a broken init to the caller, then retries on a new instance
        traceback.print_exc()
        connection.send_bytes(error_reply("Runtime.ImportModuleError", f"Unable to import {handler_path}: {error}"))
        return 1
    connection.send_bytes(b'{"ready": true}')
    while True:
        try:
            request = json.loads(connection.recv_bytes())
        except EOFError:  # the emulator closed its end (it stopped, or died): this instance ends too
            return 0
        connection.send_bytes(run(handler, request, name, float(timeout)))


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except KeyboardInterrupt:  # Ctrl-C on `make run` reaches the whole process group: end quietly
        raise SystemExit(130) from None
