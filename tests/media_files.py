"""Real audio and image files made on the spot, so no test downloads a binary."""

from __future__ import annotations

import struct
import tempfile
import zlib

from mutagen.id3 import USLT
from mutagen.wave import WAVE

from emulator.seed import wav

__all__ = ["mp3", "png", "wav", "wav_with_lyrics"]

MP3_FRAME_HEADER = bytes([0xFF, 0xFB, 0x90, 0x00])  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo
MP3_FRAME_BYTES = 417  # 144 * 128000 / 44100, no padding
MP3_FRAME_SECONDS = 1152 / 44100


def mp3(seconds: float) -> bytes:
    """Constant-bitrate MP3 frames of silence: a compressed format any decoder accepts."""
    frames = round(seconds / MP3_FRAME_SECONDS)
    return (MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - len(MP3_FRAME_HEADER))) * frames


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc8\x32\x64" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def wav_with_lyrics(seconds: float, lyrics: str, *, language: str = "eng") -> bytes:
    """A WAV tone whose ID3 chunk carries unsynced lyrics (USLT), as taggers write them."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as file:
        file.write(wav(seconds))
        file.flush()
        tagged = WAVE(file.name)
        tagged.add_tags()
        tagged.tags.add(USLT(encoding=3, lang=language, desc="", text=lyrics))
        tagged.save()
        file.seek(0)
        return file.read()
