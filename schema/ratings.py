"""Ratings: listeners give READY songs one to five stars; songs show the aggregate."""

from __future__ import annotations

import strawberry
from strawberry import ID

from schema.catalog import Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field
from schema.scalars import AWSDateTime


@strawberry.type(description="The caller's rating of a song.")
class Rating:
    song_id: ID
    stars: int
    rated_at: AWSDateTime
    song: Song | None = strawberry.field(description="The rated song; null once it has been deleted.")


@strawberry.type
class RatingConnection:
    items: list[Rating]
    next_token: str | None


@strawberry.type
class RatingQuery:
    @lambda_field(auth=LISTENER)
    def my_ratings(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> RatingConnection:
        """The caller's ratings, the latest first."""


@strawberry.type
class RatingMutation:
    @lambda_field(auth=LISTENER)
    def rate_song(self, song_id: ID, stars: int) -> Rating:
        """Give a READY song 1 to 5 stars, replacing the caller's earlier rating of it."""

    @lambda_field(auth=LISTENER)
    def remove_rating(self, song_id: ID) -> bool:
        """Withdraw the caller's rating of a song; false when there was none."""
