"""Timestamps as AppSync's AWSDateTime expects them (UTC, millisecond precision, `Z`)."""

from __future__ import annotations

import datetime


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
