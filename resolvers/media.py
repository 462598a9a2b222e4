"""Media: presigned uploads, the checks an upload must pass to become playable, and streaming.

Files never pass through GraphQL or Lambda payloads: clients POST to S3 with a presigned
form, S3 reports the new object (S3 → SQS → media processor), and listeners stream from
S3 with a presigned GET. S3 cannot be trusted to have enforced the form's policy (the
local emulation does not), so the processor re-checks size, magic bytes and that the
file decodes before a song turns READY.
"""

from __future__ import annotations

import datetime
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from resolvers import aws_clients, lyrics, releases
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import table
from resolvers.errors import NotFoundError, ValidationError
from resolvers.lyrics_text import embedded_lyrics
from resolvers.observability import logger
from resolvers.settings import settings
from resolvers.validation import identifier, whole_number

UPLOAD_SECONDS = 15 * 60
STREAM_SECONDS = 15 * 60
MAX_AUDIO_BYTES = 200 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_URL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class FileFormat:
    name: str
    extension: str

    def looks_like(self, head: bytes) -> bool:
        """The file's first bytes match the format (its magic number)."""
        two = len(head) > 1
        checks = {
            "WAV": head[:4] == b"RIFF" and head[8:12] == b"WAVE",
            "MP3": head[:3] == b"ID3" or (two and head[0] == 0xFF and head[1] & 0xE0 == 0xE0),
            "FLAC": head[:4] == b"fLaC",
            "OGG": head[:4] == b"OggS",
            "AAC": head[4:8] == b"ftyp" or (two and head[0] == 0xFF and head[1] & 0xF6 == 0xF0),
            "JPEG": head[:3] == b"\xff\xd8\xff",
            "PNG": head[:8] == b"\x89PNG\r\n\x1a\n",
            "WEBP": head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        }
        return checks.get(self.name, False)


_WAV, _MP3, _FLAC, _OGG, _AAC = (
    FileFormat("WAV", "wav"),
    FileFormat("MP3", "mp3"),
    FileFormat("FLAC", "flac"),
    FileFormat("OGG", "ogg"),
    FileFormat("AAC", "m4a"),
)
AUDIO_TYPES: dict[str, FileFormat] = {
    "audio/wav": _WAV,
    "audio/x-wav": _WAV,
    "audio/wave": _WAV,
    "audio/mpeg": _MP3,
    "audio/mp3": _MP3,
    "audio/flac": _FLAC,
    "audio/x-flac": _FLAC,
    "audio/ogg": _OGG,
    "audio/opus": _OGG,
    "audio/aac": _AAC,
    "audio/mp4": _AAC,
    "audio/x-m4a": _AAC,
}
IMAGE_TYPES: dict[str, FileFormat] = {
    "image/jpeg": FileFormat("JPEG", "jpg"),
    "image/png": FileFormat("PNG", "png"),
    "image/webp": FileFormat("WEBP", "webp"),
}


@dataclass(frozen=True)
class Slot:
    """Where an upload of one kind goes: the item it belongs to, its S3 folder, its formats and size."""

    kind: str
    item_kind: str
    id_argument: str
    prefix: str
    folder: str
    formats: dict[str, FileFormat]
    max_bytes: int

    @property
    def current(self) -> str:
        return f"{self.folder}Key"  # the attribute naming the file in use: audioKey, coverKey, imageKey

    @property
    def pending(self) -> str:
        return f"pending{self.folder.title()}"  # the upload being checked


SLOTS: dict[str, Slot] = {
    slot.kind: slot
    for slot in (
        Slot("AUDIO", "SONG", "songId", "songs", "audio", AUDIO_TYPES, MAX_AUDIO_BYTES),
        Slot("COVER", "ALBUM", "albumId", "albums", "cover", IMAGE_TYPES, MAX_IMAGE_BYTES),
        Slot("IMAGE", "ARTIST", "artistId", "artists", "image", IMAGE_TYPES, MAX_IMAGE_BYTES),
    )
}
PREFIXES = {slot.item_kind: slot.prefix for slot in SLOTS.values()}


@cache
def _s3() -> Any:
    return aws_clients.client("s3", signature_version="s3v4")


