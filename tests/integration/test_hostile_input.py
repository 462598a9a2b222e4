"""Hostile strings through the API: a clear ValidationError, and nothing stored or changed.

Oversized fields, control characters (NUL, escape, a newline in a title, lone surrogates
that only JSON variables can carry), bidirectional overrides, decomposed Unicode, ids
that are not ids. After every refused write a query checks that nothing was created, or
that the record it aimed at is as it was. The limits are listed in README, "Limits".
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run

CREATE_ARTIST = "mutation($i: CreateArtistInput!) { createArtist(input: $i) { id name bio imageUrl } }"
CREATE_ALBUM = "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id title } }"
CREATE_SONG = "mutation($i: CreateSongInput!) { createSong(input: $i) { id title } }"
UPDATE_ARTIST = "mutation($id: ID!, $i: UpdateArtistInput!) { updateArtist(id: $id, input: $i) { id } }"
UPDATE_ALBUM = "mutation($id: ID!, $i: UpdateAlbumInput!) { updateAlbum(id: $id, input: $i) { id } }"
UPDATE_SONG = "mutation($id: ID!, $i: UpdateSongInput!) { updateSong(id: $id, input: $i) { id } }"
ARTIST = "query($id: ID!) { artist(id: $id) { id name bio imageUrl genres updatedAt } }"
ALBUM = "query($id: ID!) { album(id: $id) { id title genre coverUrl updatedAt } }"
SONG = "query($id: ID!) { song(id: $id) { id title genre trackNumber updatedAt } }"
MY_PLAYLISTS = "{ myPlaylists(limit: 100) { items { id name } } }"
SEARCH = (
    "query($q: String!) { search(query: $q, limit: 50) { artists { id name } albums { id title } songs { id title } } }"
)

SET_LYRICS = "mutation($id: ID!, $text: String!, $language: String) { setLyrics(songId: $id, text: $text, language: $language) { id } }"
LYRICS = "query($id: ID!) { song(id: $id) { updatedAt lyricsStatus lyrics { text } } }"


RECORD_PLAY = "mutation($p: PlayInput!) { recordPlay(input: $p) { counted } }"
PLAY = {"startedAt": "2026-01-01T00:00:00Z", "playedMs": 60_000, "device": "phone"}
HISTORY = "{ recentlyPlayed(limit: 100) { items { startedAt device } } }"


def marker() -> str:
    """A word no other test uses, to look for what a refused write might have left."""
    return f"zq{uuid.uuid4().hex[:10]}"


def refused(run: Run, document: str, **variables: Any) -> dict[str, Any]:
    """The one error of a refused request; it must not show internals."""
    with pytest.raises(TransportQueryError) as raised:
        run(document, **variables)
    (error,) = raised.value.errors
    assert "Traceback" not in error["message"] and 'File "' not in error["message"]
    return error


def found(admin: Run, word: str) -> list[str]:
    """Everything named with `word`, drafts included (the admin sees them)."""
    result = admin(SEARCH, q=word)["search"]
    return [item["id"] for kind in ("artists", "albums", "songs") for item in result[kind]]


@pytest.fixture
def artist(admin: Run) -> Iterator[dict[str, Any]]:
    """An artist with an album holding one song, all named with one marker; removed after."""
    word = marker()
    made = admin(CREATE_ARTIST, i={"name": f"Nina Vale {word}", "genres": ["jazz"], "bio": "Smoky."})["createArtist"]
    album = admin(CREATE_ALBUM, i={"artistId": made["id"], "title": f"Blue {word}", "genre": "jazz"})["createAlbum"]
    song = admin(
        CREATE_SONG, i={"artistId": made["id"], "albumId": album["id"], "title": f"Tram {word}", "genre": "jazz"}
    )["createSong"]
    yield {**made, "word": word, "albumId": album["id"], "songId": song["id"]}
    admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song["id"])
    admin("mutation($id: ID!) { deleteAlbum(id: $id) }", id=album["id"])
    admin("mutation($id: ID!) { deleteArtist(id: $id) }", id=made["id"])


# -- text that must not be stored --------------------------------------------------------------

HOSTILE_TEXT = {
    "oversized": ("{} " + "x" * 10_000, "at most 200 characters"),
    "just-over": ("{} " + "x" * (201 - 13), "at most 200 characters"),  # the marker is 12 characters
    "nul": ("{}\x00", "control characters"),
    "escape": ("{}\x1b[31m", "control characters"),
    "bell": ("{}\x07", "control characters"),
    "tab": ("{}\tx", "control characters"),
    "newline": ("{}\nsecond line", "single line"),
    "crlf": ("{}\r\nsecond line", "single line"),
    "line-separator": ("{}\u2028x", "single line"),
    "rtl-override": ("{} \u202eevil", "bidirectional control"),
    "isolate": ("\u2067{}\u2069", "bidirectional control"),
    "lone-surrogate": ("{} \ud800", "valid Unicode"),
    "blank": ("   ", "must not be empty"),
}


@pytest.mark.parametrize(("template", "why"), HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_hostile_titles_are_refused_and_nothing_is_stored(admin: Run, artist: dict, template: str, why: str) -> None:
    word = marker()
    title = template.replace("{}", word, 1)
    creates = [
        (CREATE_ARTIST, {"name": title, "genres": ["jazz"]}),
        (CREATE_ALBUM, {"artistId": artist["id"], "title": title, "genre": "jazz"}),
        (CREATE_SONG, {"artistId": artist["id"], "albumId": artist["albumId"], "title": title, "genre": "jazz"}),
    ]
    for document, fields in creates:
        error = refused(admin, document, i=fields)
        assert error["errorType"] == "ValidationError" and why in error["message"], (document, error)
    assert found(admin, word) == [], "nothing stored"
    before = [admin(query, id=item) for query, item in ((ARTIST, artist["id"]), (SONG, artist["songId"]))]
    for document, item, field in ((UPDATE_ARTIST, artist["id"], "name"), (UPDATE_SONG, artist["songId"], "title")):
        error = refused(admin, document, id=item, i={field: title})
        assert error["errorType"] == "ValidationError" and why in error["message"], (document, error)
    after = [admin(query, id=item) for query, item in ((ARTIST, artist["id"]), (SONG, artist["songId"]))]
    assert after == before, "nothing changed"


@pytest.mark.parametrize(("template", "why"), HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_hostile_playlist_names_are_refused_and_nothing_is_stored(listener: Run, template: str, why: str) -> None:
    name = template.replace("{}", marker(), 1)
    before = listener(MY_PLAYLISTS)["myPlaylists"]["items"]
    for document, variables in (
        ("mutation($i: CreatePlaylistInput!) { createPlaylist(input: $i) { id } }", {"i": {"name": name}}),
        (
            "mutation($i: CreateSmartPlaylistInput!) { createSmartPlaylist(input: $i) { id } }",
            {"i": {"name": name, "rules": {}}},
        ),
    ):
        error = refused(listener, document, **variables)
        assert error["errorType"] == "ValidationError" and why in error["message"], (document, error)
    assert listener(MY_PLAYLISTS)["myPlaylists"]["items"] == before, "nothing stored"


@pytest.mark.parametrize(
    "token", ["", "x" * 10_000, "A" * 31 + "\x00", "SHARE#" + "A" * 26, "A" * 31 + "\u202e", "../" + "A" * 29]
)
def test_share_tokens_that_are_not_tokens_are_validation_errors(guest: Run, listener: Run, token: str) -> None:
    error = refused(guest, "query($t: String!) { shared(token: $t) { title } }", t=token)
    assert error["errorType"] == "ValidationError" and "not a share token" in error["message"]
    error = refused(listener, "mutation($t: String!) { revokeShareLink(token: $t) }", t=token)
    assert error["errorType"] == "ValidationError"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"bio": "b" * 2_001}, "bio: at most 2000"),
        ({"bio": "line\n\x00"}, "bio: must not contain control characters"),
        ({"bio": "\u202eoib"}, "bio: must not contain bidirectional"),
        ({"imageUrl": "https://example.com/" + "x" * 2_048}, "imageUrl: at most 2048"),
        ({"imageUrl": "javascript://example.com/%0Aalert(1)"}, "imageUrl: an http or https URL"),
        ({"genres": ["jazz"] * 5 + ["polka"]}, "unknown genre"),
    ],
    ids=["bio-oversized", "bio-nul", "bio-rtl-override", "url-oversized", "url-javascript", "genre-unknown"],
)
def test_hostile_artist_details_are_refused_and_nothing_changes(
    admin: Run, artist: dict, fields: dict, why: str
) -> None:
    before = admin(ARTIST, id=artist["id"])
    error = refused(admin, UPDATE_ARTIST, id=artist["id"], i=fields)
    assert error["errorType"] == "ValidationError" and why in error["message"]
    assert admin(ARTIST, id=artist["id"]) == before
    word = marker()
    error = refused(admin, CREATE_ARTIST, i={"name": f"Fresh {word}", **fields})
    assert error["errorType"] == "ValidationError" and why in error["message"]
    assert found(admin, word) == []


HOSTILE_IMPORT_KEYS = {
    "oversized": ("k" * 401, "importKey: at most 400"),
    "nul": ("key\x00", "control characters"),
    "newline": ("key\nsecond", "single line"),
    "rtl-override": ("key \u202eyek", "bidirectional control"),
    "lone-surrogate": ("key \ud800", "valid Unicode"),
}


@pytest.mark.parametrize(("key", "why"), HOSTILE_IMPORT_KEYS.values(), ids=HOSTILE_IMPORT_KEYS.keys())
def test_hostile_import_keys_are_refused_and_nothing_is_stored(admin: Run, artist: dict, key: str, why: str) -> None:
    word = marker()
    creates = [
        (CREATE_ARTIST, {"name": f"Fresh {word}"}),
        (CREATE_ALBUM, {"artistId": artist["id"], "title": f"Fresh {word}", "genre": "jazz"}),
        (CREATE_SONG, {"artistId": artist["id"], "title": f"Fresh {word}", "genre": "jazz"}),
    ]
    for document, fields in creates:
        error = refused(admin, document, i={**fields, "importKey": key})
        assert error["errorType"] == "ValidationError" and why in error["message"], (document, error)
    assert found(admin, word) == [], "nothing stored"
    lookup = "query($keys: [String!]!) { importedItems(kind: SONG, importKeys: $keys) { id } }"
    error = refused(admin, lookup, keys=["fine", key])
    assert error["errorType"] == "ValidationError" and why.replace("importKey:", "importKeys:") in error["message"]


def test_a_multiline_bio_is_kept_and_a_title_is_stored_trimmed(admin: Run, artist: dict) -> None:
    bio = "Smoky vocal jazz.\r\n\tFrom Lisbon."
    admin(UPDATE_ARTIST, id=artist["id"], i={"bio": bio, "name": f"  Nina Vale {artist['word']}  "})
    stored = admin(ARTIST, id=artist["id"])["artist"]
    assert stored["bio"] == "Smoky vocal jazz.\n\tFrom Lisbon."
    assert stored["name"] == f"Nina Vale {artist['word']}"


def test_oversized_search_and_display_name_are_refused(admin: Run, guest: Run) -> None:
    error = refused(admin, SEARCH, q="blue " * 21)
    assert error["errorType"] == "ValidationError" and "at most 100" in error["message"]
    email, password = f"{marker()}@example.com", "Passw0rd!long"
    register = """mutation($e: AWSEmail!, $p: String!, $n: String!) {
        register(email: $e, password: $p, displayName: $n) { userConfirmed } }"""
    for name, why in (("n" * 61, "at most 60"), ("Nina\nVale", "single line"), ("\ud800", "valid Unicode")):
        error = refused(guest, register, e=email, p=password, n=name)
        assert error["errorType"] == "ValidationError" and why in error["message"]
    login = "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }"
    assert refused(guest, login, e=email, p=password)["errorType"] == "UnauthorizedError", "no account was made"


# -- one Unicode form -------------------------------------------------------------------------


def test_titles_are_stored_in_one_unicode_form_and_found_and_sorted_alike(admin: Run, artist: dict) -> None:
    """A title typed with a combining accent (NFD) is the same title as the precomposed one
    (NFC): stored as NFC, found by either form, sorted among the e's by TITLE."""
    word = artist["word"]
    titles = {"Dune": "Dune", "E\u0301tude": "\u00c9tude", "\u00c9clair": "\u00c9clair", "Fugue": "Fugue"}
    made = {}
    for sent, stored in titles.items():
        song = admin(CREATE_SONG, i={"artistId": artist["id"], "title": f"{sent} {word}", "genre": "jazz"})[
            "createSong"
        ]
        assert song["title"] == f"{stored} {word}"
        made[stored] = song["id"]
    by_title = admin(
        "query($f: SongFilterInput) { songs(filter: $f, sort: TITLE, limit: 100) { items { title } } }",
        f={"artistId": artist["id"]},
    )["songs"]["items"]
    assert [s["title"] for s in by_title] == [
        f"{t} {word}" for t in ("Dune", "\u00c9clair", "\u00c9tude", "Fugue", "Tram")
    ]
    for query in (f"e\u0301tude {word}", f"\u00e9tude {word}", f"ETUDE {word}"):
        assert admin(SEARCH, q=query)["search"]["songs"] == [{"id": made["\u00c9tude"], "title": f"\u00c9tude {word}"}]
    for song_id in made.values():
        admin("mutation($id: ID!) { deleteSong(id: $id) }", id=song_id)


