"""Mail that would leave the machine on AWS (Cognito codes, later SNS email) lands here.

Developers read it on the console, at `GET /outbox`, or in `<data dir>/outbox.jsonl`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from resolvers.clock import now_iso


class Outbox:
    def __init__(self, path: Path | None = None) -> None:
        """With a path, mail is appended there as it is sent, and what it holds is read back."""
        self._messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._path = path
        if path and path.exists():
            self._messages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def send(self, to: str, subject: str, body: str, **extra: Any) -> dict[str, Any]:
        message = {"to": to, "subject": subject, "body": body, "sentAt": now_iso(), **extra}
        with self._lock:
            self._messages.append(message)
            if self._path:
                with self._path.open("a") as file:
                    file.write(json.dumps(message) + "\n")
        print(f"[outbox] to {to}: {subject} — {body}", flush=True)
        return message

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self._messages if to is None or m["to"] == to]
