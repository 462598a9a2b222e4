"""`--data-dir`: what a developer created is still there after a restart, and after a crash:
the same data, the same password, and the sessions (tokens, refresh tokens) of before."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from emulator.persistence import SNAPSHOT_SECONDS
from emulator.seed import ADMIN
from tests.integration.conftest import Api, Run, client, sign_in, start_emulator, stop_emulator
from tests.integration.test_media import settled, upload
from tests.media_files import wav
from tools.promote_admin import local_pool, promote

PASSWORD = "Keep-it-2-restarts!"
STATE = """query($song: ID!) {
  me { id email }
  myRatings { items { songId stars } }
  myFollows { items { artistId } }
  song(id: $song) { title status streamUrl averageRating ratingCount artist { name } }
}"""


def guest_of(base: str) -> Run:
    with urllib.request.urlopen(f"{base}/config", timeout=10) as response:
        return client(f"{base}/graphql", {"x-api-key": json.load(response)["apiKey"]})


def register(base: str, prefix: str) -> str:
    """A confirmed account with PASSWORD; returns its email."""
    guest = guest_of(base)
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    guest(
        'mutation($e: AWSEmail!, $p: String!) { register(email: $e, password: $p, displayName: "K") { userConfirmed } }',
        e=email,
        p=PASSWORD,
    )
    with urllib.request.urlopen(f"{base}/outbox?to={email}", timeout=10) as response:
        code = json.load(response)[-1]["code"]
    guest("mutation($e: AWSEmail!, $c: String!) { confirmRegistration(email: $e, code: $c) }", e=email, c=code)
    return email


def new_admin(base: str) -> tuple[str, str]:
    """An administrator of an emulator started without the demo seed, promoted as `make promote` does."""
    email = register(base, "curator")
    promote(*local_pool(base), email)
    return email, PASSWORD


def build_up(base: str, admin_account: tuple[str, str] = (ADMIN["email"], ADMIN["password"])) -> dict[str, Any]:
    """An account, an artist with a playable song, a follow and a rating, made through the API."""
    guest = guest_of(base)
    admin = client(f"{base}/graphql", {"authorization": sign_in(guest, *admin_account)["idToken"]})
    email = register(base, "keeper")
    artist = admin('mutation { createArtist(input: {name: "Persistent Pia"}) { id } }')["createArtist"]["id"]
    song = admin(
        'mutation($a: ID!) { createSong(input: {title: "Still Here", artistId: $a, genre: "folk"}) { id } }', a=artist
    )["createSong"]["id"]
    audio = wav(1.0)
    upload(admin, song, audio, "audio/wav")
    assert settled(admin, song)["status"] == "READY"
    session = sign_in(guest, email, PASSWORD)
    listener = client(f"{base}/graphql", {"authorization": session["idToken"]})
    listener("mutation($a: ID!) { follow(input: {artistId: $a}) { artistId } }", a=artist)
    listener("mutation($s: ID!) { rateSong(songId: $s, stars: 4) { stars } }", s=song)
    listener("mutation { setEmailNotifications(enabled: true) { enabled } }")
    return {
        "email": email,
        "artist": artist,
        "song": song,
        "audio": audio,
        "session": session,
        "state": listener(STATE, song=song),
    }


def assert_kept(base: str, made: dict[str, Any]) -> None:
    """The listener's token of before still works, as do their refresh token and password."""
    guest = guest_of(base)
    refreshed = guest(
        "mutation($t: String!) { refreshSession(refreshToken: $t) { idToken } }", t=made["session"]["refreshToken"]
    )["refreshSession"]
    for token in (made["session"]["idToken"], refreshed["idToken"], sign_in(guest, made["email"], PASSWORD)["idToken"]):
        after = client(f"{base}/graphql", {"authorization": token})(STATE, song=made["song"])
        before = made["state"]
        assert after["me"] == before["me"], "same account, same id: it still owns its data"
        assert (after["myRatings"], after["myFollows"]) == (before["myRatings"], before["myFollows"])
        for field in ("title", "status", "averageRating", "ratingCount", "artist"):
            assert after["song"][field] == before["song"][field]
    assert requests.get(after["song"]["streamUrl"], timeout=10).content == made["audio"]


def assert_release_mailed(base: str, made: dict[str, Any]) -> None:
    """The email subscription survived too: a new song of the followed artist reaches the outbox."""
    admin = client(
        f"{base}/graphql", {"authorization": sign_in(guest_of(base), ADMIN["email"], ADMIN["password"])["idToken"]}
    )
    song = admin(
        'mutation($a: ID!) { createSong(input: {title: "After The Restart", artistId: $a, genre: "folk"}) { id } }',
        a=made["artist"],
    )["createSong"]["id"]
    upload(admin, song, wav(1.0), "audio/wav")
    assert settled(admin, song)["status"] == "READY"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/outbox?to={made['email']}", timeout=10) as response:
            if any("After The Restart" in mail["body"] for mail in json.load(response)):
                return
        time.sleep(0.2)
    pytest.fail("no release email after the restart")


@pytest.fixture
def data_dir(local_api: Api, tmp_path: Path) -> Path:
    local_api.local_only()
    return tmp_path / "state"


def test_a_restart_keeps_accounts_catalog_media_follows_and_ratings(data_dir: Path) -> None:
    process, base = start_emulator("--seed", "demo", "--data-dir", str(data_dir))
    try:
        made = build_up(base)
    finally:
        stop_emulator(process)  # a clean stop writes the last snapshot
    process, base = start_emulator("--seed", "demo", "--data-dir", str(data_dir))
    try:
        assert_kept(base, made)
        assert_release_mailed(base, made)
        admin_guest = guest_of(base)
        admin = client(
            f"{base}/graphql", {"authorization": sign_in(admin_guest, ADMIN["email"], ADMIN["password"])["idToken"]}
        )
        titles = [s["title"] for s in admin("{ songs(limit: 100) { items { title } } }")["songs"]["items"]]
        assert titles.count("Midnight Tram") == 1, "the demo seed loads into a new data directory only"
    finally:
        stop_emulator(process)


def test_a_crash_loses_at_most_the_last_moments(data_dir: Path) -> None:
    process, base = start_emulator("--data-dir", str(data_dir))  # no demo seed: it takes longer than the test
    try:
        made = build_up(base, new_admin(base))
        time.sleep(SNAPSHOT_SECONDS * 1.5)  # documented: changes older than a snapshot period are on disk
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    process, base = start_emulator("--data-dir", str(data_dir))
    try:
        assert_kept(base, made)
    finally:
        stop_emulator(process)
