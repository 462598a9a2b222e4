"""Discover and search through the API handler, checked against a brute-force model of the catalog."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

from resolvers.errors import ValidationError
from resolvers.words import sort_text
from tests.catalog_model import expected_songs
from tests.media_stand_in import mark_ready
from tests.unit.conftest import appsync_event, invoke

pytestmark = pytest.mark.usefixtures("aws")

# artist -> (genres, albums: title -> (genre, release date, tracks), singles: (title, genre))
CATALOG: dict[str, tuple[list[str], dict[str, tuple[str, str | None, list[str]]], list[tuple[str, str]]]] = {
    "Nina Vale": (
        ["jazz", "soul"],
        {
            "Blue Hours": ("jazz", "2023-03-10", ["Midnight Tram", "alfama rain", "Blue Hours"]),
            "Salt & Honey": ("soul", "2025-06-01", ["Honeyed", "Low Tide"]),
        },
        [("Écume", "jazz")],
    ),
    "The Fjords": (["rock"], {"Northern Static": ("rock", "2024-09-20", ["Static", "Aurora Drive"])}, []),
    "Émile Ångström": (["jazz"], {"Undated": ("jazz", None, ["Zéro", "Blue"])}, [("Ça va", "soul")]),
}
STARS = {"Midnight Tram": [5, 4], "Blue Hours": [2], "Honeyed": [4], "Static": [5], "Écume": [1, 2, 3], "Zéro": [4, 4]}


def admin(field: str, **arguments: Any) -> Any:
    return invoke(appsync_event("Mutation", field, arguments))


def browse(field: str, **arguments: Any) -> Any:
    """As an admin, who sees every song whatever its status (listeners: test_listeners_see_only_playable_songs)."""
    return invoke(appsync_event("Query", field, {k: v for k, v in arguments.items() if v is not None}))


def rate_as(user: str, song_id: str, stars: int) -> None:
    event = appsync_event("Mutation", "rateSong", {"songId": song_id, "stars": stars}, groups=("users",))
    event["identity"] |= {"sub": user, "username": user}
    invoke(event)


@pytest.fixture
def catalog() -> dict[str, Any]:
    """The catalog above, created through the API, with some songs READY and rated."""
    made: dict[str, Any] = {"artists": {}, "albums": {}, "songs": {}}
    for name, (genres, albums, singles) in CATALOG.items():
        artist = admin("createArtist", input={"name": name, "genres": genres})
        made["artists"][name] = artist
        for title, (genre, released, tracks) in albums.items():
            album_input = {"artistId": artist["id"], "title": title, "genre": genre}
            album = admin("createAlbum", input=album_input | ({"releaseDate": released} if released else {}))
            made["albums"][title] = album
            for number, track in enumerate(tracks, start=1):
                made["songs"][track] = admin(
                    "createSong",
                    input={
                        "title": track,
                        "artistId": artist["id"],
                        "albumId": album["id"],
                        "genre": genre,
                        "trackNumber": number,
                    },
                )
        for title, genre in singles:
            made["songs"][title] = admin("createSong", input={"title": title, "artistId": artist["id"], "genre": genre})
    for title, stars in STARS.items():
        mark_ready(made["songs"][title]["id"])
        for n, value in enumerate(stars):
            rate_as(f"listener-{n}", made["songs"][title]["id"], value)
    made["songs"] = {title: browse("song", id=s["id"]) for title, s in made["songs"].items()}
    return made


def all_pages(field: str, limit: int = 2, **arguments: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    for _ in range(50):
        page = browse(field, limit=limit, nextToken=token, **arguments)
        assert len(page["items"]) <= limit
        items += page["items"]
        token = page["nextToken"]
        if not token:
            return items
    raise AssertionError("pagination did not end")


def test_every_song_filter_and_sort_matches_the_model_across_pages(catalog: dict[str, Any]) -> None:
    artists, albums, songs = catalog["artists"], catalog["albums"], list(catalog["songs"].values())
    nina, fjords = artists["Nina Vale"]["id"], artists["The Fjords"]["id"]
    filters: list[dict[str, Any]] = [
        {},
        {"genre": "jazz"},
        {"genres": ["jazz", "rock"]},
        {"genre": "jazz", "genres": ["jazz", "soul"]},
        {"artistId": nina},
        {"artistId": nina, "genre": "soul"},
        {"artistId": fjords, "genres": ["rock", "pop"]},
        {"albumId": albums["Blue Hours"]["id"]},
        {"albumId": albums["Blue Hours"]["id"], "minRating": 3},
        {"albumId": albums["Undated"]["id"], "artistId": artists["Émile Ångström"]["id"]},
        {"releasedAfter": "2024-01-01"},
        {"releasedAfter": "2023-03-10", "releasedBefore": "2024-09-20"},
        {"releasedBefore": "2023-03-10", "genre": "jazz"},
        {"minRating": 4},
        {"minRating": 2.5, "genre": "jazz"},
        {"minRating": 4, "artistId": nina, "releasedAfter": "2023-01-01"},
        {"genres": ["soul", "rock"], "releasedAfter": "2024-06-01"},
    ]
    assert len(songs) == 11
    for criteria in filters:
        for sort in ("NEWEST", "TOP_RATED", "TITLE"):
            got = [s["id"] for s in all_pages("songs", filter=criteria, sort=sort)]
            assert got == expected_songs(songs, criteria, sort), (criteria, sort)
    assert [s["id"] for s in all_pages("songs", limit=100)] == expected_songs(songs, {}, "NEWEST")


def test_songs_show_their_release_day_and_rating(catalog: dict[str, Any]) -> None:
    songs, albums = catalog["songs"], catalog["albums"]
    assert (songs["Midnight Tram"]["averageRating"], songs["Midnight Tram"]["ratingCount"]) == (4.5, 2)
    assert (songs["Blue"]["averageRating"], songs["Blue"]["ratingCount"]) == (None, 0)
    assert songs["Midnight Tram"]["releaseDate"] == "2023-03-10"
    assert songs["Écume"]["releaseDate"] == songs["Écume"]["createdAt"][:10]
    assert songs["Zéro"]["releaseDate"] == albums["Undated"]["createdAt"][:10]
    admin("updateAlbum", id=albums["Undated"]["id"], input={"releaseDate": "1999-12-31"})
    moved = all_pages("songs", filter={"releasedBefore": "2000-01-01"})
    assert [s["title"] for s in moved] == ["Blue", "Zéro"], "moved with the album; the same day: latest added first"
    assert [s["releaseDate"] for s in moved] == ["1999-12-31"] * 2


def test_albums_by_filter_and_sort(catalog: dict[str, Any]) -> None:
    nina = catalog["artists"]["Nina Vale"]["id"]
    albums = list(catalog["albums"].values())

    def expected(criteria: dict[str, Any], sort: str) -> list[str]:
        day = lambda a: a.get("releaseDate") or a["createdAt"][:10]  # noqa: E731
        chosen = [
            a
            for a in albums
            if a["genre"] in criteria.get("genres", [a["genre"]])
            and criteria.get("artistId", a["artistId"]) == a["artistId"]
            and criteria.get("releasedAfter", "0000") <= day(a) <= criteria.get("releasedBefore", "9999")
        ]
        if sort == "TITLE":
            return [a["title"] for a in sorted(chosen, key=lambda a: sort_text(a["title"]))]
        return [a["title"] for a in sorted(chosen, key=lambda a: (day(a), a["createdAt"]), reverse=True)]

    for criteria in (
        {},
        {"genres": ["jazz"]},
        {"genres": ["jazz", "soul"]},
        {"artistId": nina},
        {"releasedAfter": "2024-01-01"},
        {"artistId": nina, "releasedBefore": "2024-01-01"},
        {"genres": ["rock", "soul"], "releasedBefore": "2025-01-01"},
    ):
        for sort in ("NEWEST", "TITLE"):
            assert [a["title"] for a in all_pages("albums", filter=criteria, sort=sort)] == expected(criteria, sort)
    assert [a["title"] for a in all_pages("albums", filter={"genre": "rock"})] == ["Northern Static"]


def test_artists_by_genre_follow_their_genres(catalog: dict[str, Any]) -> None:
    def names(genre: str) -> list[str]:
        return [a["name"] for a in all_pages("artists", filter={"genre": genre})]

    assert names("jazz") == ["Émile Ångström", "Nina Vale"], "by name, ignoring accents"
    assert names("rock") == ["The Fjords"]
    fjords = catalog["artists"]["The Fjords"]
    admin("updateArtist", id=fjords["id"], input={"genres": ["jazz"], "name": "Aalborg Fjords"})
    assert names("jazz") == ["Aalborg Fjords", "Émile Ångström", "Nina Vale"]
    assert names("rock") == []
    assert [a["name"] for a in all_pages("artists")] == ["Aalborg Fjords", "Émile Ångström", "Nina Vale"]


BAD_FILTERS = [
    ({"sort": "LOUDEST"}, "sort"),
    ({"filter": {"genre": "polka"}}, "genre"),
    ({"filter": {"genres": []}}, "genres"),
    ({"filter": {"releasedAfter": "2024-13-01"}}, "releasedAfter"),
    ({"filter": {"releasedBefore": "2024-01-01Z"}}, "releasedBefore"),
    ({"filter": {"releasedAfter": "2024-02-01", "releasedBefore": "2024-01-01"}}, "not be later"),
    ({"filter": {"minRating": 0.5}}, "minRating"),
    ({"filter": {"minRating": 5.5}}, "minRating"),
    ({"filter": {"artistId": "nope"}}, "artistId"),
]


def test_bad_filters_and_sorts_are_validation_errors() -> None:
    for arguments, message in BAD_FILTERS:
        with pytest.raises(ValidationError, match=message):
            browse("songs", **arguments)
    with pytest.raises(ValidationError, match="sort"):
        browse("albums", sort="TOP_RATED")
    with pytest.raises(ValidationError, match="genre"):
        browse("artists", filter={"genre": "polka"})


def test_tokens_belong_to_their_list(catalog: dict[str, Any]) -> None:
    token = browse("songs", filter={"releasedBefore": "2024-12-31"}, limit=1)["nextToken"]
    assert token
    with pytest.raises(ValidationError, match="nextToken"):  # outside that query's key range
        browse("songs", filter={"releasedBefore": "2024-01-01"}, limit=1, nextToken=token)
    with pytest.raises(ValidationError, match="nextToken"):  # another index
        browse("songs", sort="TITLE", limit=1, nextToken=token)
    forged = json.loads(base64.urlsafe_b64decode(token + "=="))
    forged["GSI1SK"] = "2025-01-01#"
    with pytest.raises(ValidationError, match="nextToken"):
        browse(
            "songs",
            filter={"releasedBefore": "2024-12-31"},
            nextToken=base64.urlsafe_b64encode(json.dumps(forged).encode()).decode(),
        )


def test_search_ignores_case_and_accents_and_follows_renames(catalog: dict[str, Any]) -> None:
    def found(query: str) -> dict[str, list[str]]:
        result = browse("search", query=query)
        return {kind: [i.get("name") or i["title"] for i in items] for kind, items in result.items() if items}

    assert found("ANGS") == {"artists": ["Émile Ångström"]}
    assert found("émi ångs") == {"artists": ["Émile Ångström"]}
    blue = found("blue")
    assert (blue["albums"], sorted(blue["songs"]), len(blue)) == (["Blue Hours"], ["Blue", "Blue Hours"], 2)
    assert found("hours blu") == {"albums": ["Blue Hours"], "songs": ["Blue Hours"]}
    assert found("ca") == {"songs": ["Ça va"]}
    assert found("zzz") == {}
    tram = catalog["songs"]["Midnight Tram"]
    admin("updateSong", id=tram["id"], input={"title": "Last Streetcar"})
    assert found("tram") == {}
    assert found("streetc") == {"songs": ["Last Streetcar"]}
    for bad in ("a", "  ", "!!", "x" * 101):
        with pytest.raises(ValidationError, match="query"):
            browse("search", query=bad)


def test_deleting_leaves_no_index_items(catalog: dict[str, Any]) -> None:
    for song in catalog["songs"].values():
        admin("deleteSong", id=song["id"])
    for album in catalog["albums"].values():
        admin("deleteAlbum", id=album["id"])
    for artist in catalog["artists"].values():
        admin("deleteArtist", id=artist["id"])
    left = boto3.client("dynamodb").scan(TableName="music-test")["Items"]
    assert {item["SK"]["S"].split("#")[0] for item in left} == {"RATING"}, "only ratings wait for the clean-up"
    assert browse("search", query="blue") == {"artists": [], "albums": [], "songs": [], "playlists": []}
    assert browse("artists", filter={"genre": "jazz"})["items"] == []


def test_names_that_fold_long_are_stored_sorted_and_found() -> None:
    """A name within 200 characters can fold into thousands of bytes (U+FDFA is 18 letters and
    spaces under NFKD), and index keys hold folded text: they stay within DynamoDB's 1,024 bytes."""
    ligatures = admin("createArtist", input={"name": "\ufdfa" * 200})
    one_word = admin("createArtist", input={"name": "W" + "x" * 199})
    listed = [a["id"] for a in browse("artists", limit=100)["items"]]
    assert listed == [one_word["id"], ligatures["id"]], "w... sorts before the Arabic letters"
    assert [a["id"] for a in browse("search", query="\u0635\u0644\u0649")["artists"]] == [ligatures["id"]]
    assert [a["id"] for a in browse("search", query="w" + "x" * 99)["artists"]] == [one_word["id"]]
