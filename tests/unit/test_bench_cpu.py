"""The benches' CPU accounting: a function instance's CPU counts under its function's name, and
the ceiling printed is what the measured cost per request allows on this machine's cores."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.cpu import CpuMeter

# Burns about 0.3 s of CPU; its extra arguments make it look like a function instance (emulator/runtime.py).
BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ninput()"


def test_a_function_instances_cpu_counts_under_its_function() -> None:
    meter = CpuMeter(os.getpid()).start()
    instance = subprocess.Popen(
        [sys.executable, "-c", BURN, "emulator.runtime", "resolvers.handlers.api.handler"],
        stdin=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    try:
        while (
            time.monotonic() < deadline
        ):  # until it has burnt its share, while it still runs (an ended child leaves the tree)
            meter.stop()
            if meter.spent.get("api", 0.0) >= 0.3:
                break
            time.sleep(0.02)
    finally:
        instance.communicate(b"\n", timeout=10)
    assert 0.3 <= meter.spent["api"] < 1.0
    assert meter.spent["clients (this process)"] > 0


def test_the_ceiling_is_the_cores_divided_by_the_cpu_per_request() -> None:
    meter = CpuMeter(os.getpid())
    meter.spent = {"emulator": 3.0, "api": 1.0, "clients (this process)": 1.0}
    line = meter.per(100, "request")
    cores = os.cpu_count() or 1
    assert line.startswith("CPU per request: 50 ms (emulator 30, api 10, clients (this process) 10)")
    assert f"at most {cores * 1000 / 50:.1f} requests/s on {cores} cores" in line