# -- ids that are not ids -----------------------------------------------------------------------

NOT_IDS = {
    "empty": lambda real: "",
    "huge": lambda real: "x" * 10_000,
    "key": lambda real: f"ARTIST#{real}",
    "key-suffix": lambda real: f"{real}#SONG",
    "path": lambda real: f"../../{real}",
    "injection": lambda real: f"{real}' OR '1'='1",
    "almost": lambda real: real[:-1] + "g",
    "nul": lambda real: f"{real}\x00",
    "surrogate": lambda real: f"{real}\ud800",
}


@pytest.mark.parametrize("spoil", NOT_IDS.values(), ids=NOT_IDS.keys())
def test_ids_that_are_not_ids_are_validation_errors_and_change_nothing(
    admin: Run, listener: Run, artist: dict, spoil: Any
) -> None:
    """Each id argument, spoiled from a real one: refused before it can name a key, and the
    record it resembles is untouched."""
    artist_id, album_id, song_id = artist["id"], artist["albumId"], artist["songId"]
    before = [admin(ARTIST, id=artist_id), admin(ALBUM, id=album_id), admin(SONG, id=song_id)]
    word = marker()
    attempts = [
        (listener, "query($id: ID!) { song(id: $id) { id } }", {"id": spoil(song_id)}),
        (listener, "mutation($id: ID!) { rateSong(songId: $id, stars: 3) { stars } }", {"id": spoil(song_id)}),
        (listener, "mutation($id: ID!) { addToOffline(songId: $id) { sizeBytes } }", {"id": spoil(song_id)}),
        (listener, "mutation($id: ID!) { follow(input: {artistId: $id}) { artistId } }", {"id": spoil(artist_id)}),
        (listener, "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }", {"ids": [spoil(song_id)]}),
        (listener, RECORD_PLAY, {"p": {**PLAY, "songId": spoil(song_id)}}),
        (
            listener,
            "mutation($p: [PlayInput!]!) { recordPlays(plays: $p) { counted } }",
            {"p": [{**PLAY, "songId": spoil(song_id)}]},
        ),
        (listener, "mutation($id: ID!) { like(input: {songId: $id}) { kind } }", {"id": spoil(song_id)}),
        (listener, "mutation($id: ID!) { like(input: {artistId: $id}) { kind } }", {"id": spoil(artist_id)}),
        (listener, "mutation($id: ID!) { unlike(input: {albumId: $id}) }", {"id": spoil(album_id)}),
        (listener, "query($id: ID!) { playlist(id: $id) { id } }", {"id": spoil(song_id)}),
        (listener, "mutation($id: ID!) { deletePlaylist(id: $id) }", {"id": spoil(song_id)}),
        (
            listener,
            "mutation($id: ID!, $s: [ID!]!) { addToPlaylist(playlistId: $id, songIds: $s) { id } }",
            {"id": spoil(song_id), "s": [song_id]},
        ),
        (
            listener,
            "mutation($id: ID!) { createShareLink(input: {albumId: $id}) { token } }",
            {"id": spoil(album_id)},
        ),
        (admin, UPDATE_ARTIST, {"id": spoil(artist_id), "i": {"name": f"Renamed {word}"}}),
        (admin, UPDATE_ALBUM, {"id": spoil(album_id), "i": {"title": f"Renamed {word}"}}),
        (admin, UPDATE_SONG, {"id": spoil(song_id), "i": {"title": f"Renamed {word}"}}),
        (admin, "mutation($id: ID!) { deleteSong(id: $id) }", {"id": spoil(song_id)}),
        (admin, SET_LYRICS, {"id": spoil(song_id), "text": f"Lyrics {word}"}),
        (admin, "mutation($id: ID!) { clearLyrics(songId: $id) { id } }", {"id": spoil(song_id)}),
        (admin, "mutation($id: ID!) { transcribeLyrics(songId: $id) { id } }", {"id": spoil(song_id)}),
        (admin, "mutation($id: ID!) { deleteArtist(id: $id) }", {"id": spoil(artist_id)}),
        (admin, CREATE_ALBUM, {"i": {"artistId": spoil(artist_id), "title": f"New {word}", "genre": "jazz"}}),
        (
            admin,
            CREATE_SONG,
            {"i": {"artistId": artist_id, "albumId": spoil(album_id), "title": f"New {word}", "genre": "jazz"}},
        ),
    ]
    for run, document, variables in attempts:
        error = refused(run, document, **variables)
        assert error["errorType"] == "ValidationError" and "not a valid id" in error["message"], (document, error)
    assert [admin(ARTIST, id=artist_id), admin(ALBUM, id=album_id), admin(SONG, id=song_id)] == before
    assert found(admin, word) == [], "nothing created"
    follows = listener("{ myFollows(limit: 100) { items { artistId } } }")["myFollows"]["items"]
    assert artist_id not in [follow["artistId"] for follow in follows], "nothing followed"
    liked = listener("{ myLikes(kind: ARTIST, limit: 100) { items { artist { id } } } }")["myLikes"]["items"]
    assert artist_id not in [(like["artist"] or {}).get("id") for like in liked], "nothing liked"


