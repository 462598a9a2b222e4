"""Names and settings shared by the constructs, in one place."""

from __future__ import annotations

from dataclasses import dataclass

SERVICE = "music"
POWERTOOLS_VERSION = "3.37.0"  # the same release as requirements.txt
PYTHON_RUNTIME = "python3.14"


@dataclass(frozen=True)
class Stage:
    """What differs between a developer's stack and production."""

    name: str
    production: bool
    # Transcribe every song's first audio without lyrics (billed per minute): off unless asked for,
    # `cdk deploy -c autoTranscribeLyrics=true` (app.py).
    auto_transcribe_lyrics: bool = False

    @property
    def prefix(self) -> str:
        return f"{SERVICE}-{self.name}"


STAGES = {"dev": Stage("dev", production=False), "prod": Stage("prod", production=True)}
