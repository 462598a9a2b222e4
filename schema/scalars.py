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


AWSEmail = strawberry.scalar(NewType("AWSEmail", str), serialize=str, parse_value=_email)
AWSURL = strawberry.scalar(NewType("AWSURL", str), serialize=str, parse_value=_url)
AWSDate = strawberry.scalar(NewType("AWSDate", str), serialize=str, parse_value=_date)
AWSDateTime = strawberry.scalar(NewType("AWSDateTime", str), serialize=str, parse_value=_datetime)

AWS_SCALARS = ("AWSEmail", "AWSURL", "AWSDate", "AWSDateTime")
