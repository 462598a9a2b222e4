"""The API function's cold import against boto3 and Powertools' event handler alone.

    python -m bench.cold_start [--rounds 7]

Each round runs three fresh interpreters one after the other (so a busy machine slows all
three alike) and times, inside each, only the import statement:
- `import boto3`;
- `import boto3; from aws_lambda_powertools.event_handler import AppSyncResolver` (the floor);
- `import resolvers.handlers.api` (what Lambda's init phase runs).
The environment is the function's on Lambda, tracing on (LAMBDA_TASK_ROOT set, tracing not
disabled), so a tracer that would load the X-Ray SDK at import does so here too. Prints the
medians, the API's cost above the floor (issue 13's budget: at most 50 ms) and whether the
X-Ray SDK was loaded by the import.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 50
IMPORTS = {
    "boto3": "import boto3",
    "boto3 + AppSyncResolver": "import boto3; from aws_lambda_powertools.event_handler import AppSyncResolver",
    "resolvers.handlers.api": "import resolvers.handlers.api",
}
PROBE = """
import sys, time
started = time.perf_counter()
{statement}
elapsed = (time.perf_counter() - started) * 1000
print(elapsed, any(name.startswith("aws_xray_sdk") for name in sys.modules))
"""
# What Lambda sets for the API function (infra/functions.py), tracing on.
LAMBDA_ENVIRONMENT = {
    "LAMBDA_TASK_ROOT": str(ROOT),
    "AWS_LAMBDA_FUNCTION_NAME": "music-api",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "music",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "TABLE_NAME": "music-bench",
}


def import_once(statement: str) -> tuple[float, bool]:
    """Milliseconds the statement took in a fresh interpreter, and whether the X-Ray SDK got loaded."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))}
    output = subprocess.run(  # noqa: S603 - our own interpreter running a fixed probe
        [sys.executable, "-c", PROBE.format(statement=statement)],
        cwd=ROOT,
        env={**environment, **LAMBDA_ENVIRONMENT},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(output[0]), output[1] == "True"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    xray: dict[str, bool] = dict.fromkeys(IMPORTS, False)
    for _ in range(args.rounds):
        for name, statement in IMPORTS.items():
            elapsed, loaded = import_once(statement)
            times[name].append(elapsed)
            xray[name] |= loaded
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"cold import, median of {args.rounds} fresh processes each (side by side):")
    for name, median in medians.items():
        print(f"  {name:<26} {median:6.0f} ms   X-Ray SDK loaded: {'yes' if xray[name] else 'no'}")
    floor = medians["boto3 + AppSyncResolver"]
    extra = medians["resolvers.handlers.api"] - floor
    print(f"  floor / boto3: {floor / medians['boto3']:.2f}x")
    print(f"  the API function above the floor: {extra:+.0f} ms (budget {BUDGET_MS} ms)")
    return 0 if extra <= BUDGET_MS and not xray["resolvers.handlers.api"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
