"""Lyrics through GraphQL on the emulator: transcribed by the local recognizer (a spoken
recording), FAILED on a tone while the song stays READY, LRC read back line for line,
USLT lyrics of an upload shown as EMBEDDED, and listeners kept out of the admin fields."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Run
from tests.integration.test_media import settled, song, upload  # noqa: F401 - the song fixture
from tests.media_files import wav, wav_with_lyrics

# espeak-ng -v en-us+m3 -s 130 "one two three four five six seven eight nine ten", as 16 kHz mono.
SPOKEN = Path(__file__).resolve().parents[1] / "fixtures" / "counting.wav"
SPOKEN_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
LYRICS = """query($id: ID!) { song(id: $id) {
  status durationSeconds lyricsStatus lyricsFailureReason
  lyrics { source language synced offsetMs text lines { startMs endMs text } }
} }"""
SET = """mutation($id: ID!, $text: String!, $language: String) {
  setLyrics(songId: $id, text: $text, language: $language) { id lyricsStatus }
}"""
TRANSCRIBE = """mutation($id: ID!, $language: String) {
  transcribeLyrics(songId: $id, language: $language) { id lyricsStatus lyricsFailureReason }
}"""
# Recognition runs on a shared two-core machine: a few seconds of speech can take a while.
TRANSCRIBE_SECONDS = 120


def _lyrics_settled(reader: Run, song_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + TRANSCRIBE_SECONDS
    while time.monotonic() < deadline:
        found = reader(LYRICS, id=song_id)["song"]
        if found["lyricsStatus"] != "PENDING":
            return found
        time.sleep(0.5)
    pytest.fail(f"the lyrics of {song_id} stayed PENDING")


def _ready(admin: Run, song_id: str, content: bytes) -> None:
    upload(admin, song_id, content, "audio/wav")
    assert settled(admin, song_id)["status"] == "READY"


def test_a_spoken_recording_is_transcribed_into_synced_lines(admin: Run, listener: Run, song: dict[str, Any]) -> None:  # noqa: F811
    _ready(admin, song["id"], SPOKEN.read_bytes())
    started = admin(TRANSCRIBE, id=song["id"], language="en-US")["transcribeLyrics"]
    assert started["lyricsStatus"] == "PENDING"
    with pytest.raises(TransportQueryError, match="ConflictError"):
        admin(TRANSCRIBE, id=song["id"])
    found = _lyrics_settled(listener, song["id"])
    assert found["lyricsStatus"] == "READY", found["lyricsFailureReason"]
    lyrics = found["lyrics"]
    assert (lyrics["source"], lyrics["language"], lyrics["synced"]) == ("TRANSCRIBED", "en-US", True)
    starts = [line["startMs"] for line in lyrics["lines"]]
    assert starts == sorted(set(starts)), "start times increase"
    assert all(0 <= start < found["durationSeconds"] * 1000 for start in starts), "and fall inside the song"
    heard = set(re.findall(r"[a-z]+", lyrics["text"].lower()))
    assert len(heard & SPOKEN_WORDS) >= 3, f"recognized {heard}"


def test_a_tone_ends_failed_with_a_reason_and_the_song_stays_ready(admin: Run, song: dict[str, Any]) -> None:  # noqa: F811
    _ready(admin, song["id"], wav(2.0))
    admin(TRANSCRIBE, id=song["id"])
    found = _lyrics_settled(admin, song["id"])
    assert (found["status"], found["lyricsStatus"], found["lyrics"]) == ("READY", "FAILED", None)
    assert "No words were recognized" in found["lyricsFailureReason"]


def test_a_language_the_local_recognizer_lacks_fails_clearly(admin: Run, song: dict[str, Any]) -> None:  # noqa: F811
    _ready(admin, song["id"], wav(1.0))
    admin(TRANSCRIBE, id=song["id"], language="fr-FR")
    found = _lyrics_settled(admin, song["id"])
    assert found["lyricsStatus"] == "FAILED"
    assert "only en-US" in found["lyricsFailureReason"]


def test_lrc_set_by_an_admin_reads_back_line_for_line(admin: Run, listener: Run, song: dict[str, Any]) -> None:  # noqa: F811
    _ready(admin, song["id"], wav(4.0))
    lrc = "[offset:-100]\n[00:00.50]First line\n[00:01.75]Second line\n[00:03.10]Third line"
    assert admin(SET, id=song["id"], text=lrc, language="en")["setLyrics"]["lyricsStatus"] == "READY"
    lyrics = listener(LYRICS, id=song["id"])["song"]["lyrics"]
    assert (lyrics["source"], lyrics["synced"], lyrics["offsetMs"], lyrics["language"]) == ("EDITED", True, -100, "en")
    assert [(line["startMs"], line["endMs"], line["text"]) for line in lyrics["lines"]] == [
        (500, 1750, "First line"),
        (1750, 3100, "Second line"),
        (3100, 4000, "Third line"),
    ]
    with pytest.raises(TransportQueryError, match=r"ValidationError.*line 2: malformed time tag \[00:0a.50\]"):
        admin(SET, id=song["id"], text="[00:01.00]ok\n[00:0a.50]bad")
    assert listener(LYRICS, id=song["id"])["song"]["lyrics"] == lyrics


def test_an_upload_carrying_uslt_lyrics_shows_them_as_embedded(admin: Run, song: dict[str, Any]) -> None:  # noqa: F811
    _ready(admin, song["id"], wav_with_lyrics(2.0, "Words in the file\nand more"))
    found = admin(LYRICS, id=song["id"])["song"]
    assert found["lyricsStatus"] == "READY"
    assert (found["lyrics"]["source"], found["lyrics"]["text"]) == ("EMBEDDED", "Words in the file\nand more")
    cleared = admin("mutation($id: ID!) { clearLyrics(songId: $id) { lyricsStatus } }", id=song["id"])
    assert cleared["clearLyrics"]["lyricsStatus"] == "READY", "embedded lyrics stay"


def test_a_listener_cannot_set_or_transcribe_lyrics(listener: Run, song: dict[str, Any]) -> None:  # noqa: F811
    for document, variables in ((SET, {"text": "x"}), (TRANSCRIBE, {})):
        with pytest.raises(TransportQueryError, match="Unauthorized"):
            listener(document, id=song["id"], **variables)
