"""Media: presigned uploads, the checks an upload must pass to become playable, and streaming.

Files never pass through GraphQL or Lambda payloads: clients POST to S3 with a presigned
form, S3 reports the new object (S3 → SQS → media processor), and listeners stream from
S3 with a presigned GET. S3 cannot be trusted to have enforced the form's policy (the
local emulation does not), so the processor re-checks size, magic bytes and that the
file decodes before a song turns READY.
"""

from __future__ import annotations

import datetime
import json
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
import mutagen
from botocore.config import Config

from resolvers import store
from resolvers.clock import now_iso
from resolvers.errors import NotFoundError, ValidationError
from resolvers.observability import logger
from resolvers.settings import settings
from resolvers.validation import identifier, whole_number

UPLOAD_SECONDS = 15 * 60
STREAM_SECONDS = 15 * 60
MAX_AUDIO_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class AudioFormat:
    name: str
    extension: str

    def looks_like(self, head: bytes) -> bool:
        """The file's first bytes match the format (its magic number)."""
        if self.name == "WAV":
            return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
        if self.name == "MP3":
            return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
        if self.name == "FLAC":
            return head[:4] == b"fLaC"
        if self.name == "OGG":
            return head[:4] == b"OggS"
        if self.name == "AAC":
            return head[4:8] == b"ftyp" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0)
        return False


_WAV, _MP3, _FLAC, _OGG, _AAC = (
    AudioFormat("WAV", "wav"),
    AudioFormat("MP3", "mp3"),
    AudioFormat("FLAC", "flac"),
    AudioFormat("OGG", "ogg"),
    AudioFormat("AAC", "m4a"),
)
AUDIO_TYPES: dict[str, AudioFormat] = {
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


@cache
def _s3() -> Any:
    return boto3.client("s3", config=Config(signature_version="s3v4"))


@cache
def _sqs() -> Any:
    return boto3.client("sqs")


def request_upload(data: Mapping[str, Any]) -> dict[str, Any]:
    """A presigned POST bound to the declared type and size; the song waits for it."""
    song_id = identifier(data.get("songId"), "songId")
    content_type = str(data.get("contentType", "")).lower()
    if content_type not in AUDIO_TYPES:
        raise ValidationError(f"contentType: audio must be one of {', '.join(sorted(AUDIO_TYPES))}")
    size = whole_number(data.get("sizeBytes"), "sizeBytes", low=1, high=MAX_AUDIO_BYTES)
    key = f"songs/{song_id}/audio/{uuid.uuid4()}.{AUDIO_TYPES[content_type].extension}"
    song = store.get("SONG", song_id)
    if song is None:
        raise NotFoundError(f"Song {song_id} not found")
    # A READY song stays READY (its current audio playable) until the replacement is.
    status = "READY" if song["status"] == "READY" else "PENDING"
    store.update(
        "SONG",
        song_id,
        {"status": status, "pendingAudio": {"key": key, "contentType": content_type, "sizeBytes": size}},
        now_iso(),
    )
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


def download_url(song: Mapping[str, Any], seconds: int) -> str:
    """A presigned GET of the song's current audio."""
    return _s3().generate_presigned_url(
        "get_object", Params={"Bucket": settings().bucket, "Key": song["audioKey"]}, ExpiresIn=seconds
    )


def stream_urls(songs: list[Mapping[str, Any] | None]) -> list[str | None]:
    """Short-lived GET URLs for READY songs (S3 answers Range requests with 206)."""
    return [
        download_url(song, STREAM_SECONDS) if song and song.get("status") == "READY" and song.get("audioKey") else None
        for song in songs
    ]


class Rejected(Exception):
    """The uploaded file cannot become the song's audio; the message says why, for the admin."""


def _inspect(path: str, size: int, audio_format: AudioFormat) -> dict[str, Any]:
    """Magic bytes, then a full parse; what the player needs to know about the audio."""
    with open(path, "rb") as file:
        head = file.read(16)
    if not audio_format.looks_like(head):
        raise Rejected(f"The file is not {audio_format.name} audio, as its content type said")
    try:
        parsed = mutagen.File(path)
    except mutagen.MutagenError as error:
        raise Rejected(f"The {audio_format.name} file could not be decoded: {error}") from None
    length = getattr(getattr(parsed, "info", None), "length", 0) or 0
    if parsed is None or length <= 0:
        raise Rejected(f"The {audio_format.name} file could not be decoded or holds no audio")
    info = parsed.info
    return {
        "durationSeconds": max(1, round(length)),
        "audio": {
            "format": audio_format.name,
            "sizeBytes": size,
            "bitrate": getattr(info, "bitrate", None) or None,
            "sampleRate": getattr(info, "sample_rate", None) or None,
            "channels": getattr(info, "channels", None) or None,
        },
    }


def process_upload(bucket: str, key: str) -> None:
    """Turn an uploaded object into the song's audio, or refuse it with a reason. Safe to repeat."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "songs" or parts[2] != "audio":
        logger.warning("ignoring an object outside the upload layout", extra={"key": key})
        return
    song = store.get("SONG", parts[1])
    if song is None or song.get("audioKey") == key:
        if song is None:
            _s3().delete_object(Bucket=bucket, Key=key)
        return  # the song is gone, or this upload was already processed (a redelivery)
    pending = song.get("pendingAudio") or {}
    if pending.get("key") != key:
        logger.info("removing a superseded upload", extra={"key": key})
        _s3().delete_object(Bucket=bucket, Key=key)
        return
    audio_format = AUDIO_TYPES[pending["contentType"]]
    try:
        head = _s3().head_object(Bucket=bucket, Key=key)
        size = head["ContentLength"]
        if size > pending["sizeBytes"]:
            raise Rejected(f"The file is {size} bytes, more than the {pending['sizeBytes']} bytes declared")
        with tempfile.NamedTemporaryFile(suffix=f".{audio_format.extension}") as file:
            _s3().download_fileobj(bucket, key, file)
            file.flush()
            found = {**_inspect(file.name, size, audio_format), "audioEtag": head["ETag"].strip('"')}
    except Rejected as refusal:
        _s3().delete_object(Bucket=bucket, Key=key)
        playable = song["status"] == "READY"
        store.update(
            "SONG",
            song["id"],
            {"status": "READY" if playable else "FAILED", "failureReason": str(refusal), "pendingAudio": None},
            now_iso(),
        )
        return
    store.update(
        "SONG",
        song["id"],
        {**found, "status": "READY", "audioKey": key, "failureReason": None, "pendingAudio": None},
        now_iso(),
    )
    if song.get("audioKey"):
        _s3().delete_object(Bucket=bucket, Key=song["audioKey"])  # the replaced audio
    on_song_ready({**song, **found, "status": "READY", "audioKey": key})


def schedule_cleanup(song_id: str) -> None:
    """After a song is deleted, its files go asynchronously (the cleanup queue), not in the request."""
    _sqs().send_message(QueueUrl=settings().cleanup_queue, MessageBody=json.dumps({"songId": song_id}))


def remove_song_files(song_id: str) -> int:
    """Delete every object of a deleted song (audio, replaced and pending uploads); safe to repeat."""
    if store.get("SONG", song_id) is not None:
        logger.warning("not removing the files of a song that exists", extra={"songId": song_id})
        return 0
    removed = 0
    pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=settings().bucket, Prefix=f"songs/{song_id}/")
    for page in pages:
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            _s3().delete_objects(Bucket=settings().bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def on_song_ready(song: Mapping[str, Any]) -> None:
    """A song became playable: the new-release fan-out (follows, notifications) attaches here."""
    logger.info("song ready", extra={"songId": song["id"]})