def request_upload(data: Mapping[str, Any]) -> dict[str, Any]:
    """A presigned POST bound to the declared type and size; the item waits for the file."""
    slot = SLOTS.get(str(data.get("kind")))
    if slot is None:
        raise ValidationError(f"kind: one of {', '.join(SLOTS)}")
    item_id = identifier(data.get(slot.id_argument), slot.id_argument)
    content_type = str(data.get("contentType", "")).lower()
    if content_type not in slot.formats:
        raise ValidationError(f"contentType: {slot.kind} must be one of {', '.join(sorted(slot.formats))}")
    size = whole_number(data.get("sizeBytes"), "sizeBytes", low=1, high=slot.max_bytes)
    key = f"{slot.prefix}/{item_id}/{slot.folder}/{uuid.uuid4()}.{slot.formats[content_type].extension}"
    item = table.get(slot.item_kind, item_id)
    if item is None:
        raise NotFoundError(f"{slot.item_kind.title()} {item_id} not found")
    changes: dict[str, Any] = {slot.pending: {"key": key, "contentType": content_type, "sizeBytes": size}}
    if slot.kind == "AUDIO":
        # A READY song stays READY (its current audio playable) until the replacement is.
        changes["status"] = "READY" if item["status"] == "READY" else "PENDING"
    catalog_data.update(slot.item_kind, item_id, changes, now_iso())
    post = _s3().generate_presigned_post(
        settings().bucket,
        key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, size]],
        ExpiresIn=UPLOAD_SECONDS,
    )
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=UPLOAD_SECONDS)
    return {
        "url": post["url"],
        "fields": [{"name": name, "value": value} for name, value in post["fields"].items()],
        "key": key,
        "expiresAt": expires.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "maxSizeBytes": size,
    }


def image_urls(items: list[Mapping[str, Any] | None], slot_kind: str) -> list[str | None]:
    """An uploaded cover or image as a presigned GET (a day), else the external URL an admin set."""
    slot = SLOTS[slot_kind]
    stored = "coverUrl" if slot_kind == "COVER" else "imageUrl"
    return [
        (download_url(item, IMAGE_URL_SECONDS, slot.current) if item.get(slot.current) else item.get(stored))
        if item
        else None
        for item in items
    ]


def download_url(item: Mapping[str, Any], seconds: int, attribute: str = "audioKey") -> str:
    """A presigned GET of an item's current file (a song's audio by default)."""
    return _s3().generate_presigned_url(
        "get_object", Params={"Bucket": settings().bucket, "Key": item[attribute]}, ExpiresIn=seconds
    )


def stream_urls(songs: list[Mapping[str, Any] | None]) -> list[str | None]:
    """Short-lived GET URLs for READY songs (S3 answers Range requests with 206)."""
    return [
        download_url(song, STREAM_SECONDS) if song and song.get("status") == "READY" and song.get("audioKey") else None
        for song in songs
    ]


class Rejected(Exception):
    """The uploaded file cannot become the item's file; the message says why, for the admin."""


def _inspect_audio(path: str, size: int, audio_format: FileFormat) -> dict[str, Any]:
    """A full parse; what the player needs to know about the audio."""
    # Imported here: only the media processor parses audio, and the API function's cold start
    # would otherwise compile mutagen (the dependencies layer ships no bytecode).
    import mutagen  # noqa: PLC0415
    import mutagen.mp4  # noqa: PLC0415

    try:
        parsed = mutagen.File(path)
    except mutagen.MutagenError as error:
        raise Rejected(f"The {audio_format.name} file could not be decoded: {error}") from None
    length = getattr(getattr(parsed, "info", None), "length", 0) or 0
    if parsed is None or length <= 0:
        raise Rejected(f"The {audio_format.name} file could not be decoded or holds no audio")
    info = parsed.info
    # Transcribe takes AAC only inside MP4 (M4A), not raw (ADTS): resolvers/transcription.py.
    media_format = "mp4" if isinstance(parsed, mutagen.mp4.MP4) else None
    return {
        "embeddedLyrics": embedded_lyrics(parsed, round(length * 1000)),
        "mediaFormat": media_format,
        "durationSeconds": max(1, round(length)),
        "audio": {
            "format": audio_format.name,
            "sizeBytes": size,
            "bitrate": getattr(info, "bitrate", None) or None,
            "sampleRate": getattr(info, "sample_rate", None) or None,
            "channels": getattr(info, "channels", None) or None,
        },
    }


