"""Walk a folder and read each audio file's tags and embedded cover with mutagen.

One parse per file, without mutagen's "easy" layer (it does not cover WAV's ID3 tags), so
three tag families are read directly: ID3 (MP3, WAV), MP4 atoms (M4A) and Vorbis comments
(FLAC, OGG Vorbis, Opus). A file mutagen cannot parse is returned as a Skipped with why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags
from mutagen.wave import WAVE

AUDIO_EXTENSIONS = {".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".wav"}
# Cover files next to the tracks, used when a track has no embedded picture.
COVER_FILES = ("cover", "folder", "front", "album")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
# mutagen class name -> the content type requestUpload takes
CONTENT_TYPES = {
    "MP3": "audio/mpeg",
    "EasyMP3": "audio/mpeg",
    "FLAC": "audio/flac",
    "OggVorbis": "audio/ogg",
    "OggOpus": "audio/ogg",
    "MP4": "audio/mp4",
    "EasyMP4": "audio/mp4",
    "WAVE": "audio/wav",
}
FRONT_COVER = 3  # the picture type of ID3 APIC and FLAC pictures


@dataclass(frozen=True)
class Cover:
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Track:
    path: Path
    content_type: str
    size: int
    sha256: str
    title: str
    artist: str | None
    album_artist: str | None
    album: str | None
    track: int | None
    disc: int | None
    year: str | None
    genres: list[str] = field(default_factory=list)
    cover: Cover | None = None
    duration: float | None = None


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def image_type(data: bytes) -> str | None:
    """The content type of a JPEG, PNG or WebP image from its magic bytes (what the API accepts)."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def audio_files(folder: Path) -> Iterator[Path]:
    """The audio files under `folder`, in a stable order (folders and names sorted)."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in AUDIO_EXTENSIONS and not name.startswith("."):
                yield Path(root) / name


def _first(values: Any) -> str | None:
    if values is None:
        return None
    if isinstance(values, list | tuple):
        values = values[0] if values else None
    text = str(values).strip() if values is not None else ""
    return text or None


def _number(value: Any) -> int | None:
    """'3', '3/12' or (3, 12) -> 3."""
    if isinstance(value, list | tuple) and value and isinstance(value[0], tuple | list):
        value = value[0]
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    text = _first(value)
    if not text:
        return None
    head = text.split("/")[0].strip()
    return int(head) if head.isdigit() and int(head) > 0 else None


def _picture(pictures: list[tuple[int, bytes]]) -> Cover | None:
    """The front cover if there is one, else the first picture the API can take."""
    for _, data in sorted(pictures, key=lambda p: p[0] != FRONT_COVER):
        kind = image_type(data)
        if kind:
            return Cover(data, kind)
    return None


def _id3(tags: ID3) -> dict[str, Any]:
    def text(frame: str) -> str | None:
        return _first(tags[frame].text) if frame in tags else None

    return {
        "title": text("TIT2"),
        "artist": text("TPE1"),
        "album_artist": text("TPE2"),
        "album": text("TALB"),
        "track": _number(text("TRCK")),
        "disc": _number(text("TPOS")),
        "year": text("TDRC") or text("TYER"),
        "genres": [str(g) for frame in tags.getall("TCON") for g in frame.genres],
        "cover": _picture([(frame.type, frame.data) for frame in tags.getall("APIC")]),
    }


def _mp4(tags: MP4Tags) -> dict[str, Any]:
    return {
        "title": _first(tags.get("\xa9nam")),
        "artist": _first(tags.get("\xa9ART")),
        "album_artist": _first(tags.get("aART")),
        "album": _first(tags.get("\xa9alb")),
        "track": _number(tags.get("trkn")),
        "disc": _number(tags.get("disk")),
        "year": _first(tags.get("\xa9day")),
        "genres": [str(g) for g in tags.get("\xa9gen", [])],
        "cover": _picture([(FRONT_COVER, bytes(c)) for c in tags.get("covr", [])]),
    }


def _vorbis(audio: Any) -> dict[str, Any]:
    tags = {key.lower(): value for key, value in (audio.tags or {}).items()}
    pictures = [(p.type, p.data) for p in getattr(audio, "pictures", [])]  # FLAC picture blocks
    for encoded in tags.get("metadata_block_picture", []):  # Vorbis and Opus carry them base64 in a comment
        try:
            picture = Picture(base64.b64decode(encoded))
        except (binascii.Error, ValueError, mutagen.MutagenError):
            continue
        pictures.append((picture.type, picture.data))
    return {
        "title": _first(tags.get("title")),
        "artist": _first(tags.get("artist")),
        "album_artist": _first(tags.get("albumartist") or tags.get("album artist")),
        "album": _first(tags.get("album")),
        "track": _number(tags.get("tracknumber")),
        "disc": _number(tags.get("discnumber")),
        "year": _first(tags.get("date") or tags.get("year")),
        "genres": [str(g) for g in tags.get("genre", [])],
        "cover": _picture(pictures),
    }


def folder_cover(folder: Path) -> Cover | None:
    """cover.jpg, folder.png and the like next to the tracks."""
    for stem in COVER_FILES:
        for extension in IMAGE_EXTENSIONS:
            for candidate in (folder / f"{stem}{extension}", folder / f"{stem.title()}{extension}"):
                if candidate.is_file():
                    data = candidate.read_bytes()
                    kind = image_type(data)
                    if kind:
                        return Cover(data, kind)
    return None


def read_track(path: Path) -> Track | Skipped:
    """The file's tags, cover and hash; a Skipped when mutagen cannot read it as audio."""
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as error:
        return Skipped(path, f"unreadable audio: {error}")
    if audio is None:
        return Skipped(path, "not an audio file mutagen recognises")
    content_type = CONTENT_TYPES.get(type(audio).__name__)
    if content_type is None:
        return Skipped(path, f"unsupported format {type(audio).__name__}")
    tags = audio.tags
    if isinstance(tags, ID3) or (isinstance(audio, WAVE) and tags is not None):
        found = _id3(tags)
    elif isinstance(tags, MP4Tags):
        found = _mp4(tags)
    elif tags is not None or isinstance(audio, FLAC):
        found = _vorbis(audio)
    else:
        found = {"genres": []}
    data = path.read_bytes()
    length = getattr(audio.info, "length", None)
    return Track(
        path=path,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        title=found.get("title") or path.stem,
        artist=found.get("artist"),
        album_artist=found.get("album_artist"),
        album=found.get("album"),
        track=found.get("track"),
        disc=found.get("disc"),
        year=found.get("year"),
        genres=found.get("genres", []),
        cover=found.get("cover") or folder_cover(path.parent),
        duration=float(length) if length else None,
    )