@pytest.mark.parametrize(
    "device",
    ["x" * 101, "phone\x00", "phone\x1b[31m", "phone\nlaptop", "phone\ud800", "\u202ephone", "  "],
    ids=["oversized", "nul", "escape", "newline", "surrogate", "bidi", "blank"],
)
def test_hostile_device_names_are_refused_and_no_play_is_kept(listener: Run, artist: dict, device: str) -> None:
    """The device is the one text a listener stores with a play."""
    before = listener(HISTORY)
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    play = {**PLAY, "songId": artist["songId"], "startedAt": started, "device": device}
    error = refused(listener, RECORD_PLAY, p=play)
    assert error["errorType"] == "ValidationError" and error["message"].startswith("device:"), error
    assert listener(HISTORY) == before


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ({"genre": "jazz\x00"}, "genre:"),
        ({"genre": "' OR 1=1 --"}, "genre:"),
        ({"genre": "j" * 10_000}, "genre:"),
        ({"limit": 0}, "limit:"),
        ({"limit": 2**31 - 1}, "limit:"),
    ],
    ids=["nul", "injection", "oversized", "zero", "huge"],
)
def test_hostile_chart_arguments_are_validation_errors(listener: Run, arguments: dict, why: str) -> None:
    """A chart reads up to 30 day partitions: nothing a client sends may widen that."""
    document = "query($g: String, $l: Int) { charts(period: MONTH, genre: $g, limit: $l) { position } }"
    error = refused(listener, document, g=arguments.get("genre"), l=arguments.get("limit"))
    assert error["errorType"] == "ValidationError" and error["message"].startswith(why), error


