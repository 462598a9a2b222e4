"""AppSync's built-in scalars, as strawberry scalars.

AppSync validates these formats before a resolver runs; the `parse_value` functions
give the local emulator the same behaviour, so a bad email or URL is a GraphQL
validation error on both runtimes.
"""

from __future__ import annotations

import datetime
import re
from typing import NewType
from urllib.parse import urlparse

import strawberry

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: object) -> str:
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise ValueError("Invalid AWSEmail: expected an address like name@example.com")
    return value


def _url(value: object) -> str:
    parsed = urlparse(value) if isinstance(value, str) else None
    if not parsed or not parsed.scheme or not (parsed.netloc or parsed.scheme == "mailto"):
        raise ValueError("Invalid AWSURL: expected an absolute URL such as https://example.com/a.png")
    return str(value)


def _date(value: object) -> str:
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("Invalid AWSDate: expected YYYY-MM-DD") from None
    return str(value)


def _datetime(value: object) -> str:
    try:
        datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("Invalid AWSDateTime: expected an ISO 8601 timestamp") from None
    return str(value)


AWSEmail = NewType("AWSEmail", str)
AWSURL = NewType("AWSURL", str)
AWSDate = NewType("AWSDate", str)
AWSDateTime = NewType("AWSDateTime", str)

# AppSync declares these itself: schema/export.py leaves their definitions out of the SDL.
SCALAR_MAP = {
    scalar_type: strawberry.scalar(name=scalar_type.__name__, serialize=str, parse_value=parse)
    for scalar_type, parse in ((AWSEmail, _email), (AWSURL, _url), (AWSDate, _date), (AWSDateTime, _datetime))
}
AWS_SCALARS = tuple(definition.name for definition in SCALAR_MAP.values())
