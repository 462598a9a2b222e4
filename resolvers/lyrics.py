"""Lyrics of songs: edited by admins, read from the audio's tags, or transcribed by Transcribe.

A song shows one source, by precedence EDITED > EMBEDDED > TRANSCRIBED; the others are kept,
so clearing the edited lyrics falls back to the embedded ones. New audio re-reads the
embedded lyrics and drops the transcribed ones (they heard the old audio), and a
transcription still running for the old audio is forgotten: its result is dropped.

`lyricsStatus`: READY when a source is shown; PENDING while a transcription runs and none
is; FAILED when the last transcription failed and none is (the reason stays in
`lyricsFailureReason`, also when another source is shown); NONE otherwise. Lyrics never
touch the song's own status: a failed transcription leaves a READY song READY.

Concurrency: each change is one transaction over the song's lyrics state and the items it
names, computed from the sources read just before. Starting a transcription is
conditional on none running (ConflictError otherwise); a job's result is conditional on
the song still waiting for that job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from resolvers import catalog, transcription, transcripts
from resolvers.clock import now_iso
from resolvers.data import lyrics as lyrics_data
from resolvers.data import table
from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.lyrics_text import LYRICS_MAX, Lyrics, language_tag, parse, plain_text
from resolvers.observability import logger
from resolvers.settings import settings
from resolvers.validation import identifier, text

EMPTY_TRANSCRIPT = "No words were recognized in the audio (silence or an instrumental?)"


def _duration_ms(song: Mapping[str, Any]) -> int | None:
    seconds = song.get("durationSeconds")
    return int(seconds) * 1000 if seconds else None


def _shown_state(sources: Mapping[str, Any], *, failure: str | None = None) -> dict[str, Any]:
    """The song's lyrics state once these sources are stored."""
    shown = next((source for source in lyrics_data.SOURCES if source in sources), None)
    if shown:
        return {"lyricsStatus": "READY", "lyricsSource": shown, "lyricsFailureReason": failure, "lyricsJob": None}
    status = "FAILED" if failure else "NONE"
    return {"lyricsStatus": status, "lyricsSource": None, "lyricsFailureReason": failure, "lyricsJob": None}


def _song(song_id: Any) -> dict[str, Any]:
    song = table.get("SONG", identifier(song_id, "songId"))
    if song is None:
        raise NotFoundError(f"Song {song_id} not found")
    return song


def _written(song_id: str, refused: dict[str, Any] | None) -> dict[str, Any]:
    if refused is not None:
        if not refused:
            raise NotFoundError(f"Song {song_id} not found")
        raise ConflictError("The song's lyrics changed meanwhile; try again")
    song = catalog.get_song(song_id)
    if song is None:
        raise NotFoundError(f"Song {song_id} not found")
    return song


def _item(source: str, lyrics: Lyrics) -> dict[str, Any]:
    return {"source": source, **lyrics.as_item()}


def set_lyrics(song_id: Any, lyrics_text: Any, language: Any) -> dict[str, Any]:
    """Plain text or LRC, shown before any other source."""
    song = _song(song_id)
    body = text(lyrics_text, "text", max_length=LYRICS_MAX, multiline=True)
    assert body is not None
    lyrics = parse(body, language_tag(language), duration_ms=_duration_ms(song))
    sources = {**lyrics_data.sources_of(song["id"]), "EDITED": lyrics}
    state = _shown_state(sources)
    del state["lyricsJob"]  # a transcription still running goes on; its result is kept, not shown
    refused = lyrics_data.write(song["id"], state=state, puts=[_item("EDITED", lyrics)], updated_at=now_iso())
    return _written(song["id"], refused)


def clear_lyrics(song_id: Any) -> dict[str, Any]:
    """Remove the edited and transcribed lyrics: the embedded ones show again, if any."""
    song = _song(song_id)
    sources = lyrics_data.sources_of(song["id"])
    kept = {source: item for source, item in sources.items() if source == "EMBEDDED"}
    gone = [source for source in sources if source not in kept]
    state = _shown_state(kept)
    if song.get("lyricsJob"):  # a transcription still running goes on
        state["lyricsJob"] = song["lyricsJob"]
        state["lyricsStatus"] = state["lyricsStatus"] if kept else "PENDING"
    refused = lyrics_data.write(song["id"], state=state, deletes=gone, updated_at=now_iso())
    return _written(song["id"], refused)


def transcribe_lyrics(song_id: Any, language: Any) -> dict[str, Any]:
    """Start a transcription of the song's current audio; ConflictError while one runs."""
    song = _song(song_id)
    code = language_tag(language or "en-US")
    if not song.get("audioKey"):
        raise ValidationError("songId: the song has no audio yet: upload it first")
    if song.get("lyricsJob"):
        raise ConflictError("A transcription of this song is already running")
    _start(song, code)
    return _written(song["id"], None)


