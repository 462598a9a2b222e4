"""The API function's cold import against boto3 and Powertools' event handler alone.

    python -m bench.cold_start [--rounds 7]

Each round runs four fresh interpreters one after the other (so a busy machine slows all
alike) and times, inside each, only the import statement:
- `import boto3`;
- `import boto3; from aws_lambda_powertools.event_handler import AppSyncResolver` (the floor);
- `import resolvers.handlers.api` from a copy of the code asset without bytecode (as CDK
  ships it from a machine without the runtime's Python): the import compiles resolvers/, as
  Lambda would on every cold start (its /var/task is read-only);
- the same with the asset's bytecode, as CDK ships it when the runtime's Python is on PATH
  (this Python stands in for it).
The environment is the function's on Lambda, tracing on (LAMBDA_TASK_ROOT set, tracing not
disabled), so a tracer that would load the X-Ray SDK at import does so here too. Prints the
medians, the API's cost above the floor (issue 13's budget: at most 50 ms) and whether the
X-Ray SDK was loaded by the import. Exit status 1 when the API with bytecode is over budget
or the X-Ray SDK is loaded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from infra.bytecode import bundle_code

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 50
FLOOR = "boto3 + AppSyncResolver"
SHIPPED = "api, asset without bytecode"
COMPILED = "api, asset with bytecode"  # what CDK ships when it finds the runtime's Python
# name: (statement, which copy of the asset to run in)
IMPORTS = {
    "boto3": ("import boto3", "shipped"),
    FLOOR: ("import boto3; from aws_lambda_powertools.event_handler import AppSyncResolver", "shipped"),
    SHIPPED: ("import resolvers.handlers.api", "shipped"),
    COMPILED: ("import resolvers.handlers.api", "compiled"),
}
PROBE = """
import sys, time
started, cpu = time.perf_counter(), time.process_time()
{statement}
elapsed, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
print(elapsed, cpu, any(name.startswith("aws_xray_sdk") for name in sys.modules))
"""
# What Lambda sets for the API function (infra/functions.py), tracing on.
LAMBDA_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": "music-api",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "music",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "TABLE_NAME": "music-bench",
}


def asset_copy(folder: Path, *, compiled: bool) -> Path:
    """The code asset as CDK bundles it (infra/bytecode.py): without bytecode, as from a machine
    without the runtime's Python, or with it (this Python standing in for the runtime's)."""
    bundle_code(folder, sys.executable if compiled else "no-such-python")
    return folder


def import_once(statement: str, task_root: Path) -> tuple[float, float, bool]:
    """Milliseconds the statement took in a fresh interpreter (wall clock, CPU), and whether
    the X-Ray SDK got loaded."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_", "PYTHONPYCACHE"))}
    output = subprocess.run(  # noqa: S603 - our own interpreter running a fixed probe
        [sys.executable, "-c", PROBE.format(statement=statement)],
        cwd=task_root,
        # Lambda cannot write bytecode next to the code either.
        env={**environment, **LAMBDA_ENVIRONMENT, "LAMBDA_TASK_ROOT": str(task_root), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(output[0]), float(output[1]), output[2] == "True"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    cpu_times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    xray: dict[str, bool] = dict.fromkeys(IMPORTS, False)
    with tempfile.TemporaryDirectory() as shipped, tempfile.TemporaryDirectory() as compiled:
        roots = {
            "shipped": asset_copy(Path(shipped), compiled=False),
            "compiled": asset_copy(Path(compiled), compiled=True),
        }
        for _ in range(args.rounds):
            for name, (statement, root) in IMPORTS.items():
                elapsed, cpu, loaded = import_once(statement, roots[root])
                times[name].append(elapsed)
                cpu_times[name].append(cpu)
                xray[name] |= loaded
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu = {name: statistics.median(values) for name, values in cpu_times.items()}
    print(f"cold import, median of {args.rounds} fresh processes each (side by side), wall clock and CPU:")
    for name, median in medians.items():
        loaded = "yes" if xray[name] else "no"
        print(f"  {name:<28} {median:6.0f} ms  {cpu[name]:6.0f} ms CPU   X-Ray SDK loaded: {loaded}")
    floor, cpu_floor = medians[FLOOR], cpu[FLOOR]
    print(f"  floor / boto3: {floor / medians['boto3']:.2f}x  ({cpu_floor / cpu['boto3']:.2f}x CPU)")
    for name in (SHIPPED, COMPILED):
        print(
            f"  {name}, above the floor: {medians[name] - floor:+.0f} ms, {cpu[name] - cpu_floor:+.0f} ms CPU"
            f" (budget {BUDGET_MS} ms)"
        )
    return 0 if medians[COMPILED] - floor <= BUDGET_MS and not xray[SHIPPED] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
