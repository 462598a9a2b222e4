"""From tracks to what the catalog needs: artists, albums and songs, each with its import key.

Keys are what makes a re-run create nothing (see docs/import.md): an artist's folded name,
an album's folded artist and title, a song's audio SHA-256. Songs go under their album
artist (the API keeps an album's songs with the album's artist), else the track artist. A
song's genre is its own tag's, else its album's (the genre most of the album's tracks map
to), else the `--genre` default; with none of those it is skipped with the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from resolvers.words import all_words, fold
from tools.import_music.genres import map_genre
from tools.import_music.tags import Cover, Skipped, Track

IMPORT_KEY_MAX = 400  # the API's limit (resolvers/catalog.py)
MAX_GENRES = 10  # an artist's, as the API allows
MAX_TRACK = 999
_YEAR = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def folded_key(*names: str) -> str:
    """Names as a key: folded words, ' / ' between names; hashed if longer than the API takes."""
    key = " / ".join(" ".join(all_words(name)) or fold(name).strip() for name in names)
    return key if len(key) <= IMPORT_KEY_MAX else hashlib.sha256(key.encode()).hexdigest()


def release_date(year: str | None) -> str | None:
    """'1999', '1999-05' or '1999-05-01T…' as a YYYY-MM-DD day (missing parts: the first)."""
    match = _YEAR.match(year or "")
    if not match:
        return None
    return f"{match[1]}-{match[2] or '01'}-{match[3] or '01'}"


def track_number(track: Track) -> int | None:
    """Disc 2, track 3 is 103: the API has one track number, and songs list in its order."""
    if track.track is None:
        return None
    number = track.track + 100 * ((track.disc or 1) - 1)
    return number if number <= MAX_TRACK else None


@dataclass
class PlannedArtist:
    key: str
    name: str
    genres: list[str] = field(default_factory=list)


@dataclass
class PlannedAlbum:
    key: str
    artist_key: str
    title: str
    genre: str
    release_date: str | None
    cover: Cover | None


@dataclass
class PlannedSong:
    key: str
    track: Track
    artist_key: str
    album_key: str | None
    genre: str


@dataclass
class Plan:
    artists: dict[str, PlannedArtist] = field(default_factory=dict)
    albums: dict[str, PlannedAlbum] = field(default_factory=dict)
    songs: dict[str, PlannedSong] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)  # genre tag -> tracks with it
    duplicates: int = 0  # files with the same audio as another one in the folder


def make_plan(tracks: list[Track], default_genre: str | None) -> Plan:
    plan = Plan()
    by_album: dict[tuple[str, str], list[Track]] = {}
    singles: list[Track] = []
    for track in tracks:
        artist = track.album_artist or track.artist
        if not artist:
            plan.skipped.append(Skipped(track.path, "no artist or album artist tag"))
            continue
        if map_genre(track.genres) is None:
            plan.unmapped.update(track.genres)
        if track.album:
            by_album.setdefault((artist, track.album), []).append(track)
        else:
            singles.append(track)

    def song_genre(track: Track, fallback: str | None) -> str | None:
        return map_genre(track.genres) or fallback

    def add_song(track: Track, artist: str, album_key: str | None, genre: str | None) -> None:
        if genre is None:
            why = f"genre {', '.join(track.genres)!r} is not in the vocabulary" if track.genres else "no genre tag"
            plan.skipped.append(Skipped(track.path, f"{why}: pass --genre to give such songs a default"))
            return
        if track.sha256 in plan.songs:
            plan.duplicates += 1
            return
        artist_key = folded_key(artist)
        planned = plan.artists.setdefault(artist_key, PlannedArtist(artist_key, artist))
        if genre not in planned.genres and len(planned.genres) < MAX_GENRES:
            planned.genres.append(genre)
        plan.songs[track.sha256] = PlannedSong(track.sha256, track, artist_key, album_key, genre)

    for (artist, title), album_tracks in by_album.items():
        mapped = Counter(g for g in (map_genre(t.genres) for t in album_tracks) if g)
        album_genre = mapped.most_common(1)[0][0] if mapped else default_genre
        key = folded_key(artist, title)
        if album_genre is not None:
            plan.albums[key] = PlannedAlbum(
                key=key,
                artist_key=folded_key(artist),
                title=title,
                genre=album_genre,
                release_date=next((d for d in (release_date(t.year) for t in album_tracks) if d), None),
                cover=next((t.cover for t in album_tracks if t.cover), None),
            )
        for track in album_tracks:
            add_song(track, artist, key if album_genre else None, song_genre(track, album_genre))
    for track in singles:
        add_song(track, track.album_artist or track.artist or "", None, song_genre(track, default_genre))
    return plan
