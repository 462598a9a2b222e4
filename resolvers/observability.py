"""The one place that creates the Powertools logger and the tracer.

Tracing is Lambda's own active tracing (infra/functions.py sets `Tracing.ACTIVE`): Lambda
records each invocation (init, invocation, overhead) with no SDK in the function, and
botocore forwards the invocation's trace header (`_X_AMZN_TRACE_ID`) on every AWS call, so
SQS and SNS carry the trace on to the consumers.

The X-Ray SDK would add a subsegment per AWS call, but AWS put it in maintenance (2026) and
it costs ~350 ms of every cold start at import (Powertools' Tracer loads it when created).
So `tracer` loads it only when XRAY_SDK_SUBSEGMENTS is true, at the first invocation, never
at import. OpenTelemetry (the ADOT layer) is the other way to get those subsegments, with no
code here: it instruments the function from its layer.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

SDK_SWITCH = "XRAY_SDK_SUBSEGMENTS"

Handler = Callable[[Any, Any], Any]


class LazyTracer:
    """`capture_lambda_handler` as Powertools' Tracer has it, with the X-Ray SDK only on demand."""

    def __init__(self, service: str) -> None:
        self.service = service

    @staticmethod
    def sdk_requested() -> bool:
        return os.environ.get(SDK_SWITCH, "false").lower() == "true"

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        traced: Handler | None = None

        @functools.wraps(handler)
        def invoke(event: Any, context: Any) -> Any:
            nonlocal traced
            if not self.sdk_requested():
                return handler(event, context)  # Lambda's active tracing records the invocation
            if traced is None:
                from aws_lambda_powertools import Tracer  # noqa: PLC0415 - loads the X-Ray SDK: only when asked

                traced = Tracer(service=self.service).capture_lambda_handler(handler)
            return traced(event, context)

        return invoke


logger = Logger(service="music")
tracer = LazyTracer(service="music")
