"""Share links: a playlist, an album or a song, shown to anyone holding the link."""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.directives import GUEST, LISTENER
from schema.lambda_field import lambda_field
from schema.scalars import AWSURL, AWSDateTime


@strawberry.enum(description="What a link shares.")
class SharedKind(enum.Enum):
    PLAYLIST = "PLAYLIST"
    ALBUM = "ALBUM"
    SONG = "SONG"


@strawberry.type(description="A link the caller made; `url` opens the web client.")
class ShareLink:
    token: str
    url: AWSURL
    kind: SharedKind
    created_at: AWSDateTime
    expires_at: AWSDateTime


@strawberry.type
class ShareLinkConnection:
    items: list[ShareLink]
    next_token: str | None


@strawberry.type(directives=[*GUEST, *LISTENER], description="A track of a shared item (no stream: sign in to play).")
class SharedTrack:
    title: str
    artist_name: str | None
    duration_seconds: int | None


@strawberry.type(directives=[*GUEST, *LISTENER], description="What a share link shows while it is valid.")
class SharedItem:
    kind: SharedKind
    title: str
    artist_name: str | None
    cover_url: AWSURL | None
    expires_at: AWSDateTime
    tracks: list[SharedTrack]


@strawberry.input(description="Exactly one of playlistId, albumId, songId.")
class CreateShareLinkInput:
    playlist_id: ID | None = strawberry.UNSET
    album_id: ID | None = strawberry.UNSET
    song_id: ID | None = strawberry.UNSET
    expires_in_days: int | None = strawberry.field(default=strawberry.UNSET, description="1 to 365; 30 if not given.")


@strawberry.type
class SharingQuery:
    @lambda_field(auth=LISTENER)
    def my_share_links(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> ShareLinkConnection:
        """The caller's links, the latest first (expired ones included until the table drops them)."""

    @lambda_field(auth=[*GUEST, *LISTENER])
    def shared(self, token: str) -> SharedItem:
        """What a link shares, for anyone holding it: NotFoundError once expired or revoked."""


@strawberry.type
class SharingMutation:
    @lambda_field(auth=LISTENER)
    def create_share_link(self, input: CreateShareLinkInput) -> ShareLink:
        """A link to a playlist the caller may read, an album, or a READY song."""

    @lambda_field(auth=LISTENER)
    def revoke_share_link(self, token: str) -> bool:
        """End one of the caller's links now; false when it is not theirs or already gone."""
