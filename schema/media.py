"""Media: presigned uploads for administrators; audio is processed asynchronously into a playable song."""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.directives import ADMIN
from schema.lambda_field import lambda_field
from schema.scalars import AWSURL, AWSDateTime


@strawberry.enum(description="What an upload is; AUDIO is a song's audio file.")
class MediaKind(enum.Enum):
    AUDIO = "AUDIO"


@strawberry.input(description="The file to upload: what it is, its MIME type and its exact size.")
class UploadRequestInput:
    kind: MediaKind
    song_id: ID
    content_type: str
    size_bytes: int


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
