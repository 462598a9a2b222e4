"""A generated music folder to try the importer on: `python -m tools.import_music.sample DIR [--artists N ...]`.

Short silent MP3s (valid MPEG frames) with ID3 tags (artist, album artist, album, title,
track, year, genre) and an embedded PNG cover per album: no file is downloaded. The bench
(`bench/import_scale.py`) imports 10 artists x 10 albums x 10 tracks of them.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

from mutagen.id3 import APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TRCK

MP3_FRAME_HEADER = bytes([0xFF, 0xFB, 0x90, 0x00])  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo
MP3_FRAME_BYTES = 417
MP3_FRAME_SECONDS = 1152 / 44100
SAMPLE_GENRES = ("Rock", "Hip Hop", "Jazz", "Electronica", "R&B", "Indie Rock", "Folk", "Techno", "Soul", "Blues")


def silent_mp3(seconds: float, salt: int = 0) -> bytes:
    """Constant-bitrate MP3 frames of silence; `salt` in the last frame makes files differ (their SHA-256)."""
    frames = max(round(seconds / MP3_FRAME_SECONDS), 1)
    frame = MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - len(MP3_FRAME_HEADER))
    last = MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - len(MP3_FRAME_HEADER) - 4) + struct.pack(">I", salt)
    return frame * (frames - 1) + last


def png(rgb: tuple[int, int, int], size: int = 8) -> bytes:
    """A one-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def tag_mp3(path: Path, tags: dict[str, str], cover: bytes | None = None) -> None:
    """Write ID3 tags (keys: artist, albumartist, album, title, track, year, genre) and a front cover."""
    frames = {"artist": TPE1, "albumartist": TPE2, "album": TALB, "title": TIT2, "track": TRCK}
    frames |= {"year": TDRC, "genre": TCON}
    id3 = ID3()
    for name, value in tags.items():
        id3.add(frames[name](encoding=3, text=[value]))
    if cover:
        id3.add(APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=cover))
    id3.save(path)


def make_folder(folder: Path, artists: int = 10, albums: int = 10, tracks: int = 10, seconds: float = 1.0) -> int:
    """artists x albums x tracks tagged MP3s under folder/Artist/Album/; returns how many."""
    made = 0
    for a in range(artists):
        artist = f"Sample Artist {a + 1:02d}"
        for b in range(albums):
            album = f"Sample Album {a + 1:02d}-{b + 1:02d}"
            cover = png((40 + 20 * a % 200, 30 + 20 * b % 200, 90))
            target = folder / artist / album
            target.mkdir(parents=True, exist_ok=True)
            for t in range(tracks):
                path = target / f"{t + 1:02d} Track {t + 1}.mp3"
                path.write_bytes(silent_mp3(seconds, salt=made))
                tags = {"artist": artist, "albumartist": artist, "album": album, "title": f"Track {t + 1}"}
                tags |= {"track": f"{t + 1}/{tracks}", "year": str(1990 + b), "genre": SAMPLE_GENRES[a % 10]}
                tag_mp3(path, tags, cover if t == 0 else None)
                made += 1
    return made


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--artists", type=int, default=2)
    parser.add_argument("--albums", type=int, default=2)
    parser.add_argument("--tracks", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{make_folder(args.folder, args.artists, args.albums, args.tracks)} tracks in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
