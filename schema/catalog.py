"""The music catalog: artists, albums, songs and genres."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import ID

from schema.directives import ADMIN, LISTENER
from schema.lambda_field import lambda_field
from schema.media import AudioInfo
from schema.scalars import AWSURL, AWSDate, AWSDateTime

if TYPE_CHECKING:
    from schema.lyrics import Lyrics, LyricsStatus


@strawberry.enum(description="Where a song is on its way to being playable.")
class SongStatus(enum.Enum):
    DRAFT = "DRAFT"
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


@strawberry.enum(description="How `songs` are ordered.")
class SongSort(enum.Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="Latest release first (within one album: track order).")
    TOP_RATED = strawberry.enum_value(
        "TOP_RATED", description="Highest average rating first, then most ratings; unrated songs last."
    )
    TITLE = strawberry.enum_value("TITLE", description="Alphabetical, ignoring case and accents.")
    MOST_PLAYED = strawberry.enum_value(
        "MOST_PLAYED", description="Most counted plays of all listeners first (`playCount`, a second behind)."
    )


@strawberry.enum(description="How `albums` are ordered.")
class AlbumSort(enum.Enum):
    NEWEST = strawberry.enum_value("NEWEST", description="Latest release first.")
    TITLE = strawberry.enum_value("TITLE", description="Alphabetical, ignoring case and accents.")


@strawberry.type(description="A genre of the catalog's fixed vocabulary; `id` is what filters take.")
class Genre:
    id: ID
    name: str


@strawberry.type
class Artist:
    id: ID
    name: str
    bio: str | None
    genres: list[str]
    failure_reason: str | None = strawberry.field(description="Why the last image upload was refused.")
    follower_count: int = strawberry.field(description="How many listeners follow the artist.")
    album_count: int = strawberry.field(description="How many albums the artist has (kept with every write).")
    song_count: int = strawberry.field(description="How many songs the artist has, drafts included.")
    created_at: AWSDateTime
    updated_at: AWSDateTime

    @lambda_field(batch=True)
    def image_url(self) -> AWSURL | None:
        """The uploaded image (a URL valid for a day), else the external URL an admin set."""

    @lambda_field(batch=True)
    def albums(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> AlbumConnection:
        """The artist's albums, newest release first."""

    @lambda_field(batch=True)
    def liked(self) -> bool:
        """Whether the caller likes this artist."""


@strawberry.type
class Album:
    id: ID
    title: str
    release_date: AWSDate | None
    genre: str
    failure_reason: str | None = strawberry.field(description="Why the last cover upload was refused.")
    song_count: int = strawberry.field(description="How many songs the album has, drafts included.")
    created_at: AWSDateTime
    updated_at: AWSDateTime

    @lambda_field(batch=True)
    def cover_url(self) -> AWSURL | None:
        """The uploaded cover (a URL valid for a day), else the external URL an admin set."""

    @lambda_field(batch=True)
    def artist(self) -> Artist:
        """The album's artist."""

    @lambda_field(batch=True)
    def songs(self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET) -> SongConnection:
        """The album's songs in track order."""

    @lambda_field(batch=True)
    def liked(self) -> bool:
        """Whether the caller likes this album."""


@strawberry.type
class Song:
    id: ID
    title: str
    genre: str
    track_number: int | None
    duration_seconds: int | None
    status: SongStatus
    failure_reason: str | None = strawberry.field(description="Why the last audio upload was refused.")
    audio: AudioInfo | None
    release_date: AWSDate = strawberry.field(
        description="Its album's release date (else the day the album was added); a single's: the day it was added."
    )
    average_rating: float | None = strawberry.field(description="The mean of the song's ratings; null when unrated.")
    rating_count: int = strawberry.field(description="How many listeners rated the song.")
    play_count: int = strawberry.field(
        description="Counted plays by every listener, once the play queue has added them up (seconds behind)."
    )
    created_at: AWSDateTime
    updated_at: AWSDateTime
    lyrics_status: Annotated[LyricsStatus, strawberry.lazy("schema.lyrics")]
    lyrics_failure_reason: str | None = strawberry.field(description="Why the last transcription of its lyrics failed.")

    @lambda_field(batch=True)
    def lyrics(self) -> Annotated[Lyrics, strawberry.lazy("schema.lyrics")] | None:
        """The lyrics shown (edited, else embedded, else transcribed); for listeners, only of READY songs."""

    @lambda_field(batch=True)
    def artist(self) -> Artist:
        """The song's artist."""

    @lambda_field(batch=True)
    def stream_url(self) -> AWSURL | None:
        """A short-lived URL to play the song (HTTP Range supported); null until it is READY."""

    @lambda_field(batch=True)
    def album(self) -> Album | None:
        """The album the song is on; null for a single."""

    @lambda_field(batch=True)
    def my_rating(self) -> int | None:
        """The caller's stars for this song; null when the caller has not rated it."""

    @lambda_field(batch=True)
    def my_play_count(self) -> int:
        """How many of the caller's plays of this song counted."""

    @lambda_field(batch=True)
    def liked(self) -> bool:
        """Whether the caller likes this song."""


@strawberry.type
class ArtistConnection:
    items: list[Artist]
    next_token: str | None


@strawberry.type
class AlbumConnection:
    items: list[Album]
    next_token: str | None


@strawberry.type
class SongConnection:
    items: list[Song]
    next_token: str | None


@strawberry.input(description="Every given criterion must hold. Release dates are inclusive, as YYYY-MM-DD.")
class SongFilterInput:
    genre: str | None = strawberry.UNSET
    genres: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Any of these genres.")
    artist_id: ID | None = strawberry.UNSET
    album_id: ID | None = strawberry.UNSET
    released_after: AWSDate | None = strawberry.field(default=strawberry.UNSET, description="Released on or after.")
    released_before: AWSDate | None = strawberry.field(default=strawberry.UNSET, description="Released on or before.")
    min_rating: float | None = strawberry.field(
        default=strawberry.UNSET, description="An average rating of at least this (1 to 5); excludes unrated songs."
    )


