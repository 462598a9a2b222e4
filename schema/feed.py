"""The personalized feed: new releases from what the listener follows, mixed with songs picked for them."""

from __future__ import annotations

import enum

import strawberry

from schema.catalog import Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field


@strawberry.enum(description="Why a song is in the feed; `reason` says it in words.")
class FeedSource(enum.Enum):
    NEW_RELEASE = strawberry.enum_value("NEW_RELEASE", description="New from an artist or genre the listener follows.")
    TASTE = strawberry.enum_value("TASTE", description="Like songs the listener rated highly (same artist or genre).")
    SIMILAR_LISTENERS = strawberry.enum_value(
        "SIMILAR_LISTENERS", description="Liked by listeners who rate like the listener."
    )
    PLAYED = strawberry.enum_value("PLAYED", description="Songs of the artists the listener plays most.")
    POPULAR = strawberry.enum_value(
        "POPULAR", description="Most played in the catalog over the last 30 days, then top rated."
    )
    NEW_IN_CATALOG = strawberry.enum_value("NEW_IN_CATALOG", description="Recently added to the catalog.")


@strawberry.type(description="A song the feed suggests, and why.")
class FeedItem:
    song: Song
    source: FeedSource
    reason: str = strawberry.field(
        description='For people: "New from <artist>", "Because you rated <song> 5 stars", '
        '"Because you often play <artist>", "Popular in <genre>"…'
    )


@strawberry.type
class FeedConnection:
    items: list[FeedItem]
    next_token: str | None


@strawberry.type
class FeedQuery:
    @lambda_field(auth=LISTENER)
    def feed(self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET) -> FeedConnection:
        """The caller's feed, best first: never a song they rated; never empty while songs are playable.
        A page may hold fewer than `limit` items while `nextToken` is set."""
