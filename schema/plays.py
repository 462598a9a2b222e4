"""Listening: plays a listener reports, their history, and the counts plays add up to."""

from __future__ import annotations

import strawberry
from strawberry import ID

from schema.catalog import Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field
from schema.scalars import AWSDateTime


@strawberry.input(description="One play: which song, when it started, how long it was heard, on what device.")
class PlayInput:
    song_id: ID
    started_at: AWSDateTime
    played_ms: int = strawberry.field(description="Milliseconds heard; at most the song's duration + 5 s.")
    device: str = strawberry.field(description="The device's name, up to 100 characters.")


@strawberry.type(description="Whether a play counts (heard 30 s or half the song, whichever is shorter).")
class PlayResult:
    counted: bool


@strawberry.type(description="A counted play of the caller.")
class Play:
    song_id: ID
    started_at: AWSDateTime
    played_ms: int
    device: str
    song: Song | None = strawberry.field(description="The song played; null once it has been deleted.")


@strawberry.type
class PlayConnection:
    items: list[Play]
    next_token: str | None


@strawberry.type
class PlayQuery:
    @lambda_field(auth=LISTENER)
    def recently_played(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> PlayConnection:
        """The caller's counted plays of the last 90 days, the latest start first."""


@strawberry.type
class PlayMutation:
    @lambda_field(auth=LISTENER)
    def record_play(self, input: PlayInput) -> PlayResult:
        """Report a play of a READY song; the same song and startedAt again is a retry, counted once."""

    @lambda_field(auth=LISTENER)
    def record_plays(self, plays: list[PlayInput]) -> list[PlayResult]:
        """Report up to 50 plays made offline; all are checked before any is kept. Answers in order."""