@strawberry.input(description="Every given criterion must hold. Release dates are inclusive, as YYYY-MM-DD.")
class AlbumFilterInput:
    genre: str | None = strawberry.UNSET
    genres: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Any of these genres.")
    artist_id: ID | None = strawberry.UNSET
    released_after: AWSDate | None = strawberry.field(default=strawberry.UNSET, description="Released on or after.")
    released_before: AWSDate | None = strawberry.field(default=strawberry.UNSET, description="Released on or before.")


@strawberry.input
class ArtistFilterInput:
    genre: str | None = strawberry.field(default=strawberry.UNSET, description="Artists who have this genre.")


@strawberry.input
class CreateArtistInput:
    name: str
    bio: str | None = strawberry.UNSET
    genres: list[str] | None = strawberry.UNSET
    image_url: AWSURL | None = strawberry.UNSET
    import_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An importer's key for this artist, unique among artists (ConflictError names the holder).",
    )


@strawberry.input(description="Only the given fields change; null clears an optional field.")
class UpdateArtistInput:
    name: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    genres: list[str] | None = strawberry.UNSET
    image_url: AWSURL | None = strawberry.UNSET


@strawberry.input
class CreateAlbumInput:
    artist_id: ID
    title: str
    genre: str
    release_date: AWSDate | None = strawberry.UNSET
    cover_url: AWSURL | None = strawberry.UNSET
    import_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An importer's key for this album, unique among albums (ConflictError names the holder).",
    )


@strawberry.input(description="Only the given fields change; null clears an optional field.")
class UpdateAlbumInput:
    title: str | None = strawberry.UNSET
    genre: str | None = strawberry.UNSET
    release_date: AWSDate | None = strawberry.UNSET
    cover_url: AWSURL | None = strawberry.UNSET


@strawberry.input(description="A song's metadata; its audio is uploaded separately.")
class CreateSongInput:
    title: str
    artist_id: ID
    genre: str
    album_id: ID | None = strawberry.UNSET
    track_number: int | None = strawberry.UNSET
    duration_seconds: int | None = strawberry.UNSET
    import_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An importer's key for this song, unique among songs (ConflictError names the holder).",
    )


@strawberry.input(description="Only the given fields change; null clears an optional field.")
class UpdateSongInput:
    title: str | None = strawberry.UNSET
    genre: str | None = strawberry.UNSET
    track_number: int | None = strawberry.UNSET
    duration_seconds: int | None = strawberry.UNSET


@strawberry.type
class CatalogQuery:
    @lambda_field(auth=LISTENER)
    def artist(self, id: ID) -> Artist | None:
        """One artist; null when there is none with this id."""

    @lambda_field(auth=LISTENER)
    def artists(
        self,
        filter: ArtistFilterInput | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
    ) -> ArtistConnection:
        """Artists by name (ignoring case and accents), a page at a time."""

    @lambda_field(auth=LISTENER)
    def album(self, id: ID) -> Album | None:
        """One album; null when there is none with this id."""

    @lambda_field(auth=LISTENER)
    def albums(
        self,
        filter: AlbumFilterInput | None = strawberry.UNSET,
        sort: AlbumSort | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
    ) -> AlbumConnection:
        """Albums, newest release first unless sorted otherwise; a page may hold fewer than `limit`."""

    @lambda_field(auth=LISTENER)
    def song(self, id: ID) -> Song | None:
        """One song; null when there is none with this id."""

    @lambda_field(auth=LISTENER)
    def songs(
        self,
        filter: SongFilterInput | None = strawberry.UNSET,
        sort: SongSort | None = strawberry.UNSET,
        limit: int | None = strawberry.UNSET,
        next_token: str | None = strawberry.UNSET,
    ) -> SongConnection:
        """Songs, newest release first unless sorted otherwise; a page may hold fewer than `limit`."""

    @lambda_field(auth=LISTENER)
    def genres(self) -> list[Genre]:
        """The genres songs, albums and artists may have."""


@strawberry.type
class CatalogMutation:
    @lambda_field(auth=ADMIN)
    def create_artist(self, input: CreateArtistInput) -> Artist:
        """Add an artist to the catalog."""

    @lambda_field(auth=ADMIN)
    def update_artist(self, id: ID, input: UpdateArtistInput) -> Artist:
        """Change an artist's details."""

    @lambda_field(auth=ADMIN)
    def delete_artist(self, id: ID) -> ID:
        """Remove an artist; refused (ConflictError) while the artist still has albums or songs."""

    @lambda_field(auth=ADMIN)
    def create_album(self, input: CreateAlbumInput) -> Album:
        """Add an album to an existing artist."""

    @lambda_field(auth=ADMIN)
    def update_album(self, id: ID, input: UpdateAlbumInput) -> Album:
        """Change an album's details."""

    @lambda_field(auth=ADMIN)
    def delete_album(self, id: ID) -> ID:
        """Remove an album; refused (ConflictError) while it still has songs."""

    @lambda_field(auth=ADMIN)
    def create_song(self, input: CreateSongInput) -> Song:
        """Add a song (metadata) to an existing artist and, optionally, one of the artist's albums."""

    @lambda_field(auth=ADMIN)
    def update_song(self, id: ID, input: UpdateSongInput) -> Song:
        """Change a song's metadata."""

    @lambda_field(auth=ADMIN)
    def delete_song(self, id: ID) -> ID:
        """Remove a song."""
