"""Amazon Transcribe, locally: moto's transcription jobs, run by a real offline recognizer.

moto answers StartTranscriptionJob and GetTranscriptionJob but invents the outcome (a job
advances one state per read, and no transcript is written). Here a started job is queued
for one background worker (StartTranscriptionJob returns at once, as on AWS), which reads
the media from the bucket, recognizes it (emulator/recognizer.py), writes the transcript
JSON to the output bucket and key, and then does what EventBridge does: sends the
"Transcribe Job State Change" event to the rule's target, the lyrics function. A job the
recognizer cannot do (a language it does not know, audio it cannot decode) ends FAILED
with that reason, as Transcribe's own failures do.

Recognition runs in a child process: pocketsphinx holds the interpreter for seconds, which in
the emulator's process would stall every request (and time out the very call that started it).
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.transcribe import models as transcribe_models
from moto.transcribe.exceptions import BadRequestException

from emulator import recognizer
from emulator.events import RuleTarget

EVENT_SOURCE = "aws.transcribe"
EVENT_DETAIL_TYPE = "Transcribe Job State Change"
MEDIA_FORMATS = ("mp3", "mp4", "wav", "flac", "ogg", "amr", "webm")


class LocalTranscribe:
    """The recognizer behind moto's Transcribe, and the state-change events after each job."""

    def __init__(self, target: RuleTarget) -> None:
        self.target = target
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="transcribe", daemon=True)
        # spawn, not fork: the emulator's process runs threads, which a forked child would inherit half-done.
        self._recognizers = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    def install(self) -> None:
        emulation = self
        original_start = transcribe_models.TranscribeBackend.start_transcription_job
        original_get = transcribe_models.TranscribeBackend.get_transcription_job

        def start(backend: Any, transcription_job_name: str, **options: Any) -> dict[str, Any]:
            language = options.get("language_code")
            if options.get("media_format") not in (None, *MEDIA_FORMATS):
                raise BadRequestException(message=f"MediaFormat must be one of {', '.join(MEDIA_FORMATS)}")
            if not language:
                raise BadRequestException(message="LanguageCode is required (language identification is not local)")
            response = original_start(backend, transcription_job_name, **options)
            job = backend.transcriptions[transcription_job_name]
            job.status = "IN_PROGRESS"
            job.start_time = datetime.now(UTC)
            job.advance = lambda: None  # the worker, not each read, moves the job on
            emulation._jobs.put(job)
            response["TranscriptionJob"]["TranscriptionJobStatus"] = "IN_PROGRESS"
            return response

        def get(backend: Any, transcription_job_name: str) -> dict[str, Any]:
            response = original_get(backend, transcription_job_name)
            job = backend.transcriptions[transcription_job_name]
            if job.failure_reason:
                response["TranscriptionJob"]["FailureReason"] = job.failure_reason
            return response

        transcribe_models.TranscribeBackend.start_transcription_job = start  # type: ignore[method-assign]
        transcribe_models.TranscribeBackend.get_transcription_job = get  # type: ignore[method-assign]
        self._worker.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                self._transcribe(job)
            except Exception as error:  # the worker outlives a job it could not finish
                print(f"[transcribe] job {job.transcription_job_name} failed: {error!r}", flush=True)
                self._finish(job, "FAILED", failure=f"The local recognizer failed: {error}")

    def _transcribe(self, job: Any) -> None:
        bucket, key = _s3_location(job.media["MediaFileUri"])
        s3 = boto3.client("s3")
        try:
            audio = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            recognition = self._recognizers.submit(
                recognizer.recognize, audio, job.language_code, job.transcription_job_name
            )
            transcript = recognition.result()
        except s3.exceptions.NoSuchKey:
            self._finish(job, "FAILED", failure=f"The media file {job.media['MediaFileUri']} does not exist")
            return
        except recognizer.CannotRecognize as refusal:
            self._finish(job, "FAILED", failure=str(refusal))
            return
        output_bucket = job._output_bucket_name
        output_key = job.output_key or f"{job.transcription_job_name}.json"
        s3.put_object(Bucket=output_bucket, Key=output_key, Body=json.dumps(transcript).encode())
        job.transcript = {"TranscriptFileUri": f"{s3.meta.endpoint_url}/{output_bucket}/{output_key}"}
        self._finish(job, "COMPLETED")

    def _finish(self, job: Any, status: str, *, failure: str | None = None) -> None:
        job.status = status
        job.failure_reason = failure
        job.completion_time = datetime.now(UTC)
        detail = {"TranscriptionJobName": job.transcription_job_name, "TranscriptionJobStatus": status}
        self.target.put_event(EVENT_SOURCE, EVENT_DETAIL_TYPE, detail)


def _s3_location(uri: str) -> tuple[str, str]:
    """s3://bucket/key, as Media.MediaFileUri gives it."""
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise ValueError(f"not an S3 URI: {uri}")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key
