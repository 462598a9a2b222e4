"""The demo catalog and accounts, created through the public GraphQL API like any client would.

Accounts register and confirm with the code from the local outbox; the admin is then
promoted with the same function as `tools.promote_admin`. Each song gets a few seconds of
a generated tone, uploaded as a client would (requestUpload, then the presigned POST), so
the demo catalog is playable, rateable and in the feed once the media pipeline has
accepted the files; the seed waits for that.
"""

from __future__ import annotations

import io
import json
import math
import struct
import time
import urllib.request
import wave
from typing import Any

import boto3
import requests

from emulator.aws import LocalStack
from emulator.outbox import Outbox
from tools.promote_admin import promote

ADMIN = {"email": "admin@example.com", "password": "Admin123!", "displayName": "Demo Admin"}
LISTENER = {"email": "listener@example.com", "password": "Listener123!", "displayName": "Demo Listener"}

# artist -> (genres, bio, albums: title -> (genre, release date, songs: (title, seconds)))
CATALOG: dict[str, tuple[list[str], str, dict[str, tuple[str, str, list[tuple[str, int]]]]]] = {
    "Nina Vale": (
        ["jazz", "soul"],
        "Smoky vocal jazz from Lisbon.",
        {
            "Blue Hours": ("jazz", "2023-03-10", [("Midnight Tram", 245), ("Alfama Rain", 198), ("Blue Hours", 312)]),
            "Salt & Honey": ("soul", "2025-06-01", [("Honeyed", 205), ("Low Tide", 230)]),
        },
    ),
    "The Fjords": (
        ["rock"],
        "Four-piece indie rock from Bergen.",
        {
            "Northern Static": ("rock", "2024-09-20", [("Static", 201), ("Aurora Drive", 263), ("Cold Harbour", 240)]),
        },
    ),
    "DJ Kairo": (
        ["electronic", "hip-hop"],
        "Producer blending house and boom bap.",
        {
            "Night Market": ("electronic", "2025-01-15", [("Neon Stalls", 287), ("Lantern", 301)]),
        },
    ),
    "Beyoncé Ortiz": (
        ["pop", "latin"],
        "Latin pop singer-songwriter.",
        {
            "Corazón Abierto": ("latin", "2024-02-14", [("Corazón", 214), ("Fuego Lento", 226)]),
        },
    ),
    "Clara Reis Quartet": (
        ["classical"],
        "Chamber music, modern and old.",
        {
            "Quartets, Vol. 1": ("classical", "2022-11-05", [("Allegro in G", 402), ("Adagio", 515)]),
        },
    ),
}


DEMO_SECONDS = 3  # of tone per demo song: the catalog is for trying the API, not for listening
PIPELINE_SECONDS = 60


def wav(seconds: float, rate: int = 8000, tone_hz: float = 440.0) -> bytes:
    """A mono 16-bit PCM sine tone."""
    frames = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * tone_hz * n / rate))) for n in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples)
    return buffer.getvalue()


class Client:
    """A minimal GraphQL-over-HTTP client (standard library only)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables}).encode()
        # Our own local server, over http: the scheme is fixed by the caller.
        request = urllib.request.Request(self.url, body, {"content-type": "application/json", **self.headers})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            result = json.load(response)
        if result.get("errors"):
            raise RuntimeError(f"seed request failed: {result['errors']}")
        return result["data"]


def _account(guest: Client, outbox: Outbox, account: dict[str, str]) -> None:
    guest(
        "mutation($email: AWSEmail!, $password: String!, $displayName: String!) {"
        " register(email: $email, password: $password, displayName: $displayName) { userConfirmed } }",
        **account,
    )
    code = outbox.messages(account["email"])[-1]["code"]
    guest(
        "mutation($email: AWSEmail!, $code: String!) { confirmRegistration(email: $email, code: $code) }",
        email=account["email"],
        code=code,
    )


def _token(guest: Client, account: dict[str, str]) -> str:
    data = guest(
        "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }",
        e=account["email"],
        p=account["password"],
    )
    return data["login"]["idToken"]


def _upload_tone(admin: Client, song_id: str, tone_hz: float) -> None:
    """Upload a short tone as the song's audio, as a client would."""
    audio = wav(DEMO_SECONDS, tone_hz=tone_hz)
    target = admin(
        "mutation($i: UploadRequestInput!) { requestUpload(input: $i) { url fields { name value } } }",
        i={"kind": "AUDIO", "songId": song_id, "contentType": "audio/wav", "sizeBytes": len(audio)},
    )["requestUpload"]
    fields = {field["name"]: field["value"] for field in target["fields"]}
    response = requests.post(target["url"], data=fields, files={"file": ("demo.wav", audio, "audio/wav")}, timeout=30)
    response.raise_for_status()


def _wait_until_playable(admin: Client, song_ids: list[str]) -> None:
    """Return once the media pipeline has accepted every demo song's audio."""
    deadline = time.monotonic() + PIPELINE_SECONDS
    pending = set(song_ids)
    while pending:
        for song_id in list(pending):
            status = admin("query($id: ID!) { song(id: $id) { status } }", id=song_id)["song"]["status"]
            if status == "READY":
                pending.discard(song_id)
            elif status == "FAILED":
                raise RuntimeError(f"the demo audio of song {song_id} was refused")
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} demo songs were not processed within {PIPELINE_SECONDS} s")
        time.sleep(0.1)


def seed_demo(url: str, stack: LocalStack, outbox: Outbox) -> int:
    """Create the demo accounts and catalog; returns the number of songs created."""
    guest = Client(url, {"x-api-key": stack.api_key})
    for account in (ADMIN, LISTENER):
        _account(guest, outbox, account)
    promote(boto3.client("cognito-idp"), stack.user_pool_id, ADMIN["email"])
    admin = Client(url, {"authorization": _token(guest, ADMIN)})
    song_ids: list[str] = []
    for name, (genres, bio, albums) in CATALOG.items():
        artist = admin(
            "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id } }",
            i={"name": name, "genres": genres, "bio": bio},
        )["createArtist"]
        for title, (genre, released, tracks) in albums.items():
            album = admin(
                "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
                i={"artistId": artist["id"], "title": title, "genre": genre, "releaseDate": released},
            )
            for number, (song, seconds) in enumerate(tracks, start=1):
                created = admin(
                    "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
                    i={
                        "title": song,
                        "artistId": artist["id"],
                        "albumId": album["createAlbum"]["id"],
                        "genre": genre,
                        "trackNumber": number,
                        "durationSeconds": seconds,
                    },
                )["createSong"]
                _upload_tone(admin, created["id"], tone_hz=220.0 * 2 ** (len(song_ids) % 12 / 12))
                song_ids.append(created["id"])
    _wait_until_playable(admin, song_ids)
    return len(song_ids)
