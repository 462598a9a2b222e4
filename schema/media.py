"""Media: presigned uploads for administrators; audio is processed asynchronously into a playable song."""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.directives import ADMIN
from schema.lambda_field import lambda_field
from schema.scalars import AWSURL, AWSDateTime


@strawberry.enum(description="What an upload is: a song's audio, an album's cover, an artist's image.")
class MediaKind(enum.Enum):
    AUDIO = "AUDIO"
    COVER = "COVER"
    IMAGE = "IMAGE"


@strawberry.input(
    description="The file to upload: its kind, the item it belongs to (songId for AUDIO, albumId for COVER, "
    "artistId for IMAGE), its MIME type and its exact size."
)
class UploadRequestInput:
    kind: MediaKind
    content_type: str
    size_bytes: int
    song_id: ID | None = strawberry.UNSET
    album_id: ID | None = strawberry.UNSET
    artist_id: ID | None = strawberry.UNSET


@strawberry.type(description="One form field of a presigned POST, to send as given.")
class FormField:
    name: str
    value: str


@strawberry.type(
    description="POST a multipart form to `url`: every field of `fields`, then the file as the last field `file`."
)
class PresignedUpload:
    url: AWSURL
    fields: list[FormField]
    key: str
    expires_at: AWSDateTime
    max_size_bytes: int


@strawberry.type(description="What the media processor read from a song's audio file.")
class AudioInfo:
    format: str
    size_bytes: int
    bitrate: int | None
    sample_rate: int | None
    channels: int | None


@strawberry.type
class MediaMutation:
    @lambda_field(auth=ADMIN)
    def request_upload(self, input: UploadRequestInput) -> PresignedUpload:
        """A short-lived presigned POST for one file; for audio, the song's media turns PENDING."""
