"""`python -m tools.import_music` on a small generated folder, checked through the API.

The folder: an album of two tagged MP3s (one with an embedded cover), a WAV single with
ID3 tags, a single whose genre maps to nothing, and a file that is not audio at all.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3, TCON, TIT2, TPE1
from mutagen.wave import WAVE

from tests.integration.conftest import Api, Run
from tests.media_files import mp3, png, wav
from tools.import_music.__main__ import main
from tools.import_music.sample import tag_mp3

IMPORTED = "query($k: ImportKind!, $keys: [String!]!) { importedItems(kind: $k, importKeys: $keys) { importKey id } }"
ARTIST = """query($id: ID!) { artist(id: $id) {
  name genres
  albums { items { id title genre releaseDate coverUrl songs { items { title trackNumber genre status } } } }
} }"""
SINGLES = """query($id: ID!) {
  songs(filter: {artistId: $id}, limit: 50) { items { title genre status album { id } } }
}"""


def music_folder(root: Path, artist: str) -> dict[str, Path]:
    album = root / artist / "Glass Harbor"
    album.mkdir(parents=True)
    files = {
        "first": album / "01 Lanterns.mp3",
        "second": album / "02 Undertow.mp3",
        "single": root / "Tidewater.wav",
        "unmapped": root / "Oompah.mp3",
        "corrupt": root / "broken.mp3",
    }
    files["first"].write_bytes(mp3(1.0))
    files["second"].write_bytes(mp3(2.0))
    common = {"artist": artist, "albumartist": artist, "album": "Glass Harbor", "year": "2021"}
    tag_mp3(files["first"], {**common, "title": "Lanterns", "track": "1/2", "genre": "Hip Hop"}, png(4, 4))
    tag_mp3(files["second"], {**common, "title": "Undertow", "track": "2/2", "genre": "Rap"})
    files["single"].write_bytes(wav(1.0))
    tagged = WAVE(files["single"])
    tagged.add_tags()
    assert isinstance(tagged.tags, ID3)
    for frame in (
        TPE1(encoding=3, text=[artist]),
        TIT2(encoding=3, text=["Tidewater"]),
        TCON(encoding=3, text=["Electronica"]),
    ):
        tagged.tags.add(frame)
    tagged.save()
    files["unmapped"].write_bytes(mp3(3.0))
    tag_mp3(files["unmapped"], {"artist": artist, "title": "Oompah", "genre": "Polka"})
    files["corrupt"].write_bytes(b"this is not an mp3 at all" * 100)
    return files


def without_signatures(value: Any) -> Any:
    """The catalog with presigned URLs cut to their object path: a URL signed a second later differs."""
    if isinstance(value, dict):
        return {k: (v.split("?")[0] if k.endswith("Url") and v else without_signatures(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [without_signatures(v) for v in value]
    return value


def run_tool(local_api: Api, folder: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    where = ["--local", local_api.base] if local_api.base else ["--url", local_api.url]
    code = main([str(folder), *where, "--workers", "4", "--wait", "60", *options])
    return code, capsys.readouterr().out


def catalog_of(admin: Run, artist_key: str) -> dict[str, Any]:
    (found,) = admin(IMPORTED, k="ARTIST", keys=[artist_key])["importedItems"]
    artist = admin(ARTIST, id=found["id"])["artist"]
    singles = [s for s in admin(SINGLES, id=found["id"])["songs"]["items"] if s["album"] is None]
    return {"artist": artist, "singles": singles}


def test_import_reads_tags_maps_genres_attaches_covers_and_a_rerun_creates_nothing(
    local_api: Api, admin: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artist = f"Mara Quill {uuid.uuid4().hex[:8]}"
    files = music_folder(tmp_path, artist)

    code, summary = run_tool(local_api, tmp_path, capsys)

    assert code == 1, "a corrupt file and an unmapped genre are failures"
    assert f"{files['corrupt']}: unreadable audio" in summary
    assert f"{files['unmapped']}: genre 'Polka' is not in the vocabulary" in summary
    assert "'Polka' (1)" in summary, "unmapped genre tags are listed"
    assert "songs: 3 created" in summary and "covers uploaded: 1" in summary
    imported = catalog_of(admin, artist.lower())
    assert imported["artist"]["name"] == artist
    assert sorted(imported["artist"]["genres"]) == ["electronic", "hip-hop"]
    (album,) = imported["artist"]["albums"]["items"]
    assert album["title"] == "Glass Harbor" and album["genre"] == "hip-hop" and album["releaseDate"] == "2021-01-01"
    assert album["coverUrl"], "the embedded cover was uploaded"
    assert album["songs"]["items"] == [
        {"title": "Lanterns", "trackNumber": 1, "genre": "hip-hop", "status": "READY"},
        {"title": "Undertow", "trackNumber": 2, "genre": "hip-hop", "status": "READY"},
    ]
    assert imported["singles"] == [{"title": "Tidewater", "genre": "electronic", "status": "READY", "album": None}]

    code, summary = run_tool(local_api, tmp_path, capsys)
    assert "artists: 0 created, 1 already there" in summary
    assert "albums: 0 created, 1 already there" in summary
    assert "songs: 0 created, 3 already there" in summary and "covers uploaded: 0" in summary
    assert without_signatures(catalog_of(admin, artist.lower())) == without_signatures(imported), (
        "a re-run changes nothing"
    )


def test_a_default_genre_takes_songs_whose_tags_map_to_none(
    local_api: Api, admin: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artist = f"Oskar Brass {uuid.uuid4().hex[:8]}"
    song = tmp_path / "polka.mp3"
    song.write_bytes(mp3(1.5))
    tag_mp3(song, {"artist": artist, "title": "Beer Hall", "genre": "Polka"})

    code, summary = run_tool(local_api, tmp_path, capsys, "--genre", "folk")

    assert code == 0, summary
    assert "'Polka' (1)" in summary and "given 'folk'" in summary
    assert catalog_of(admin, artist.lower())["singles"] == [
        {"title": "Beer Hall", "genre": "folk", "status": "READY", "album": None}
    ]
