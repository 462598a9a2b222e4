"""Run an import: read the folder, look the keys up, create what is missing, upload, wait for READY.

Artists, then albums, then songs: each level needs the ids of the one above, and within a
level the creates run on a thread pool. Every key is looked up through the API
(`importedItems`) before anything is created, so a re-run creates nothing; a song that
exists but never became playable (an interrupted upload, a refused file) gets its audio
again. A create that loses a race to another importer is a ConflictError: the key is
looked up again and the winner's item used.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tools.import_music.api import Api, ApiError
from tools.import_music.plan import Plan, PlannedAlbum, PlannedArtist, PlannedSong, make_plan, track_number
from tools.import_music.progress import Progress
from tools.import_music.tags import Skipped, Track, audio_files, read_track

CREATE_ATTEMPTS = 5
LOOKUP_BATCH = 100  # importedItems takes at most 100 keys
POLL_ALBUMS = 20  # albums (their songs) per status query
POLL_SONGS = 50  # singles per status query
POLL_SECONDS = 1.0  # each status query takes the API's Lambda from the creates
SETTLED = ("READY", "FAILED")
IMPORTED = "query($k: ImportKind!, $keys: [String!]!) { importedItems(kind: $k, importKeys: $keys) { importKey id } }"
CREATE = {
    "ARTIST": "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id } }",
    "ALBUM": "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
    "SONG": "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
}


@dataclass(frozen=True)
class Options:
    folder: Path
    workers: int = 8
    default_genre: str | None = None
    wait_seconds: float = 600.0


@dataclass
class Report:
    created: Counter[str] = field(default_factory=Counter)  # kind -> created now
    existing: Counter[str] = field(default_factory=Counter)  # kind -> found from an earlier run
    covers: int = 0
    ready: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file or item, why)
    unmapped: Counter[str] = field(default_factory=Counter)
    default_genre: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"Import finished in {self.seconds:.1f} s"]
        for kind in ("ARTIST", "ALBUM", "SONG"):
            lines.append(f"  {kind.lower()}s: {self.created[kind]} created, {self.existing[kind]} already there")
        lines.append(f"  songs READY: {self.ready}; covers uploaded: {self.covers}")
        if self.unmapped:
            fallback = f"given {self.default_genre!r}" if self.default_genre else "album's genre, else skipped"
            tags = ", ".join(f"{tag!r} ({n})" for tag, n in self.unmapped.most_common())
            lines.append(f"  genre tags not in the vocabulary ({fallback}): {tags}")
        lines.append(f"  failed: {len(self.failures)}")
        lines += [f"    {what}: {why}" for what, why in self.failures]
        return "\n".join(lines)


def _batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Importer:
    def __init__(self, api: Api, options: Options, stream: TextIO | None = None) -> None:
        self.api, self.options, self.stream = api, options, stream
        self.report = Report(default_genre=options.default_genre)
        self.pool = ThreadPoolExecutor(max_workers=options.workers)
        self.lock = threading.Lock()  # the report's counters, moved by worker threads

    def run(self) -> Report:
        started = time.monotonic()
        try:
            plan = make_plan(self._read(), self.options.default_genre)
            self.report.unmapped = plan.unmapped
            self.report.failures += [(str(s.path), s.reason) for s in plan.skipped]
            artists = self._ensure("ARTIST", plan.artists, self._artist_input)
            albums = self._ensure("ALBUM", plan.albums, lambda a: self._album_input(a, artists))
            self._songs(plan, artists, albums)
            self._covers(plan, albums)  # after the songs: a cover being processed changes its album under them
        finally:
            self.pool.shutdown()
        self.report.seconds = time.monotonic() - started
        return self.report

    # -- reading --------------------------------------------------------------------------

    def _read(self) -> list[Track]:
        paths = list(audio_files(self.options.folder))
        progress = Progress("reading", len(paths), self.stream)
        tracks: list[Track] = []
        for done, result in enumerate(self.pool.map(read_track, paths), 1):
            if isinstance(result, Skipped):
                self.report.failures.append((str(result.path), result.reason))
            else:
                tracks.append(result)
            progress.update(done)
        progress.update(len(paths), final=True)
        return tracks

    # -- artists and albums ---------------------------------------------------------------

    def lookup(self, kind: str, keys: Sequence[str]) -> dict[str, str]:
        """Import key -> id of the items of this kind the API already has."""
        found: dict[str, str] = {}
        for batch in _batches(list(keys), LOOKUP_BATCH):
            for item in self.api(IMPORTED, k=kind, keys=list(batch))["importedItems"]:
                found[item["importKey"]] = item["id"]
        return found

    def _create(self, kind: str, key: str, fields: dict[str, Any]) -> str:
        """Create one item with its import key; on a ConflictError, the item that holds the key
        (another importer got there first), else try again: a song's album may have changed
        under it (its cover being processed), which the API reports as a conflict too."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                return self.api(CREATE[kind], i={**fields, "importKey": key})[f"create{kind.title()}"]["id"]
            except ApiError as error:
                if error.error_type != "ConflictError" or attempt == CREATE_ATTEMPTS - 1:
                    raise
                holder = self.lookup(kind, [key]).get(key)
                if holder:
                    return holder
                time.sleep(random.uniform(0.05, 0.2) * 2**attempt)  # noqa: S311 - jitter, not a secret
        raise AssertionError("unreachable")

    def _artist_input(self, artist: PlannedArtist) -> dict[str, Any]:
        return {"name": artist.name, "genres": artist.genres}

    def _album_input(self, album: PlannedAlbum, artists: dict[str, str]) -> dict[str, Any]:
        fields = {"artistId": artists[album.artist_key], "title": album.title, "genre": album.genre}
        return fields | ({"releaseDate": album.release_date} if album.release_date else {})

    def _ensure(
        self, kind: str, planned: dict[str, Any], make_input: Callable[[Any], dict[str, Any]]
    ) -> dict[str, str]:
        """Key -> id for every planned item of this kind, creating the missing ones in parallel."""
        ids = self.lookup(kind, list(planned))
        self.report.existing[kind] += len(ids)
        missing = [key for key in planned if key not in ids]
        progress = Progress(f"{kind.lower()}s", len(missing), self.stream)
        futures: dict[str, Future[str]] = {}
        for key in missing:
            try:
                futures[key] = self.pool.submit(self._create, kind, key, make_input(planned[key]))
            except KeyError:  # its artist could not be created: reported there
                self.report.failures.append((f"{kind.lower()} {key!r}", "its artist could not be created"))
        for done, (key, future) in enumerate(futures.items(), 1):
            try:
                ids[key] = future.result()
                self.report.created[kind] += 1
            except ApiError as error:
                self.report.failures.append((f"{kind.lower()} {key!r}", str(error)))
            progress.update(done)
        progress.update(len(futures), final=True)
        return ids

    def _album_covers(self, album_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Album id -> {coverUrl, failureReason}, aliased album queries in batches."""
        found: dict[str, dict[str, Any]] = {}
        for batch in _batches(list(album_ids), POLL_SONGS):
            fields = " ".join(f'a{n}: album(id: "{i}") {{ id coverUrl failureReason }}' for n, i in enumerate(batch))
            found |= {album["id"]: album for album in self.api(f"query {{ {fields} }}").values() if album}
        return found

    def _covers(self, plan: Plan, albums: dict[str, str]) -> None:
        """Upload the cover of each album that has one in the folder and none in the catalog yet,
        then wait until the media processor has taken or refused each."""
        with_cover = {albums[key]: key for key, album in plan.albums.items() if album.cover and key in albums}
        before = self._album_covers(list(with_cover))
        missing = [album_id for album_id in with_cover if album_id in before and not before[album_id]["coverUrl"]]

        def upload(album_id: str) -> None:
            cover = plan.albums[with_cover[album_id]].cover
            assert cover is not None
            self.api.upload("COVER", album_id, cover.data, cover.content_type)

        sent: list[str] = []
        for album_id, future in [(album_id, self.pool.submit(upload, album_id)) for album_id in missing]:
            try:
                future.result()
                sent.append(album_id)
            except ApiError as error:
                self.report.failures.append((f"cover of album {plan.albums[with_cover[album_id]].title!r}", str(error)))
        deadline = time.monotonic() + self.options.wait_seconds
        while sent and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            found = self._album_covers(sent)
            for album_id in [
                i for i in sent if found.get(i, {}).get("coverUrl") or found.get(i, {}).get("failureReason")
            ]:
                sent.remove(album_id)
                if found[album_id]["coverUrl"]:
                    self.report.covers += 1
                else:
                    title = plan.albums[with_cover[album_id]].title
                    self.report.failures.append((f"cover of album {title!r}", found[album_id]["failureReason"]))
        for album_id in sent:
            title = plan.albums[with_cover[album_id]].title
            self.report.failures.append((f"cover of album {title!r}", "not processed in time"))

    # -- songs ----------------------------------------------------------------------------

    def _song_input(self, song: PlannedSong, artists: dict[str, str], albums: dict[str, str]) -> dict[str, Any]:
        track = song.track
        fields: dict[str, Any] = {"title": track.title, "artistId": artists[song.artist_key], "genre": song.genre}
        if song.album_key:
            fields["albumId"] = albums[song.album_key]
        number = track_number(track)
        if number:
            fields["trackNumber"] = number
        if track.duration and track.duration >= 1:
            fields["durationSeconds"] = round(track.duration)
        return fields

    def _send_song(self, song: PlannedSong, song_id: str | None, fields: dict[str, Any] | None) -> str:
        """Create the song if it has no id yet, then upload its audio; returns its id."""
        if song_id is None:
            assert fields is not None
            song_id = self._create("SONG", song.key, fields)
            with self.lock:
                self.report.created["SONG"] += 1
        self.api.upload("AUDIO", song_id, song.track.path.read_bytes(), song.track.content_type)
        return song_id

    def _songs(self, plan: Plan, artists: dict[str, str], albums: dict[str, str]) -> None:
        existing = self.lookup("SONG", list(plan.songs))
        statuses = self._statuses(list(existing.values()), {})
        uploads: dict[str, Future[str]] = {}
        settled: dict[str, dict[str, Any]] = {}  # key -> its final state (status, failureReason)
        for key, song in plan.songs.items():
            song_id = existing.get(key)
            status = statuses.get(song_id, {}).get("status") if song_id else None
            if song_id and status not in ("DRAFT", "FAILED"):  # PENDING or PROCESSING will settle by itself
                self.report.existing["SONG"] += 1
                settled[key] = {"status": status}
                continue
            try:
                fields = None if song_id else self._song_input(song, artists, albums)
            except KeyError:
                settled[key] = {"status": "SKIPPED", "failureReason": "its artist or album could not be created"}
                continue
            uploads[key] = self.pool.submit(self._send_song, song, song_id, fields)
        self._wait(plan, uploads, settled, albums)
        for key, song in plan.songs.items():
            state = settled.get(key, {"status": None})
            if state["status"] == "READY":
                self.report.ready += 1
            elif state["status"] is None:
                self.report.failures.append((str(song.track.path), f"not READY within {self.options.wait_seconds} s"))
            elif state["status"] in ("FAILED", "SKIPPED"):
                self.report.failures.append((str(song.track.path), state.get("failureReason") or "refused"))

    def _wait(
        self,
        plan: Plan,
        uploads: dict[str, Future[str]],
        settled: dict[str, dict[str, Any]],
        albums: dict[str, str],
    ) -> None:
        """Collect the uploads and poll the songs' status until each is READY or FAILED (or time is up)."""
        progress = Progress("songs", len(plan.songs), self.stream)
        ids: dict[str, str] = {}
        deadline = time.monotonic() + self.options.wait_seconds
        while len(settled) < len(plan.songs) and (uploads or time.monotonic() < deadline):
            for key, future in list(uploads.items()):
                if future.done():
                    del uploads[key]
                    deadline = time.monotonic() + self.options.wait_seconds
                    try:
                        ids[key] = future.result()
                    except ApiError as error:
                        settled[key] = {"status": "SKIPPED", "failureReason": str(error)}
            waiting = {key: song_id for key, song_id in ids.items() if key not in settled}
            if waiting:
                found = self._statuses(list(waiting.values()), {k: plan.songs[k] for k in waiting}, albums)
                for key, song_id in waiting.items():
                    if found.get(song_id, {}).get("status") in SETTLED:
                        settled[key] = found[song_id]
            ready = sum(1 for state in settled.values() if state["status"] == "READY")
            progress.update(len(settled), f"uploading {len(uploads)}, READY {ready}")
            if len(settled) < len(plan.songs):
                time.sleep(POLL_SECONDS)
        progress.update(len(settled), final=True)

    def _statuses(
        self, song_ids: list[str], songs: dict[str, PlannedSong], albums: dict[str, str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Song id -> {status, failureReason}: by album (one listing per album) where known, else song by song."""
        by_album = sorted({albums[s.album_key] for s in songs.values() if albums and s.album_key in albums})
        listed: dict[str, dict[str, Any]] = {}
        for batch in _batches(by_album, POLL_ALBUMS):
            fields = " ".join(
                f'a{n}: album(id: "{album_id}") {{ songs(limit: 100) {{ items {{ id status failureReason }} }} }}'
                for n, album_id in enumerate(batch)
            )
            answer = self.api(f"query {{ {fields} }}")
            for value in answer.values():
                listed |= {s["id"]: s for s in (value["songs"]["items"] if value else [])}
        rest = [song_id for song_id in song_ids if song_id not in listed]
        for batch in _batches(rest, POLL_SONGS):
            fields = " ".join(f's{n}: song(id: "{i}") {{ id status failureReason }}' for n, i in enumerate(batch))
            listed |= {s["id"]: s for s in self.api(f"query {{ {fields} }}").values() if s}
        return listed
