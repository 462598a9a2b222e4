"""An offline speech recognizer for the local Transcribe: pocketsphinx with the en-US model its
wheel ships, on audio decoded by soundfile (libsndfile: WAV, FLAC, OGG, MP3) and resampled
to the 16 kHz mono 16-bit PCM the model wants, with numpy (no ffmpeg, no audioop here).

Its output has the shape of Transcribe's transcript JSON (results.transcripts and
results.items with start_time, end_time, alternatives and confidence). It is weak next to
Transcribe (a clear spoken sentence comes back partly right) and knows one language.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import soundfile
from pocketsphinx import Decoder

LANGUAGE = "en-US"  # the only model in the pocketsphinx wheel
SAMPLE_RATE = 16_000
FRAMES_PER_SECOND = 100  # pocketsphinx's default frame rate (10 ms frames)


class CannotRecognize(Exception):
    """The audio cannot be read or the language is not known; the message says which."""


def pcm16k(audio: bytes) -> bytes:
    """Any file libsndfile reads, as 16 kHz mono signed 16-bit little-endian PCM."""
    try:
        samples, rate = soundfile.read(io.BytesIO(audio), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise CannotRecognize(f"The local recognizer cannot decode this audio: {error}") from None
    mono = samples.mean(axis=1)
    if rate != SAMPLE_RATE and len(mono):
        count = int(len(mono) * SAMPLE_RATE / rate)
        mono = np.interp(np.linspace(0, len(mono), count, endpoint=False), np.arange(len(mono)), mono)
    return (np.clip(mono, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def _word(segment_word: str) -> str | None:
    """A dictionary word without its pronunciation variant; None for silences and fillers."""
    if segment_word.startswith(("<", "[", "+")):
        return None
    return segment_word.split("(", 1)[0]


def recognize(audio: bytes, language: str, job_name: str) -> dict[str, Any]:
    """A transcript of Transcribe's shape for the speech in `audio`."""
    if language != LANGUAGE:
        raise CannotRecognize(f"The local recognizer knows only {LANGUAGE} (pocketsphinx's model), not {language}")
    pcm = pcm16k(audio)
    decoder = Decoder(samprate=SAMPLE_RATE)
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    items: list[dict[str, Any]] = []
    for segment in decoder.seg() if decoder.hyp() else []:
        word = _word(segment.word)
        if word is None:
            continue
        items.append(
            {
                "id": len(items),
                "type": "pronunciation",
                "alternatives": [{"confidence": f"{segment.prob:.4f}", "content": word}],
                "start_time": f"{segment.start_frame / FRAMES_PER_SECOND:.2f}",
                "end_time": f"{(segment.end_frame + 1) / FRAMES_PER_SECOND:.2f}",
            }
        )
    text = " ".join(item["alternatives"][0]["content"] for item in items)
    return {
        "jobName": job_name,
        "accountId": "123456789012",
        "status": "COMPLETED",
        "results": {"transcripts": [{"transcript": text}], "items": items},
    }