def _start(song: Mapping[str, Any], language: str) -> None:
    """PENDING and a job, or FAILED with the reason when Transcribe cannot take the audio."""
    media = transcription.media_format(song)
    sources = lyrics_data.sources_of(song["id"])
    if media is None:
        fmt = (song.get("audio") or {}).get("format", "this")
        failure = f"Transcribe does not take {fmt} audio (raw AAC); upload MP3, M4A, WAV, FLAC or OGG"
        lyrics_data.write(song["id"], state=_shown_state(sources, failure=failure), updated_at=now_iso())
        return
    name = transcription.job_name(song)
    pending = {"lyricsStatus": "PENDING" if not sources else "READY", "lyricsJob": name, "lyricsFailureReason": None}
    refused = lyrics_data.write(song["id"], state=pending, updated_at=now_iso(), no_job=True)
    if refused is not None:
        if not refused:
            raise NotFoundError(f"Song {song['id']} not found")
        raise ConflictError("A transcription of this song is already running")
    try:
        transcription.start(song, name, language, media)
    except ClientError as error:
        reason = f"Transcribe refused the job: {error.response['Error'].get('Message', error)}"
        logger.warning("transcription not started", extra={"songId": song["id"], "reason": reason})
        lyrics_data.write(
            song["id"], state=_shown_state(sources, failure=reason), updated_at=now_iso(), waiting_for=name
        )


def on_new_audio(song: Mapping[str, Any], embedded: Lyrics | None, *, first_upload: bool) -> None:
    """New audio for a song: its embedded lyrics replace the old file's, transcribed ones go,
    and a first upload is transcribed when the stack says so and nothing else gives lyrics."""
    sources = lyrics_data.sources_of(song["id"])
    after = {s: item for s, item in sources.items() if s == "EDITED"}
    if embedded:
        after["EMBEDDED"] = _item("EMBEDDED", embedded)
    gone = [s for s in sources if s not in after]
    lyrics_data.write(
        song["id"],
        state=_shown_state(after),
        puts=[after["EMBEDDED"]] if embedded else [],
        deletes=gone,
        updated_at=now_iso(),
    )
    if first_upload and not after and settings().auto_transcribe:
        _start(song, settings().transcribe_language)


def on_job_finished(job: str) -> None:
    """A transcription job ended (EventBridge): store its lines, or FAILED with the reason.
    A result for audio since replaced, or for a job since superseded, is dropped."""
    name = transcription.JobName.parse(job)
    if name is None:
        logger.info("ignoring a transcription job that is not ours", extra={"job": job})
        return
    song = table.get("SONG", name.song_id)
    if song is None or song.get("lyricsJob") != job:
        logger.info("dropping the result of a superseded transcription", extra={"job": job})
        return
    outcome = transcription.outcome(name, job)
    sources = lyrics_data.sources_of(name.song_id)
    lines = transcripts.to_lines(outcome.transcript) if outcome.transcript is not None else []
    failure = outcome.failure or (None if lines else EMPTY_TRANSCRIPT)
    if failure:
        state, puts = _shown_state(sources, failure=failure), []
    else:
        language = language_tag(outcome.language) if outcome.language else "und"
        item = _item("TRANSCRIBED", Lyrics(language, True, 0, lines))
        state, puts = _shown_state({**sources, "TRANSCRIBED": item}), [item]
    refused = lyrics_data.write(name.song_id, state=state, puts=puts, updated_at=now_iso(), waiting_for=job)
    if refused is not None:
        logger.info("dropping the result of a superseded transcription", extra={"job": job})


def shown_lyrics(songs: Sequence[Mapping[str, Any] | None], *, admin: Sequence[bool]) -> list[dict[str, Any] | None]:
    """`Song.lyrics` for a page of songs (one BatchGetItem): listeners see those of READY songs."""
    wanted = [
        (song["id"], song["lyricsSource"])
        if song and song.get("lyricsSource") and (is_admin or song.get("status") == "READY")
        else None
        for song, is_admin in zip(songs, admin, strict=True)
    ]
    found = lyrics_data.shown([pair for pair in wanted if pair]) if any(wanted) else {}
    return [_present(found.get(pair)) if pair else None for pair in wanted]


def _present(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    lines = [
        {"startMs": line.get("startMs"), "endMs": line.get("endMs"), "text": line.get("text", "")}
        for line in item.get("lines", [])
    ]
    return {
        "source": item["source"],
        "language": item.get("language", "und"),
        "synced": bool(item.get("synced")),
        "offsetMs": item.get("offsetMs", 0),
        "lines": lines,
        "text": plain_text(lines),
    }


def forget_song(song_id: str) -> int:
    """A deleted song's lyrics go with it (the cleanup)."""
    return lyrics_data.forget_song(song_id)
