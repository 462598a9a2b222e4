"""Local functions that run concurrently as Lambda's do: a bounded pool of instances per function.

Lambda runs a function as N instances; each handles one event at a time and keeps its own
module globals (boto3 clients, Powertools' router, which holds the current event). Here an
instance is a worker process (emulator/runtime.py) that imports the handler once and then
serves events over a socket; the GraphQL layer stays in the emulator's process.

- Instances start lazily, when an event finds every instance busy, up to `max_instances`
  (a setting: the machine has 2 cores, and an API instance holds ~70 MB). Past that, an
  event waits for a free instance, as Lambda's would at a reserved concurrency.
- A warm instance is reused before a new one is started (the most recently used first).
- Timeouts are Lambda's: counted from when an instance takes the event (not while the event
  waits for one), `Sandbox.Timedout` to the caller, and the instance is killed, so the next
  event gets a fresh one.
- Errors are Lambda's: the exception's class name as `errorType`; a result that is not JSON
  is `Runtime.MarshalError`; an instance that dies mid-event is `Runtime.ExitError`; a
  handler that fails to import is `Runtime.ImportModuleError`.
- Each instance gets the emulator's environment as it is when the instance starts
  (AWS_ENDPOINT_URL, TABLE_NAME, ...): the emulator sets it before anything is invoked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

from emulator.lambdas import LambdaError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MAX_INSTANCES = 4
# Lambda bounds the init phase at 10 s; a 2-core machine starting several instances at once
# (each imports boto3 and Powertools) can take longer, so locally the bound is generous.
INIT_LIMIT_SECONDS = 60


class _Init(Exception):
    """An instance failed its init phase; carries Lambda's error."""

    def __init__(self, error: LambdaError) -> None:
        super().__init__(error.message)
        self.error = error


class Instance:
    """One worker process running one function's handler."""

    def __init__(self, function_name: str, handler: str, timeout_seconds: float) -> None:
        ours, theirs = Pipe(duplex=True)
        self.connection: Connection = ours
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter running our own runtime module
            [
                sys.executable,
                "-m",
                "emulator.runtime",
                handler,
                function_name,
                str(timeout_seconds),
                str(theirs.fileno()),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()  # the worker holds its end; when it dies, ours reads EOF

    def init(self) -> None:
        """Wait for the handler's import; raise _Init with Lambda's error when it fails."""
        if not self.connection.poll(INIT_LIMIT_SECONDS):
            self.kill()
            raise _Init(LambdaError("Runtime.InitError", f"Init did not finish in {INIT_LIMIT_SECONDS} seconds"))
        try:
            reply = json.loads(self.connection.recv_bytes())
        except (EOFError, OSError):
            raise _Init(LambdaError("Runtime.ExitError", "Runtime exited during init")) from None
        if "errorType" in reply:
            self.kill()
            raise _Init(LambdaError(reply["errorType"], reply["errorMessage"]))

    def call(self, payload: str, timeout_seconds: float) -> dict[str, Any] | None:
        """Send one event and wait up to the timeout for the reply; None when it timed out."""
        request = f'{{"requestId": "{uuid.uuid4()}", "event": {payload}}}'  # the event is JSON already
        self.connection.send_bytes(request.encode())
        if not self.connection.poll(timeout_seconds):
            return None
        return json.loads(self.connection.recv_bytes())

    def kill(self) -> None:
        """Stop the worker at once, as Lambda stops an instance that timed out."""
        self.process.kill()
        self.process.wait()
        self.connection.close()


class ConcurrentFunction:
    """A function whose events run on up to `max_instances` worker processes at once."""

    def __init__(
        self, name: str, handler: str, timeout_seconds: float = 10, max_instances: int = DEFAULT_MAX_INSTANCES
    ) -> None:
        self.name = name
        self.handler_path = handler
        self.timeout_seconds = timeout_seconds
        self.max_instances = max_instances
        self._idle: list[Instance] = []
        self._all: set[Instance] = set()
        self._starting = 0  # instances being started, counted against max_instances
        self._changed = threading.Condition()
        self._stopped = False

    def invoke(self, event: Any) -> Any:
        """Run the handler on one instance; raise LambdaError as Lambda reports it."""
        payload = json.dumps(event)  # what Lambda receives is JSON: a non-JSON event fails here, as with boto3
        instance = self._claim()
        healthy = False
        try:
            reply = instance.call(payload, self.timeout_seconds)
            healthy = reply is not None
        except (EOFError, OSError):
            code = instance.process.wait()
            raise LambdaError("Runtime.ExitError", f"Runtime exited with error: exit status {code}") from None
        finally:
            self._release(instance, healthy)
        if reply is None:
            message = f"Task timed out after {self.timeout_seconds:.2f} seconds"
            print(f"[lambda] {self.name}: {message}; its instance is stopped", flush=True)  # CloudWatch's line
            raise LambdaError("Sandbox.Timedout", message)
        if "errorType" in reply:
            raise LambdaError(reply["errorType"], reply["errorMessage"])
        return reply["result"]

    def warm(self) -> None:
        """Have one instance ready ahead of the first event, as provisioned concurrency does."""
        self._release(self._claim(), healthy=True)

    def stop(self) -> None:
        """Stop every instance, busy or idle; later events fail as the emulator is going away."""
        with self._changed:
            self._stopped = True
            instances = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._changed.notify_all()
        for instance in instances:
            instance.kill()

    @property
    def instances(self) -> int:
        """Instances alive now (idle or busy)."""
        with self._changed:
            return len(self._all)

    def _claim(self) -> Instance:
        """A warm idle instance, else a new one if the bound allows, else the next one freed."""
        with self._changed:
            while True:
                if self._stopped:
                    raise LambdaError("ServiceException", f"{self.name} is stopping")
                if self._idle:
                    return self._idle.pop()
                if len(self._all) + self._starting < self.max_instances:
                    self._starting += 1
                    break
                self._changed.wait()
        instance: Instance | None = None
        try:
            instance = Instance(self.name, self.handler_path, self.timeout_seconds)
            instance.init()
        except _Init as failed:
            instance = None
            raise failed.error from None
        finally:
            with self._changed:
                self._starting -= 1
                if instance is not None and not self._stopped:
                    self._all.add(instance)
                self._changed.notify()
        if instance not in self._all:  # the emulator stopped while this instance started
            instance.kill()
            raise LambdaError("ServiceException", f"{self.name} is stopping")
        return instance

    def _release(self, instance: Instance, healthy: bool) -> None:
        if not healthy:
            instance.kill()
        with self._changed:
            if healthy and not self._stopped:
                self._idle.append(instance)
            else:
                self._all.discard(instance)
            self._changed.notify()
