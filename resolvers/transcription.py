"""Amazon Transcribe for lyrics: start a job on a song's audio, read back what it found.

A job is named after the song and the audio's version (the uuid of its file) plus the time
it started, so a result always says which audio it heard; its JSON goes to the media bucket
under `transcripts/` (outside the upload folders, so the media processor ignores it).
Transcribe takes MP3, MP4/M4A, WAV, FLAC, OGG, AMR and WebM; raw AAC (ADTS) it does not.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from resolvers import aws_clients
from resolvers.settings import settings

TRANSCRIPTS_PREFIX = "transcripts/"
# Our audio formats (resolvers/media.py) as Transcribe's MediaFormat; AAC only inside MP4.
MEDIA_FORMATS = {"WAV": "wav", "MP3": "mp3", "FLAC": "flac", "OGG": "ogg"}
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_JOB_NAME = re.compile(rf"^lyrics-({_UUID})-({_UUID})-(\d+)$")


@cache
def _transcribe() -> Any:
    return aws_clients.client("transcribe")


@cache
def _s3() -> Any:
    return aws_clients.client("s3", signature_version="s3v4")


@dataclass(frozen=True)
class JobName:
    song_id: str
    audio_version: str

    @staticmethod
    def parse(name: str) -> JobName | None:
        found = _JOB_NAME.match(name)
        return JobName(found.group(1), found.group(2)) if found else None


def audio_version(audio_key: str) -> str:
    """The uuid naming an uploaded audio file: songs/<id>/audio/<uuid>.<ext>."""
    return audio_key.rsplit("/", 1)[-1].split(".", 1)[0]


def media_format(song: Mapping[str, Any]) -> str | None:
    """The song's audio as Transcribe's MediaFormat, or None when Transcribe does not take it."""
    if song.get("mediaFormat"):
        return str(song["mediaFormat"])
    return MEDIA_FORMATS.get(str((song.get("audio") or {}).get("format")))


def transcript_key(song_id: str, job_name: str) -> str:
    return f"{TRANSCRIPTS_PREFIX}{song_id}/{job_name}.json"


def job_name(song: Mapping[str, Any]) -> str:
    return f"lyrics-{song['id']}-{audio_version(song['audioKey'])}-{time.time_ns() // 1_000_000}"


def start(song: Mapping[str, Any], name: str, language: str, media: str) -> None:
    """StartTranscriptionJob on the song's current audio; it returns at once, the result comes
    as an EventBridge state change."""
    bucket = settings().bucket
    _transcribe().start_transcription_job(
        TranscriptionJobName=name,
        LanguageCode=language,
        MediaFormat=media,
        Media={"MediaFileUri": f"s3://{bucket}/{song['audioKey']}"},
        OutputBucketName=bucket,
        OutputKey=transcript_key(song["id"], name),
    )


@dataclass(frozen=True)
class Outcome:
    """A finished job: its language and transcript, or why it failed."""

    language: str | None
    transcript: dict[str, Any] | None
    failure: str | None


def outcome(name: JobName, job: str) -> Outcome:
    """GetTranscriptionJob, and the transcript JSON when it completed."""
    found = _transcribe().get_transcription_job(TranscriptionJobName=job)["TranscriptionJob"]
    status = found.get("TranscriptionJobStatus")
    if status != "COMPLETED":
        return Outcome(None, None, found.get("FailureReason") or f"The transcription job ended {status}")
    body = _s3().get_object(Bucket=settings().bucket, Key=transcript_key(name.song_id, job))["Body"].read()
    return Outcome(found.get("LanguageCode"), json.loads(body), None)
