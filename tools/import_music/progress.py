"""A progress bar on stderr: counts, rate and time left, redrawn in place on a terminal.

Hand-written (30 lines) rather than a dependency: the importer needs one bar and no more.
Off a terminal (CI, a pipe) it prints a plain line every few seconds instead.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
REDRAW_SECONDS = 0.2
LOG_SECONDS = 5.0


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.drawn = 0.0

    def update(self, done: int, note: str = "", *, final: bool = False) -> None:
        now = time.monotonic()
        if not self.total:
            return
        if not final and now - self.drawn < (REDRAW_SECONDS if self.tty else LOG_SECONDS):
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        left = f"{(self.total - done) / rate:4.0f} s left" if rate and done < self.total else "        "
        filled = WIDTH * done // max(self.total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        line = f"{self.label} [{bar}] {done}/{self.total} {rate:5.1f}/s {left} {note}"
        self.stream.write(f"\r{line}\x1b[K" if self.tty else f"{line}\n")
        if final and self.tty:
            self.stream.write("\n")
        self.stream.flush()
