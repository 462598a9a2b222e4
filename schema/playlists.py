"""Playlists: a listener's ordered songs, and smart playlists evaluated from rules when read."""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.catalog import Song, SongSort
from schema.directives import LISTENER
from schema.lambda_field import lambda_field
from schema.scalars import AWSDate, AWSDateTime


@strawberry.enum(description="Who may read a playlist (only its owner changes it).")
class PlaylistVisibility(enum.Enum):
    PRIVATE = strawberry.enum_value("PRIVATE", description="The owner alone.")
    PUBLIC = strawberry.enum_value("PUBLIC", description="Every listener; found by `search`.")


@strawberry.type(description="A playlist's owner, as other listeners see them.")
class PlaylistOwner:
    display_name: str


@strawberry.type(description="One place in a playlist; `song` is null once the song is deleted (unavailable).")
class PlaylistEntry:
    id: ID
    added_at: AWSDateTime
    song: Song | None


@strawberry.type
class PlaylistEntryConnection:
    items: list[PlaylistEntry]
    next_token: str | None


@strawberry.type(description="What a smart playlist's songs must be; every given rule holds.")
class SmartRules:
    genres: list[str] | None
    artist_ids: list[ID] | None
    min_rating: float | None
    released_after: AWSDate | None
    released_before: AWSDate | None
    liked_only: bool
    sort: SongSort
    limit: int


@strawberry.type
class Playlist:
    id: ID
    name: str
    description: str | None
    visibility: PlaylistVisibility
    smart: bool = strawberry.field(description="Its songs come from `rules`, evaluated when read.")
    rules: SmartRules | None
    song_count: int = strawberry.field(description="Entries, an unavailable song's included (smart: as evaluated).")
    duration_seconds: int = strawberry.field(description="The songs' total length, as known when they were added.")
    created_at: AWSDateTime
    updated_at: AWSDateTime

    @lambda_field(batch=True)
    def owner(self) -> PlaylistOwner:
        """Who keeps the playlist."""

    @lambda_field(batch=True)
    def entries(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> PlaylistEntryConnection:
        """The songs in playlist order (a smart playlist: its rules' order, up to its limit)."""


@strawberry.type
class PlaylistConnection:
    items: list[Playlist]
    next_token: str | None


@strawberry.input
class CreatePlaylistInput:
    name: str
    description: str | None = strawberry.UNSET
    visibility: PlaylistVisibility | None = strawberry.field(
        default=strawberry.UNSET, description="PRIVATE if not given."
    )


@strawberry.input(description="Only the given fields change; null clears the description.")
class UpdatePlaylistInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    visibility: PlaylistVisibility | None = strawberry.UNSET


@strawberry.input(description="Every given rule must hold. Release dates are inclusive, as YYYY-MM-DD.")
class SmartRulesInput:
    genres: list[str] | None = strawberry.UNSET
    artist_ids: list[ID] | None = strawberry.field(default=strawberry.UNSET, description="Any of these (at most 10).")
    min_rating: float | None = strawberry.field(default=strawberry.UNSET, description="The song's average, 1 to 5.")
    released_after: AWSDate | None = strawberry.UNSET
    released_before: AWSDate | None = strawberry.UNSET
    liked_only: bool | None = strawberry.field(default=strawberry.UNSET, description="The owner's liked songs only.")
    sort: SongSort | None = strawberry.field(default=strawberry.UNSET, description="NEWEST if not given.")
    limit: int | None = strawberry.field(default=strawberry.UNSET, description="At most this many songs (1-500, 100).")


@strawberry.input
class CreateSmartPlaylistInput:
    name: str
    description: str | None = strawberry.UNSET
    visibility: PlaylistVisibility | None = strawberry.UNSET
    rules: SmartRulesInput


@strawberry.type
class PlaylistQuery:
    @lambda_field(auth=LISTENER)
    def playlist(self, id: ID) -> Playlist:
        """One playlist: the caller's own, or anyone's PUBLIC one."""

    @lambda_field(auth=LISTENER)
    def my_playlists(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> PlaylistConnection:
        """The caller's playlists, the latest created first."""


@strawberry.type
class PlaylistMutation:
    @lambda_field(auth=LISTENER)
    def create_playlist(self, input: CreatePlaylistInput) -> Playlist:
        """A new empty playlist of the caller's."""

    @lambda_field(auth=LISTENER)
    def create_smart_playlist(self, input: CreateSmartPlaylistInput) -> Playlist:
        """A playlist whose songs are whatever matches its rules when it is read."""

    @lambda_field(auth=LISTENER)
    def update_playlist(self, id: ID, input: UpdatePlaylistInput) -> Playlist:
        """Rename, describe or change the visibility of the caller's playlist."""

    @lambda_field(auth=LISTENER)
    def delete_playlist(self, id: ID) -> ID:
        """Delete the caller's playlist and its entries."""

    @lambda_field(auth=LISTENER)
    def add_to_playlist(
        self,
        playlist_id: ID,
        song_ids: list[ID],
        after_entry_id: ID | None = strawberry.UNSET,
        at_start: bool | None = strawberry.UNSET,
    ) -> Playlist:
        """Add up to 50 READY songs: at the start, after an entry, or (neither) at the end."""

    @lambda_field(auth=LISTENER)
    def remove_from_playlist(self, playlist_id: ID, entry_ids: list[ID]) -> Playlist:
        """Remove up to 50 entries."""

    @lambda_field(auth=LISTENER)
    def move_playlist_entry(
        self,
        playlist_id: ID,
        entry_id: ID,
        after_entry_id: ID | None = strawberry.UNSET,
        at_start: bool | None = strawberry.UNSET,
    ) -> Playlist:
        """Move an entry to the start, after another entry, or (neither) to the end."""
