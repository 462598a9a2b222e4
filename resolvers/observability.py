"""The one place that creates the Powertools logger and tracer."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Tracer

logger = Logger(service="music")
tracer = Tracer(service="music")
