"""Lyrics as text: LRC and plain text in, lines out; the lyrics a file carries in its tags.

Lines follow the OpenSubsonic structured lyrics clients already render: each line has a
start time in ms when the lyrics are synced (null otherwise), plus an end time here (the
next line's start, or the song's end) so a player can highlight without a look-ahead.
LRC's `[offset:±N]` tag is kept as `offsetMs` and not applied to the times, as
OpenSubsonic does: the client adds it.

Text edited by an admin is checked strictly (a malformed time tag is a ValidationError
naming its line); text found in a file's tags is taken as it comes (a malformed LRC tag
there is plain text), because an upload must not fail over its lyrics.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from resolvers.errors import ValidationError

LYRICS_MAX = 20_000  # characters: the longest songs' lyrics are a few thousand
LANGUAGE_UNKNOWN = "und"  # BCP 47 "undetermined"
# A leading [..] tag: a time tag when it starts with a digit, else a metadata tag ([ar:..], [offset:..]).
_TAG = re.compile(r"^\[([^\]]*)\]")
_TIME = re.compile(r"^(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?$")
_OFFSET = re.compile(r"^offset:\s*([+-]?\d{1,7})$", re.IGNORECASE)
_WORD_TIME = re.compile(r"<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")  # enhanced LRC word stamps: shown as plain text
_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|\d{3}))?$")
# ID3 writes ISO 639-2 codes; BCP 47 wants the two-letter one where it exists.
_ISO639_2 = {
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "jpn": "ja",
    "kor": "ko",
    "zho": "zh",
    "chi": "zh",
    "rus": "ru",
    "swe": "sv",
    "pol": "pl",
    "tur": "tr",
    "ara": "ar",
    "hin": "hi",
    "xxx": LANGUAGE_UNKNOWN,
}


@dataclass
class Lyrics:
    """Lyrics as stored and shown: `lines` of {startMs, endMs, text}."""

    language: str
    synced: bool
    offset_ms: int = 0
    lines: list[dict[str, Any]] = field(default_factory=list)

    def as_item(self) -> dict[str, Any]:
        return {"language": self.language, "synced": self.synced, "offsetMs": self.offset_ms, "lines": self.lines}


def language_tag(value: Any, field_name: str = "language") -> str:
    """A BCP 47 language tag in its usual case (`en-US`), or `und` when none was given."""
    if value is None or value == "":
        return LANGUAGE_UNKNOWN
    tag = str(value).strip()
    if not _BCP47.match(tag):
        raise ValidationError(f"{field_name}: a BCP 47 language tag such as en or en-US")
    parts = tag.split("-")
    return "-".join([parts[0].lower()] + [p.title() if len(p) == 4 else p.upper() for p in parts[1:]])


def _time_ms(tag: str) -> int | None:
    found = _TIME.match(tag)
    if not found:
        return None
    minutes, seconds, fraction = found.groups()
    if int(seconds) > 59:
        return None
    fraction_ms = int((fraction or "0").ljust(3, "0")[:3])
    return (int(minutes) * 60 + int(seconds)) * 1000 + fraction_ms


def _with_ends(lines: list[dict[str, Any]], duration_ms: int | None) -> list[dict[str, Any]]:
    """Each synced line ends where the next starts; the last where the song does (when known)."""
    for line, following in itertools.pairwise(lines):
        line["endMs"] = following["startMs"]
    if lines:
        last = lines[-1]
        last["endMs"] = duration_ms if duration_ms and duration_ms > last["startMs"] else None
    return lines


def parse(text: str, language: str, *, duration_ms: int | None = None, strict: bool = True) -> Lyrics:
    """LRC when any line carries a time tag, else plain text. With `strict`, a malformed time tag
    or an untimed line inside LRC is a ValidationError naming the line (1-based)."""
    timed: list[dict[str, Any]] = []
    plain: list[str] = []
    offset = 0
    untimed_line = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        times: list[int] = []
        while tag := _TAG.match(line):
            content = tag.group(1).strip()
            if content[:1].isdigit():
                ms = _time_ms(content)
                if ms is None:
                    if strict:
                        raise ValidationError(f"text: line {number}: malformed time tag [{content}] (use [mm:ss.xx])")
                    return Lyrics(language, False, 0, _plain_lines(text))
                times.append(ms)
            elif offset_tag := _OFFSET.match(content):
                offset = int(offset_tag.group(1))
            elif ":" not in content:
                break  # a bracketed word such as [Chorus]: part of the text
            line = line[tag.end() :].strip()
        words = _WORD_TIME.sub("", line).strip()
        if times:
            timed += [{"startMs": ms, "text": words} for ms in times]
        elif words:
            plain.append(words)
            untimed_line = untimed_line or number
        elif not _TAG.match(raw.strip()):
            plain.append("")
    if not timed:
        return Lyrics(language, False, 0, _plain_lines(text))
    if untimed_line and strict:
        raise ValidationError(f"text: line {untimed_line}: a line of synced (LRC) lyrics needs a time tag")
    timed.sort(key=lambda line: line["startMs"])
    return Lyrics(language, True, offset, _with_ends(timed, duration_ms))


def _plain_lines(text: str) -> list[dict[str, Any]]:
    """Unsynced lines, blank lines between verses kept, none at either end."""
    lines = [line.strip() for line in text.strip().split("\n")]
    return [{"startMs": None, "endMs": None, "text": line} for line in lines]


def plain_text(lines: list[dict[str, Any]]) -> str:
    """The lyrics as plain text, one line per line."""
    return "\n".join(line["text"] for line in lines)


def _iso_language(code: Any) -> str:
    code = str(code or "").strip().lower()
    if not code:
        return LANGUAGE_UNKNOWN
    try:
        return language_tag(_ISO639_2.get(code, code))
    except ValidationError:
        return LANGUAGE_UNKNOWN


def _id3_lyrics(tags: Any, duration_ms: int | None) -> Lyrics | None:
    """SYLT (synced, when its times are in ms) before USLT."""
    for frame in tags.getall("SYLT"):
        if getattr(frame, "format", 2) == 2 and frame.text:  # 2: absolute time in milliseconds
            lines = sorted(
                ({"startMs": int(ms), "text": str(words).strip()} for words, ms in frame.text),
                key=lambda line: line["startMs"],
            )
            return Lyrics(_iso_language(frame.lang), True, 0, _with_ends(lines, duration_ms))
    for frame in tags.getall("USLT"):
        if str(frame.text).strip():
            return _from_text(str(frame.text), _iso_language(frame.lang), duration_ms)
    return None


def _from_text(text: str, language: str, duration_ms: int | None) -> Lyrics | None:
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        return None
    return parse(cleaned[:LYRICS_MAX], language, duration_ms=duration_ms, strict=False)


def embedded_lyrics(parsed: Any, duration_ms: int | None) -> Lyrics | None:
    """The lyrics inside a file mutagen parsed: ID3 SYLT/USLT, Vorbis and FLAC LYRICS or
    UNSYNCEDLYRICS, MP4 ©lyr; synced when the tag is (SYLT, or LRC text in a tag)."""
    tags = getattr(parsed, "tags", None)
    if not tags:
        return None
    if hasattr(tags, "getall"):  # ID3, in MP3 and in WAV
        return _id3_lyrics(tags, duration_ms)
    for key in ("LYRICS", "UNSYNCEDLYRICS", "lyrics", "unsyncedlyrics", "\xa9lyr"):
        try:
            values = tags.get(key) if hasattr(tags, "get") else None
        except (KeyError, ValueError):
            values = None
        if values:
            text = values[0] if isinstance(values, list) else values
            return _from_text(str(text), LANGUAGE_UNKNOWN, duration_ms)
    return None
