"""Several admins writing to one album at once: nobody gets an error for a request that was right."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from emulator.seed import ADMIN
from tests.integration.conftest import Api, Run, client, sign_in, unique
from tests.integration.test_catalog import CREATE_ALBUM, CREATE_ARTIST, CREATE_SONG

CLIENTS = 8
SONGS = 200
COUNTS = "query($a: ID!, $b: ID!) { artist(id: $a) { albumCount songCount } album(id: $b) { songCount } }"


def test_eight_clients_add_two_hundred_songs_to_one_album(local_api: Api, admin: Run, guest: Run) -> None:
    """Every create moves the same artist and album counters in its transaction: the writes collide
    on purpose. Each client has its own session, as eight browser tabs would."""
    artist = admin(CREATE_ARTIST, i={"name": unique("Crowd"), "genres": ["rock"]})["createArtist"]
    album = admin(CREATE_ALBUM, i={"artistId": artist["id"], "title": unique("Split LP"), "genre": "rock"})
    album_id = album["createAlbum"]["id"]
    email = os.environ.get("MUSIC_ADMIN_EMAIL", ADMIN["email"])
    token = sign_in(guest, email, os.environ.get("MUSIC_ADMIN_PASSWORD", ADMIN["password"]))["idToken"]

    def work(worker: int) -> list[str]:
        """One client's share, one create after another (a gql client serves one request at a time)."""
        run = client(local_api.url, {"authorization": token})
        made = []
        for n in range(worker, SONGS, CLIENTS):
            song = {"title": f"Take {n}", "artistId": artist["id"], "albumId": album_id, "genre": "rock"}
            made.append(run(CREATE_SONG, i=song | {"trackNumber": n + 1})["createSong"]["id"])
        return made

    with ThreadPoolExecutor(CLIENTS) as pool:
        created = [song for share in pool.map(work, range(CLIENTS)) for song in share]  # an error fails the test

    assert len(set(created)) == SONGS
    counts = admin(COUNTS, a=artist["id"], b=album_id)
    assert counts == {"artist": {"albumCount": 1, "songCount": SONGS}, "album": {"songCount": SONGS}}
    listed, next_token = [], None
    while True:
        page = admin(
            "query($b: ID!, $t: String) { album(id: $b) { songs(limit: 100, nextToken: $t) { items { id } nextToken } } }",
            b=album_id,
            t=next_token,
        )["album"]["songs"]
        listed += [song["id"] for song in page["items"]]
        next_token = page["nextToken"]
        if not next_token:
            break
    assert sorted(listed) == sorted(created), "every song listed once on the album"
