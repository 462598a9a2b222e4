"""Amazon Transcribe's transcript JSON into synced lyric lines.

The transcript lists `results.items`: `pronunciation` items (a word, with `start_time` and
`end_time` in seconds as strings, and `alternatives` each with `content` and
`confidence`) and `punctuation` items (no times; they belong to the word before). A line
ends at a pause, at the end of a sentence, after a comma once it is long, or when it
holds MAX_WORDS words: sung phrases are short, and a long line is hard to follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PAUSE_SECONDS = 0.7
MAX_WORDS = 10
COMMA_AFTER_WORDS = 5
_SENTENCE_END = frozenset(".?!")


def _best(item: Mapping[str, Any]) -> str:
    alternatives = item.get("alternatives") or []
    if not alternatives:
        return ""
    best = max(alternatives, key=lambda a: float(a.get("confidence") or 0))
    return str(best.get("content") or "").strip()


def to_lines(transcript: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Lines of {startMs, endMs, text}, in order; empty when nothing was recognized."""
    lines: list[dict[str, Any]] = []
    words: list[str] = []
    start = end = 0.0

    def close() -> None:
        if words:
            lines.append({"startMs": round(start * 1000), "endMs": round(end * 1000), "text": " ".join(words)})
            words.clear()

    for item in (transcript.get("results") or {}).get("items") or []:
        content = _best(item)
        if not content:
            continue
        if item.get("type") == "punctuation":
            if words:
                words[-1] += content
                if content in _SENTENCE_END or (content == "," and len(words) >= COMMA_AFTER_WORDS):
                    close()
            continue
        try:
            begins, ends = float(item["start_time"]), float(item["end_time"])
        except (KeyError, TypeError, ValueError):
            continue  # a word without times cannot be placed
        if words and (begins - end >= PAUSE_SECONDS or len(words) >= MAX_WORDS):
            close()
        if not words:
            start = end = begins
        words.append(content)
        end = max(end, ends)
    close()
    return lines
