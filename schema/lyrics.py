"""Lyrics: edited by admins (plain text or LRC), read from the audio's tags, or transcribed.

`Song.lyrics`, `Song.lyricsStatus` and `Song.lyricsFailureReason` live on the song
(schema/catalog.py refers to these types lazily, as they refer to `Song`).
"""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.catalog import Song
from schema.directives import ADMIN
from schema.lambda_field import lambda_field


@strawberry.enum(
    description="Where a song's lyrics come from; EDITED is shown before EMBEDDED, EMBEDDED before TRANSCRIBED."
)
class LyricsSource(enum.Enum):
    EMBEDDED = strawberry.enum_value(
        "EMBEDDED", description="Read from the audio file's tags (USLT, SYLT, LYRICS, ©lyr)."
    )
    EDITED = strawberry.enum_value("EDITED", description="Set by an admin with setLyrics.")
    TRANSCRIBED = strawberry.enum_value("TRANSCRIBED", description="Recognized in the audio by Amazon Transcribe.")


@strawberry.enum(description="Whether a song has lyrics to show.")
class LyricsStatus(enum.Enum):
    NONE = strawberry.enum_value("NONE", description="No lyrics.")
    PENDING = strawberry.enum_value("PENDING", description="A transcription is running and there are no lyrics yet.")
    READY = strawberry.enum_value("READY", description="`lyrics` holds them.")
    FAILED = strawberry.enum_value("FAILED", description="The last transcription failed (see lyricsFailureReason).")


@strawberry.type(description="One line of lyrics; startMs is null unless the lyrics are synced.")
class LyricLine:
    start_ms: int | None
    end_ms: int | None = strawberry.field(description="When the line ends (the next line's start); null if unknown.")
    text: str


@strawberry.type(
    description="A song's lyrics, as OpenSubsonic's structured lyrics: add offsetMs to every line's times."
)
class Lyrics:
    source: LyricsSource
    language: str = strawberry.field(description="A BCP 47 language tag; `und` when unknown.")
    synced: bool
    offset_ms: int
    lines: list[LyricLine]
    text: str = strawberry.field(description="The plain lyrics, one line per line.")


@strawberry.type
class LyricsMutation:
    @lambda_field(auth=ADMIN)
    def set_lyrics(self, song_id: ID, text: str, language: str | None = strawberry.UNSET) -> Song:
        """Edited lyrics, shown before any other: plain text or LRC ([mm:ss.xx] lines, [offset:±ms])."""

    @lambda_field(auth=ADMIN)
    def clear_lyrics(self, song_id: ID) -> Song:
        """Remove edited and transcribed lyrics; the file's embedded lyrics show again, if any."""

    @lambda_field(auth=ADMIN)
    def transcribe_lyrics(self, song_id: ID, language: str | None = strawberry.UNSET) -> Song:
        """Transcribe the song's audio with Amazon Transcribe (default en-US; billed per minute of audio)."""
