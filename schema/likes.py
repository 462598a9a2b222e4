"""Likes: a listener's library of kept songs, albums and artists."""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.catalog import Album, Artist, Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field
from schema.scalars import AWSDateTime


@strawberry.enum(description="What a like keeps.")
class LikeKind(enum.Enum):
    SONG = "SONG"
    ALBUM = "ALBUM"
    ARTIST = "ARTIST"


@strawberry.input(description="Exactly one of the three.")
class LikeInput:
    song_id: ID | None = strawberry.UNSET
    album_id: ID | None = strawberry.UNSET
    artist_id: ID | None = strawberry.UNSET


@strawberry.type(description="Something the caller likes; the field of its kind is null once the item is deleted.")
class Like:
    kind: LikeKind
    liked_at: AWSDateTime
    song: Song | None
    album: Album | None
    artist: Artist | None


@strawberry.type
class LikeConnection:
    items: list[Like]
    next_token: str | None


@strawberry.type
class LikeQuery:
    @lambda_field(auth=LISTENER)
    def my_likes(
        self, kind: LikeKind, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> LikeConnection:
        """The caller's likes of one kind, newest first."""


@strawberry.type
class LikeMutation:
    @lambda_field(auth=LISTENER)
    def like(self, input: LikeInput) -> Like:
        """Like a READY song, an album or an artist; liking again keeps the first like."""

    @lambda_field(auth=LISTENER)
    def unlike(self, input: LikeInput) -> bool:
        """Withdraw a like; false when there was none."""