# -- requests that are not GraphQL --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"meow",
        b'"{ genres { id } }"',
        b"null",
        b"[]",
        b"{}",
        b"\xff{}",
        b'{"query": "{ genres { id } }", "variables": 1}',
    ],
    ids=["empty", "not-json", "json-string", "null", "list", "no-query", "not-utf8", "variables-not-object"],
)
def test_requests_that_are_not_graphql_get_appsyncs_400(local_api: Api, body: bytes) -> None:
    """Never a 500 or a plain-text answer: AppSync's 400 with a typed error a client can read."""
    headers = {"content-type": "application/json", "x-api-key": local_api.config["apiKey"]}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(local_api.url, body, headers), timeout=10)
    assert refused.value.code == 400
    (error,) = json.load(refused.value)["errors"]
    assert error["errorType"] == "MalformedHttpRequestException" and error["message"]


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ({"text": "x" * 20_001}, "text: at most 20000"),
        ({"text": "verse\x00"}, "text: must not contain control characters"),
        ({"text": "\u202everse"}, "text: must not contain bidirectional"),
        ({"text": "verse \ud800"}, "text: must be valid Unicode"),
        ({"text": "[00:01.00]a\n[99:xx]b"}, "text: line 2: malformed time tag"),
        ({"text": "   "}, "text: must not be empty"),
        ({"text": "verse", "language": "english please"}, "language: a BCP 47 language tag"),
        ({"text": "verse", "language": "e" * 10_000}, "language: a BCP 47 language tag"),
        ({"text": "verse", "language": "en\x00"}, "language: a BCP 47 language tag"),
    ],
    ids=["oversized", "nul", "rtl-override", "lone-surrogate", "bad-time-tag", "blank", "words", "huge", "nul-lang"],
)
def test_hostile_lyrics_are_refused_and_nothing_changes(admin: Run, artist: dict, arguments: dict, why: str) -> None:
    before = admin(LYRICS, id=artist["songId"])
    error = refused(admin, SET_LYRICS, id=artist["songId"], **arguments)
    assert error["errorType"] == "ValidationError" and why in error["message"], error
    assert admin(LYRICS, id=artist["songId"]) == before, "nothing stored"


