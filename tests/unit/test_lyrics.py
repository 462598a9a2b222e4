"""Lyrics through the API handler and the media processor, on in-process moto: LRC and plain
text, precedence and fallback, embedded tags, and a transcription job's result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.moto_api import state_manager

from emulator.lambdas import LambdaContext
from resolvers import transcription
from resolvers.errors import ConflictError, ValidationError
from resolvers.handlers import lyrics as lyrics_handler
from resolvers.handlers import media_processor
from resolvers.settings import settings
from tests.media_files import wav, wav_with_lyrics
from tests.unit.conftest import appsync_event, invoke, listener_event
from tests.unit.test_media import BUCKET, created, sqs_record

LRC = "[ti:Tram]\n[offset:+250]\n[00:01.50]Midnight tram\n[00:03.00][00:07.25]rolling on\n\n[00:05.10]through the rain"


@pytest.fixture
def song(new_content: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("MEDIA_BUCKET", BUCKET)
    settings.cache_clear()
    transcription._transcribe.cache_clear()
    transcription._s3.cache_clear()
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    # moto's jobs complete when first read, as a job has by the time its state-change event comes.
    state_manager.set_transition("transcribe::transcriptionjob", {"progression": "immediate"})
    artist = invoke(appsync_event("Mutation", "createArtist", {"input": {"name": "A"}}))
    yield invoke(
        appsync_event("Mutation", "createSong", {"input": {"title": "T", "artistId": artist["id"], "genre": "rock"}})
    )
    state_manager.unset_transition("transcribe::transcriptionjob")


def _upload(song_id: str, body: bytes) -> str:
    upload = invoke(
        appsync_event(
            "Mutation",
            "requestUpload",
            {"input": {"kind": "AUDIO", "songId": song_id, "contentType": "audio/wav", "sizeBytes": len(body)}},
        )
    )
    boto3.client("s3").put_object(Bucket=BUCKET, Key=upload["key"], Body=body)
    response = media_processor.handler({"Records": [sqs_record("u", created(upload["key"]))]}, LambdaContext("m"))
    assert response == {"batchItemFailures": []}
    return upload["key"]


def _lyrics(song_id: str, *, listener: bool = False) -> tuple[str, dict[str, Any] | None]:
    event = (listener_event if listener else appsync_event)("Query", "song", {"id": song_id})
    song = invoke(event)
    batch = [{**(listener_event if listener else appsync_event)("Song", "lyrics"), "source": song}]
    (shown,) = invoke(batch)
    return song["lyricsStatus"], shown


def test_lrc_reads_back_line_for_line_with_its_times(song: dict[str, Any]) -> None:
    _upload(song["id"], wav(9.0))
    set_ = invoke(appsync_event("Mutation", "setLyrics", {"songId": song["id"], "text": LRC, "language": "EN-us"}))
    assert set_["lyricsStatus"] == "READY"
    status, shown = _lyrics(song["id"], listener=True)
    assert status == "READY" and shown is not None
    assert (shown["source"], shown["language"], shown["synced"], shown["offsetMs"]) == ("EDITED", "en-US", True, 250)
    assert [(line["startMs"], line["endMs"], line["text"]) for line in shown["lines"]] == [
        (1500, 3000, "Midnight tram"),
        (3000, 5100, "rolling on"),
        (5100, 7250, "through the rain"),
        (7250, 9000, "rolling on"),
    ]
    assert shown["text"] == "Midnight tram\nrolling on\nthrough the rain\nrolling on"


def test_plain_text_is_unsynced_and_a_malformed_time_tag_names_its_line(song: dict[str, Any]) -> None:
    invoke(appsync_event("Mutation", "setLyrics", {"songId": song["id"], "text": "One line\n\nAnother"}))
    _, shown = _lyrics(song["id"])
    assert shown is not None and not shown["synced"] and shown["language"] == "und"
    assert [line["startMs"] for line in shown["lines"]] == [None, None, None]
    with pytest.raises(ValidationError, match=r"line 3: malformed time tag \[00:0a.50\]"):
        invoke(
            appsync_event(
                "Mutation", "setLyrics", {"songId": song["id"], "text": "[00:01.00]a\n[00:02.00]b\n[00:0a.50]c"}
            )
        )
    _, still = _lyrics(song["id"])
    assert still == shown, "a refused edit stores nothing"


def test_embedded_lyrics_show_until_edited_and_come_back_when_cleared(song: dict[str, Any]) -> None:
    _upload(song["id"], wav_with_lyrics(3.0, "Sung in the tag\nsecond line"))
    status, shown = _lyrics(song["id"])
    assert status == "READY" and shown is not None
    assert (shown["source"], shown["language"], shown["text"]) == ("EMBEDDED", "en", "Sung in the tag\nsecond line")
    invoke(appsync_event("Mutation", "setLyrics", {"songId": song["id"], "text": "Edited"}))
    assert _lyrics(song["id"])[1]["source"] == "EDITED"  # type: ignore[index]
    cleared = invoke(appsync_event("Mutation", "clearLyrics", {"songId": song["id"]}))
    assert cleared["lyricsStatus"] == "READY"
    assert _lyrics(song["id"])[1]["text"] == "Sung in the tag\nsecond line"  # type: ignore[index]
    _upload(song["id"], wav(3.0))  # new audio without lyrics: the old file's go
    assert _lyrics(song["id"]) == ("NONE", None)


def _finish(song_id: str, job: str, transcript: dict[str, Any] | None) -> None:
    """What Transcribe does at the end of a job: the JSON in the bucket, then the state change event."""
    if transcript is not None:
        key = transcription.transcript_key(song_id, job)
        boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=json.dumps(transcript).encode())
    event = {
        "source": "aws.transcribe",
        "detail-type": "Transcribe Job State Change",
        "detail": {"TranscriptionJobName": job, "TranscriptionJobStatus": "COMPLETED"},
    }
    lyrics_handler.handler(event, LambdaContext("lyrics"))


def _job(song_id: str) -> str:
    jobs = boto3.client("transcribe").list_transcription_jobs()["TranscriptionJobSummaries"]
    return next(j["TranscriptionJobName"] for j in jobs if song_id in j["TranscriptionJobName"])


TRANSCRIPT = {
    "jobName": "x",
    "status": "COMPLETED",
    "results": {
        "transcripts": [{"transcript": "Hello there. Midnight tram"}],
        "items": [
            {
                "start_time": "0.5",
                "end_time": "0.9",
                "type": "pronunciation",
                "alternatives": [{"confidence": "0.9", "content": "Hello"}],
            },
            {
                "start_time": "0.9",
                "end_time": "1.2",
                "type": "pronunciation",
                "alternatives": [{"confidence": "0.8", "content": "there"}],
            },
            {"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": "."}]},
            {
                "start_time": "1.4",
                "end_time": "1.9",
                "type": "pronunciation",
                "alternatives": [{"confidence": "0.7", "content": "Midnight"}],
            },
            {
                "start_time": "1.9",
                "end_time": "2.4",
                "type": "pronunciation",
                "alternatives": [{"confidence": "0.9", "content": "tram"}],
            },
        ],
    },
}


def test_a_transcription_result_becomes_synced_lines_once_and_a_second_start_conflicts(song: dict[str, Any]) -> None:
    _upload(song["id"], wav(3.0))
    started = invoke(appsync_event("Mutation", "transcribeLyrics", {"songId": song["id"], "language": "en-US"}))
    assert started["lyricsStatus"] == "PENDING"
    with pytest.raises(ConflictError):
        invoke(appsync_event("Mutation", "transcribeLyrics", {"songId": song["id"]}))
    job = _job(song["id"])
    _finish(song["id"], job, TRANSCRIPT)
    status, shown = _lyrics(song["id"])
    assert status == "READY" and shown is not None
    assert (shown["source"], shown["synced"], shown["language"]) == ("TRANSCRIBED", True, "en-US")
    assert [(line["startMs"], line["text"]) for line in shown["lines"]] == [
        (500, "Hello there."),
        (1400, "Midnight tram"),
    ]
    _finish(song["id"], job, {"results": {"items": []}})  # redelivered with another body: dropped
    assert _lyrics(song["id"])[1] == shown


def test_an_empty_transcript_fails_the_lyrics_not_the_song(song: dict[str, Any]) -> None:
    _upload(song["id"], wav(3.0))
    invoke(appsync_event("Mutation", "transcribeLyrics", {"songId": song["id"]}))
    _finish(song["id"], _job(song["id"]), {"results": {"transcripts": [{"transcript": ""}], "items": []}})
    after = invoke(appsync_event("Query", "song", {"id": song["id"]}))
    assert (after["status"], after["lyricsStatus"]) == ("READY", "FAILED")
    assert "No words were recognized" in after["lyricsFailureReason"]


def test_a_result_for_replaced_audio_is_dropped(song: dict[str, Any]) -> None:
    _upload(song["id"], wav(3.0))
    invoke(appsync_event("Mutation", "transcribeLyrics", {"songId": song["id"]}))
    job = _job(song["id"])
    _upload(song["id"], wav(2.0))
    _finish(song["id"], job, TRANSCRIPT)
    assert _lyrics(song["id"]) == ("NONE", None)
