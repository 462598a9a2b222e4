"""The play queue that follows a listener across devices: save it on one, resume it on another.

One queue per listener, versioned: each save names the version it replaces, so two devices
never silently overwrite each other. `onPlayQueueChanged` tells the listener's other
devices; its filter (the subscriber's own queue) is set by its resolver, never by a client.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import ID

from schema.catalog import Song
from schema.directives import LISTENER
from schema.filtered_subscription import filtered_subscription_field
from schema.lambda_field import lambda_field
from schema.scalars import AWSDateTime


@strawberry.input(description="The whole queue as the device has it now, and the version it replaces.")
class PlayQueueInput:
    song_ids: list[ID] = strawberry.field(description="Up to 500 song ids, in play order; repeats allowed.")
    current_index: int = strawberry.field(
        description="The position in songIds playing now: 0 to songIds' length - 1 (0 for an empty queue)."
    )
    position_ms: int = strawberry.field(description="How far into the current song, 0 to 86,400,000 (a day).")
    device: str = strawberry.field(description="The saving device's name, a single line of up to 100 characters.")
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version this save replaces (from playQueue or the last save); omit it for the first save.",
    )


@strawberry.type(description="The caller's play queue: what plays, where it stopped, and which save this is.")
class PlayQueue:
    owner_id: ID = strawberry.field(description="The listener whose queue this is; onPlayQueueChanged filters on it.")
    song_ids: list[ID]
    current_index: int
    position_ms: int
    device: str = strawberry.field(description="The device that saved this version.")
    version: int = strawberry.field(description="1 for the first save, one more for each save after it.")
    updated_at: AWSDateTime = strawberry.field(description="When this version was saved (the server's clock).")
    songs: list[Song | None] | None = strawberry.field(
        default=None,
        description=(
            "The songs of songIds, position for position (null where a song was deleted since), "
            "so currentIndex points at the same entry. Read in one batch when selected."
        ),
    )


@strawberry.type
class PlayQueueQuery:
    @lambda_field(auth=LISTENER)
    def play_queue(self) -> PlayQueue | None:
        """The caller's play queue, to resume on this device; null until one is saved."""


@strawberry.type
class PlayQueueMutation:
    @lambda_field(auth=LISTENER)
    def save_play_queue(self, input: PlayQueueInput) -> PlayQueue:
        """Save the caller's queue over expectedVersion (else ConflictError); select ownerId to reach other devices."""


@strawberry.type
class PlayQueueSubscription:
    @filtered_subscription_field(mutations=["savePlayQueue"], auth=LISTENER)
    def on_play_queue_changed(self) -> AsyncGenerator[PlayQueue | None, None]:
        """Each save of the caller's own play queue, from any of their devices (the saving one too).
        The resolver filters on the caller's user id: no argument chooses whose queue."""