# -- the play queue -----------------------------------------------------------------------------

SAVE_QUEUE = "mutation($i: PlayQueueInput!) { savePlayQueue(input: $i) { version } }"
PLAY_QUEUE = "{ playQueue { songIds currentIndex positionMs device version updatedAt } }"


def queue_over(listener: Run, **change: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The listener's queue now, and a save over it that would be taken but for `change`."""
    before = listener(PLAY_QUEUE)
    version = (before["playQueue"] or {}).get("version")
    entry = {"songIds": [str(uuid.uuid4())], "currentIndex": 0, "positionMs": 0, "device": "phone"}
    return before, {**entry, **({"expectedVersion": version} if version else {}), **change}


@pytest.mark.parametrize("spoil", NOT_IDS.values(), ids=NOT_IDS.keys())
def test_a_play_queue_naming_a_non_id_is_refused_and_the_queue_is_unchanged(listener: Run, spoil: Any) -> None:
    real = str(uuid.uuid4())
    before, entry = queue_over(listener, songIds=[real, spoil(real)])
    error = refused(listener, SAVE_QUEUE, i=entry)
    assert error["errorType"] == "ValidationError" and "songIds: not a valid id" in error["message"], error
    assert listener(PLAY_QUEUE) == before


@pytest.mark.parametrize(
    "device",
    ["x" * 101, "phone\x00", "phone\x1b[31m", "phone\nlaptop", "phone\ud800", "\u202ephone", "  "],
    ids=["oversized", "nul", "escape", "newline", "surrogate", "bidi", "blank"],
)
def test_hostile_device_names_are_refused_and_the_play_queue_is_unchanged(listener: Run, device: str) -> None:
    before, entry = queue_over(listener, device=device)
    error = refused(listener, SAVE_QUEUE, i=entry)
    assert error["errorType"] == "ValidationError" and error["message"].startswith("device:"), error
    assert listener(PLAY_QUEUE) == before


@pytest.mark.parametrize(
    "change",
    [{"currentIndex": -1}, {"currentIndex": 2**31 - 1}, {"positionMs": -(2**31)}, {"expectedVersion": 2**31 - 1}],
    ids=["index-negative", "index-huge", "position-min-int", "version-max-int"],
)
def test_play_queue_numbers_out_of_range_are_refused_and_the_queue_is_unchanged(listener: Run, change: dict) -> None:
    before, entry = queue_over(listener, **change)
    error = refused(listener, SAVE_QUEUE, i=entry)
    assert error["errorType"] == "ValidationError", error
    assert listener(PLAY_QUEUE) == before