def _check(bucket: str, key: str, slot: Slot, pending: Mapping[str, Any]) -> dict[str, Any]:
    """What S3 cannot be trusted to have checked: size, magic bytes and, for audio, a full decode."""
    file_format = slot.formats[pending["contentType"]]
    head = _s3().head_object(Bucket=bucket, Key=key)
    size = head["ContentLength"]
    if size > pending["sizeBytes"]:
        raise Rejected(f"The file is {size} bytes, more than the {pending['sizeBytes']} bytes declared")
    with tempfile.NamedTemporaryFile(suffix=f".{file_format.extension}") as file:
        _s3().download_fileobj(bucket, key, file)
        file.flush()
        file.seek(0)
        if not file_format.looks_like(file.read(16)):
            raise Rejected(f"The file is not {file_format.name}, as its content type said")
        found = _inspect_audio(file.name, size, file_format) if slot.kind == "AUDIO" else {}
    return {**found, f"{slot.folder}Etag": head["ETag"].strip('"')}


def process_upload(bucket: str, key: str) -> None:
    """Turn an uploaded object into the item's file, or refuse it with a reason. Safe to repeat."""
    parts = key.split("/")
    slot = next((s for s in SLOTS.values() if parts[0] == s.prefix and parts[2:3] == [s.folder]), None)
    if len(parts) != 4 or slot is None:
        logger.warning("ignoring an object outside the upload layout", extra={"key": key})
        return
    item = table.get(slot.item_kind, parts[1])
    if item is None or item.get(slot.current) == key:
        if item is None:
            _s3().delete_object(Bucket=bucket, Key=key)
        return  # the item is gone, or this upload was already processed (a redelivery)
    pending = item.get(slot.pending) or {}
    if pending.get("key") != key:
        logger.info("removing a superseded upload", extra={"key": key})
        _s3().delete_object(Bucket=bucket, Key=key)
        return
    try:
        found = _check(bucket, key, slot, pending)
    except Rejected as refusal:
        _s3().delete_object(Bucket=bucket, Key=key)
        refused: dict[str, Any] = {slot.pending: None, "failureReason": str(refusal)}
        if slot.kind == "AUDIO":
            refused["status"] = "READY" if item["status"] == "READY" else "FAILED"
        catalog_data.update(slot.item_kind, item["id"], refused, now_iso())
        return
    embedded = found.pop("embeddedLyrics", None)
    accepted: dict[str, Any] = {**found, slot.current: key, slot.pending: None, "failureReason": None}
    if slot.kind == "AUDIO":
        accepted["status"] = "READY"
        # Before the song takes the file: a retry of a failed lyrics write redoes both.
        lyrics.on_new_audio({**item, **accepted}, embedded, first_upload=item["status"] != "READY")
    catalog_data.update(slot.item_kind, item["id"], accepted, now_iso())
    if item.get(slot.current):
        _s3().delete_object(Bucket=bucket, Key=item[slot.current])  # the replaced file
    if slot.kind == "AUDIO" and item["status"] != "READY":
        on_song_ready({**item, **accepted})  # its first release; a replaced file is not news


def remove_files(kind: str, item_id: str) -> int:
    """Delete every object of a deleted item (current, replaced and pending uploads); safe to repeat."""
    if table.get(kind, item_id) is not None:
        logger.warning("not removing the files of an item that exists", extra={"kind": kind, "id": item_id})
        return 0
    removed = 0
    pages = (
        _s3().get_paginator("list_objects_v2").paginate(Bucket=settings().bucket, Prefix=f"{PREFIXES[kind]}/{item_id}/")
    )
    for page in pages:
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            _s3().delete_objects(Bucket=settings().bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def on_song_ready(song: Mapping[str, Any]) -> None:
    """A song became playable for the first time: followers hear of it (the new-content fan-out)."""
    releases.announce("SONG", dict(song))
