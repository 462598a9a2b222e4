"""Offline playback: a listener's songs kept on the device, with licenses renewed on sync."""

from __future__ import annotations

import strawberry
from strawberry import ID

from schema.catalog import Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field
from schema.scalars import AWSURL, AWSDateTime


@strawberry.type(description="A song kept for offline playback: download it, check it, play it until the license ends.")
class OfflineSong:
    song: Song
    download_url: AWSURL
    size_bytes: int
    checksum: str = strawberry.field(description="The S3 ETag of the audio file: compare after downloading.")
    added_at: AWSDateTime
    license_expires_at: AWSDateTime


@strawberry.type
class OfflineLibraryPage:
    items: list[OfflineSong]
    next_token: str | None


@strawberry.type(description="What the device must do to match the library; every kept song's license is renewed.")
class OfflineSync:
    download: list[OfflineSong] = strawberry.field(description="Added since `since`, or whose audio was replaced.")
    keep: list[OfflineSong] = strawberry.field(description="Unchanged; licenses renewed.")
    remove: list[ID] = strawberry.field(description="Songs to delete from the device: deleted or no longer playable.")
    synced_at: AWSDateTime


@strawberry.type
class OfflineQuery:
    @lambda_field(auth=LISTENER)
    def offline_library(
        self, limit: int | None = strawberry.UNSET, next_token: str | None = strawberry.UNSET
    ) -> OfflineLibraryPage:
        """The caller's offline songs, most recently added first."""


@strawberry.type
class OfflineMutation:
    @lambda_field(auth=LISTENER)
    def add_to_offline(self, song_id: ID) -> OfflineSong:
        """Keep a READY song offline (adding it again renews its license); the library has a per-user limit."""

    @lambda_field(auth=LISTENER)
    def remove_from_offline(self, song_id: ID) -> ID:
        """Stop keeping a song offline."""

    @lambda_field(auth=LISTENER)
    def offline_sync(self, since: AWSDateTime | None = strawberry.UNSET) -> OfflineSync:
        """Reconcile the device with the library since the last sync (null: everything), renewing licenses."""
