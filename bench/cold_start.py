"""The API function's cold import against boto3 and Powertools' event handler alone.

    python -m bench.cold_start [--rounds 7]

Each round runs four fresh interpreters one after the other (so a busy machine slows all
alike) and times, inside each, only the import statement:
- `import boto3`;
- `import boto3; from aws_lambda_powertools.event_handler import AppSyncResolver` (the floor);
- `import resolvers.handlers.api` from a copy of the code asset as CDK ships it: resolvers/
  without bytecode, so the import compiles it, as Lambda does on every cold start (its
  /var/task is read-only);
- the same with the asset's bytecode compiled ahead (what shipping bytecode would give).
The environment is the function's on Lambda, tracing on (LAMBDA_TASK_ROOT set, tracing not
disabled), so a tracer that would load the X-Ray SDK at import does so here too. Prints the
medians, the API's cost above the floor (issue 13's budget: at most 50 ms) and whether the
X-Ray SDK was loaded by the import. Exit status 1 when the API as shipped is over budget.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 50
FLOOR = "boto3 + AppSyncResolver"
SHIPPED = "api, asset as shipped"
COMPILED = "api, asset with bytecode"
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
    """resolvers/ as the code asset holds it (no bytecode), or with its bytecode compiled ahead."""
    shutil.copytree(ROOT / "resolvers", folder / "resolvers", ignore=shutil.ignore_patterns("__pycache__"))
    if compiled:
        compileall.compile_dir(folder / "resolvers", quiet=1)
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
        print(f"  {name:<26} {median:6.0f} ms  {cpu[name]:6.0f} ms CPU   X-Ray SDK loaded: {loaded}")
    floor, cpu_floor = medians[FLOOR], cpu[FLOOR]
    print(f"  floor / boto3: {floor / medians['boto3']:.2f}x  ({cpu_floor / cpu['boto3']:.2f}x CPU)")
    for name in (SHIPPED, COMPILED):
        print(
            f"  {name}, above the floor: {medians[name] - floor:+.0f} ms, {cpu[name] - cpu_floor:+.0f} ms CPU"
            f" (budget {BUDGET_MS} ms)"
        )
    return 0 if medians[SHIPPED] - floor <= BUDGET_MS and not xray[SHIPPED] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
