"""Handlers for tests of the local Lambda runtime: each shows one thing an instance does or keeps."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

INVOCATIONS = 0  # module state: each instance has its own


def count(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Which instance answered and how many events it has handled so far; hangs when asked to."""
    global INVOCATIONS  # noqa: PLW0603 - the module state under test
    INVOCATIONS += 1
    if event.get("hang"):
        time.sleep(60)
    return {"pid": os.getpid(), "invocations": INVOCATIONS, "remainingMs": context.get_remaining_time_in_millis()}


def rendezvous(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check in under `folder`, then wait (up to 5 s) until `expected` events are in at once.

    Returns how many it saw: only instances running side by side all see `expected`."""
    folder = Path(event["folder"])
    (folder / context.aws_request_id).touch()
    deadline = time.monotonic() + 5
    while len(list(folder.iterdir())) < event["expected"] and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"pid": os.getpid(), "seen": len(list(folder.iterdir()))}


def fail(event: dict[str, Any], context: Any) -> None:
    raise KeyError("no such song")


def unmarshallable(event: dict[str, Any], context: Any) -> Any:
    return {"when": {1, 2}}


def environment(event: dict[str, Any], context: Any) -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in event["names"]}


def exit_hard(event: dict[str, Any], context: Any) -> None:
    sys.stdout.flush()
    os._exit(3)
