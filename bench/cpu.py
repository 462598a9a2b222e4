"""CPU time spent per request by each process of a local API: the emulator, each function's
instances (added up per function) and the benchmark's own clients.

On a machine with N cores, requests per second can never exceed N x 1,000 / (CPU ms per request),
whatever the concurrency; the benches print this so a target can be checked against that ceiling.
Linux only (/proc), like `rss_mb`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system time of one process so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _name(pid: int) -> str:
    """A function instance by its handler (`python -m emulator.runtime <handler> ...`), else the command."""
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    if "emulator.runtime" in arguments:
        handler = arguments[arguments.index("emulator.runtime") + 1]
        return handler.removeprefix("resolvers.handlers.").removesuffix(".handler")
    return Path(arguments[0]).name


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in text.split()]
    return found


def process_tree(pid: int) -> dict[str, float]:
    """CPU seconds so far: the emulator, and each function (its instances added up)."""
    totals = {"emulator": _cpu_seconds(pid)}
    for child in _children(pid):
        try:
            name, seconds = _name(child), _cpu_seconds(child)
        except (FileNotFoundError, ProcessLookupError):  # an instance that ended meanwhile
            continue
        totals[name] = totals.get(name, 0.0) + seconds
    return totals


@dataclass
class CpuMeter:
    """CPU of an emulator's process tree and of this process between `start` and `stop`."""

    pid: int
    before: dict[str, float] = field(default_factory=dict)
    spent: dict[str, float] = field(default_factory=dict)
    _client_before: float = 0.0

    def start(self) -> CpuMeter:
        self.before, self._client_before = process_tree(self.pid), time.process_time()
        return self

    def stop(self) -> CpuMeter:
        after = process_tree(self.pid)
        self.spent = {name: seconds - self.before.get(name, 0.0) for name, seconds in after.items()}
        self.spent["clients (this process)"] = time.process_time() - self._client_before
        return self

    def per(self, count: int, unit: str) -> str:
        """`CPU per <unit>: total X ms (emulator A, api B, ...)` and the ceiling on this machine's cores."""
        total = sum(self.spent.values())
        parts = ", ".join(
            f"{name} {seconds / count * 1000:.0f}"
            for name, seconds in sorted(self.spent.items(), key=lambda item: -item[1])
            if seconds / count * 1000 >= 0.5
        )
        per_unit = total / count * 1000
        cores = os.cpu_count() or 1
        ceiling = cores * 1000 / per_unit if per_unit else float("inf")
        return (
            f"CPU per {unit}: {per_unit:.0f} ms ({parts}); at most {ceiling:.1f} {unit}s/s on {cores} cores "
            "with every core busy"
        )
