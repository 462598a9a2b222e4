"""Charts: the most played songs of a period, from every listener's counted plays."""

from __future__ import annotations

import enum

import strawberry

from schema.catalog import Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field


@strawberry.enum(description="The span of days a chart adds plays over (UTC days).")
class ChartPeriod(enum.Enum):
    WEEK = strawberry.enum_value("WEEK", description="Today and the 6 UTC days before.")
    MONTH = strawberry.enum_value("MONTH", description="Today and the 29 UTC days before.")
    ALL_TIME = strawberry.enum_value("ALL_TIME", description="Every counted play (`Song.playCount`).")


@strawberry.type(description="A song's place in a chart.")
class ChartEntry:
    position: int = strawberry.field(description="1 for the most played; songs with as many plays in no set order.")
    plays: int = strawberry.field(description="Counted plays of the song in the period.")
    song: Song


@strawberry.type
class ChartQuery:
    @lambda_field(auth=LISTENER)
    def charts(
        self, period: ChartPeriod, genre: str | None = strawberry.UNSET, limit: int | None = strawberry.UNSET
    ) -> list[ChartEntry]:
        """The most played playable songs of the period, of one genre if given (up to `limit`, at most 100).
        Plays count once the play queue has added them up (about a second behind)."""
