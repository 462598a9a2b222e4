"""Input checks shared by the domain modules; each failure is a ValidationError naming the field."""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid
from typing import Any
from urllib.parse import urlsplit

from resolvers.errors import ValidationError

DEFAULT_PAGE = 20
MAX_PAGE = 100
URL_MAX = 2048
# Text limits shared by every domain that stores names and titles (catalog, releases, playlists).
TITLE_MAX = 200
BIO_MAX = 2000
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
# Embedding, override and isolate controls make a title display as other text ("Trojan
# Source"); right-to-left names need none of them, the Unicode bidi algorithm places them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def identifier(value: Any, field: str = "id") -> str:
    """Ids are UUIDs we issued; anything else cannot name an item."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValidationError(f"{field}: not a valid id") from None


def text(value: Any, field: str, *, max_length: int, required: bool = True, multiline: bool = False) -> str | None:
    """Trimmed, NFC-normalized text on one line (or several, with tabs, when `multiline`: CRLF
    becomes LF), without control characters, lone surrogates or bidirectional controls."""
    if value is None:
        if required:
            raise ValidationError(f"{field}: is required")
        return None
    cleaned = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").strip()
    if not cleaned:
        if required:
            raise ValidationError(f"{field}: must not be empty")
        return None
    if any(unicodedata.category(ch) == "Cs" for ch in cleaned):
        # JSON's \ud800 escapes carry lone surrogates in; UTF-8, and so DynamoDB, cannot hold them.
        raise ValidationError(f"{field}: must be valid Unicode text (a lone surrogate is not)")
    if not multiline and any(ch in _LINE_BREAKS for ch in cleaned):
        raise ValidationError(f"{field}: must be a single line")
    if any(unicodedata.category(ch) == "Cc" and not (multiline and ch in "\n\t") for ch in cleaned):
        raise ValidationError(f"{field}: must not contain control characters")
    if any(ch in _BIDI_CONTROLS for ch in cleaned):
        raise ValidationError(f"{field}: must not contain bidirectional control characters (U+202A-E, U+2066-9)")
    if len(cleaned) > max_length:
        raise ValidationError(f"{field}: at most {max_length} characters")
    return cleaned


def url(value: Any, field: str) -> str | None:
    """An http(s) URL of at most URL_MAX characters: AWSURL admits any scheme, javascript: too,
    and any length."""
    link = text(value, field, max_length=URL_MAX, required=False)
    if link is None:
        return None
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in link):
        raise ValidationError(f"{field}: an http or https URL")
    return link


def whole_number(value: Any, field: str, *, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{field}: must be a whole number from {low} to {high}")
    return value


def page_size(limit: Any) -> int:
    return whole_number(limit, "limit", low=1, high=MAX_PAGE) or DEFAULT_PAGE


def moment(value: Any, field: str) -> datetime.datetime:
    """A point in time from an AWSDateTime (`Z` or any UTC offset), so times compare as times,
    not as text: 10:00+02:00 is before 09:00Z."""
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("z", "Z"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(f"{field}: a date and time with a UTC offset, such as 2026-12-01T09:30:00Z")
    return parsed


def day(value: Any, field: str) -> str:
    """A calendar date as YYYY-MM-DD (AWSDate also admits a time zone, which a day has no use for)."""
    try:
        if isinstance(value, str) and _DAY.match(value):
            return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise ValidationError(f"{field}: a date as YYYY-MM-DD")
