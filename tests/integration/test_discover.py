"""Discover over HTTP: every filter and sort, page after page, agrees with the catalog model; search finds names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog_model import expected_songs
from tests.integration.conftest import Run, unique
from tests.media_stand_in import mark_ready_on_emulator

SONG_FIELDS = "id title genre artist { id } album { id } trackNumber releaseDate createdAt ratingCount averageRating"
SONGS = """query($f: SongFilterInput, $sort: SongSort, $limit: Int, $next: String) {
  songs(filter: $f, sort: $sort, limit: $limit, nextToken: $next) { items { id } nextToken }
}"""
# The genres used here (folk, world, reggae) are in no other test nor the demo: lists by them are exact.


def all_ids(caller: Run, field: str, document: str, **variables: Any) -> list[str]:
    ids: list[str] = []
    token = None
    for _ in range(200):
        page = caller(document, limit=2, next=token, **variables)[field]
        assert len(page["items"]) <= 2
        ids += [item["id"] for item in page["items"]]
        token = page["nextToken"]
        if not token:
            return ids
    raise AssertionError("pagination did not end")


@pytest.fixture(scope="module")
def catalog(local_api: Any, admin: Run, listener: Run) -> dict[str, Any]:
    """Two artists, three dated albums, a single; some songs READY and rated by two listeners."""
    plan = {
        unique("Sólveig"): (
            ["folk", "world"],
            {
                "Fjord Lights": ("folk", "2021-05-01", ["Wind", "ash", "Öresund"]),
                "Late Bloom": ("world", "2024-02-02", ["Moss", "Bright"]),
            },
            [("Échos", "reggae")],
        ),
        unique("Corvid"): (["folk"], {"Crows": ("folk", "2023-07-07", ["Caw", "Murder"])}, []),
    }
    stars = {"Wind": (5, 4), "ash": (3,), "Öresund": (5,), "Moss": (4, 4), "Caw": (2,), "Échos": (1,)}
    made: dict[str, Any] = {"artists": [], "albums": {}, "songs": {}}
    create_song = "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }"
    for name, (genres, albums, singles) in plan.items():
        artist = admin(
            "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id } }", i={"name": name, "genres": genres}
        )["createArtist"]
        made["artists"].append(artist["id"])
        for title, (genre, released, tracks) in albums.items():
            album = admin(
                "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
                i={"artistId": artist["id"], "title": title, "genre": genre, "releaseDate": released},
            )["createAlbum"]
            made["albums"][title] = album["id"]
            for number, track in enumerate(tracks, start=1):
                made["songs"][track] = admin(
                    create_song,
                    i={
                        "title": track,
                        "artistId": artist["id"],
                        "albumId": album["id"],
                        "genre": genre,
                        "trackNumber": number,
                    },
                )["createSong"]["id"]
        for title, genre in singles:
            made["songs"][title] = admin(create_song, i={"title": title, "artistId": artist["id"], "genre": genre})[
                "createSong"
            ]["id"]
    rate = "mutation($s: ID!, $n: Int!) { rateSong(songId: $s, stars: $n) { stars } }"
    for title, given in stars.items():
        mark_ready_on_emulator(local_api.config, made["songs"][title])
        for caller, value in zip((admin, listener), given, strict=False):
            caller(rate, s=made["songs"][title], n=value)
    shown = [
        listener(f"query($id: ID!) {{ song(id: $id) {{ {SONG_FIELDS} }} }}", id=song_id)["song"]
        for song_id in made["songs"].values()
    ]
    made["model"] = [
        {**song, "artistId": song["artist"]["id"], "albumId": (song["album"] or {}).get("id")} for song in shown
    ]
    return made


def test_every_filter_and_sort_returns_the_right_songs_in_order_across_pages(admin: Run, catalog: dict) -> None:
    """Read as an admin, who sees every song whatever its status, as the model does."""
    solveig, corvid = catalog["artists"]
    albums, model = catalog["albums"], catalog["model"]
    ours = {song["id"] for song in model}
    scoped = [
        {"artistId": solveig},
        {"artistId": corvid},
        {"albumId": albums["Fjord Lights"]},
        {"genre": "folk"},
        {"genres": ["world", "reggae"]},
        {"artistId": solveig, "genre": "world"},
        {"artistId": solveig, "releasedAfter": "2022-01-01"},
        {"genre": "folk", "releasedBefore": "2022-12-31"},
        {"genres": ["folk", "world"], "releasedAfter": "2021-05-01", "releasedBefore": "2023-07-07"},
        {"genre": "folk", "minRating": 3},
        {"albumId": albums["Fjord Lights"], "minRating": 4},
        {"artistId": solveig, "minRating": 1},
    ]
    everywhere = [{"minRating": 4.5}, {"releasedAfter": "2021-05-01", "releasedBefore": "2021-05-01"}]
    for criteria in scoped + everywhere:
        for sort in ("NEWEST", "TOP_RATED", "TITLE"):
            got = all_ids(admin, "songs", SONGS, f=criteria, sort=sort)
            if criteria in everywhere:  # other tests' songs may be listed too: ours must be in order
                got = [song_id for song_id in got if song_id in ours]
            assert got == expected_songs(model, criteria, sort), (criteria, sort)


def test_the_expected_orders_spelled_out(admin: Run, catalog: dict) -> None:
    """The model, spelled out once for the folk songs: release, then title (accents ignored), then rating."""
    titles = {song_id: title for title, song_id in catalog["songs"].items()}

    def folk(sort: str) -> list[str]:
        return [titles[i] for i in all_ids(admin, "songs", SONGS, f={"genre": "folk"}, sort=sort)]

    assert folk("NEWEST") == ["Murder", "Caw", "Öresund", "ash", "Wind"]
    assert folk("TITLE") == ["ash", "Caw", "Murder", "Öresund", "Wind"]
    assert folk("TOP_RATED") == ["Öresund", "Wind", "ash", "Caw", "Murder"]


def test_albums_and_artists_by_filter(listener: Run, catalog: dict) -> None:
    solveig, corvid = catalog["artists"]
    albums = catalog["albums"]
    query = """query($f: AlbumFilterInput, $sort: AlbumSort, $limit: Int, $next: String) {
      albums(filter: $f, sort: $sort, limit: $limit, nextToken: $next) { items { id } nextToken } }"""
    assert all_ids(listener, "albums", query, f={"artistId": solveig}) == [albums["Late Bloom"], albums["Fjord Lights"]]
    assert all_ids(listener, "albums", query, f={"artistId": solveig}, sort="TITLE") == [
        albums["Fjord Lights"],
        albums["Late Bloom"],
    ]
    assert all_ids(listener, "albums", query, f={"genre": "folk", "releasedAfter": "2022-01-01"}) == [albums["Crows"]]
    artists = """query($f: ArtistFilterInput, $limit: Int, $next: String) {
      artists(filter: $f, limit: $limit, nextToken: $next) { items { id } nextToken } }"""
    assert all_ids(listener, "artists", artists, f={"genre": "world"}) == [solveig]
    assert set(all_ids(listener, "artists", artists, f={"genre": "folk"})) == {solveig, corvid}


def test_search_finds_beyonce_from_beyo(listener: Run) -> None:
    search = "query($q: String!) { search(query: $q) { artists { name } albums { title } songs { title } } }"
    assert {"name": "Beyoncé Ortiz"} in listener(search, q="beyo")["search"]["artists"]
    assert {"name": "Beyoncé Ortiz"} in listener(search, q="BEYONCÉ ort")["search"]["artists"]
    found = listener(search, q="coraz")["search"]
    assert {"title": "Corazón Abierto"} in found["albums"]
    assert {"title": "Corazón"} in found["songs"]
    assert listener(search, q="beyo zz")["search"] == {"artists": [], "albums": [], "songs": []}
