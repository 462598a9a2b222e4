"""Tracing stays on without the X-Ray SDK at cold start: it loads only when asked for, at the first event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The API function's environment on Lambda with active tracing (infra/functions.py).
LAMBDA = {
    "LAMBDA_TASK_ROOT": str(ROOT),
    "AWS_LAMBDA_FUNCTION_NAME": "music-api",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "music",
}
PROBE = """
import json, sys
from resolvers.handlers import api
from resolvers.observability import tracer

def loaded():
    return any(name.startswith("aws_xray_sdk") for name in sys.modules)

at_import = loaded()
handler = tracer.capture_lambda_handler(lambda event, context: {"echo": event})
answer = handler({"n": 1}, None)
print(json.dumps({"at_import": at_import, "after_event": loaded(), "answer": answer}))
"""


def run_probe(**environment: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_", "XRAY_"))}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **LAMBDA, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_api_function_imports_without_the_xray_sdk_and_traces_through_lambda() -> None:
    probe = run_probe()
    assert probe == {"at_import": False, "after_event": False, "answer": {"echo": {"n": 1}}}


@pytest.mark.parametrize("switch", ["true", "True"])
def test_the_xray_sdk_loads_at_the_first_event_when_asked_for(switch: str) -> None:
    # POWERTOOLS_TRACE_DISABLED: no X-Ray daemon here to send segments to; the SDK still loads.
    probe = run_probe(XRAY_SDK_SUBSEGMENTS=switch, POWERTOOLS_TRACE_DISABLED="true")
    assert probe == {"at_import": False, "after_event": True, "answer": {"echo": {"n": 1}}}
