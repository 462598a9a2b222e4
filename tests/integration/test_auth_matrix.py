"""Who may call what, generated from the schema: every root field, called by every kind of caller.

The expectations below are written by hand, apart from the directives they check: a field
missing from them (or one that no longer exists) fails the test. Each call is a minimal
operation built from the field's own argument types (placeholder ids, the first enum
value, the required input fields and those with a value by name), so an allowed caller
may well get NotFound or Validation: the point is that only refused callers get
`Unauthorized`. A refused mutation aims at real catalog items instead of placeholders,
so that had it gone through, the catalog would show it; it must read the same after.
Owned data (ratings, follows, offline library, inbox) is checked across two listeners.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    build_schema,
    get_named_type,
)

from emulator.aws import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, REGION
from emulator.seed import ADMIN as ADMIN_ACCOUNT
from schema import SDL_PATH
from tests.integration.conftest import Api, Run, sign_in, unique
from tests.integration.stand_in_media import release_song
from tests.integration.test_media import settled, upload
from tests.integration.test_new_content import new_listener, subscriptions, transport_ws
from tests.integration.test_ratings import new_song
from tests.media_files import wav
from tests.test_schema import APPSYNC_DEFINITIONS

GUEST = {"register", "confirmRegistration", "login", "refreshSession"}
GUEST |= {"shared"}  # anyone holding a share link; listeners too (below)
ADMIN = {"createArtist", "updateArtist", "deleteArtist", "createAlbum", "updateAlbum", "deleteAlbum"}
ADMIN |= {"createSong", "updateSong", "deleteSong", "requestUpload"}
ADMIN |= {"importedItems"}  # the importer's look-up by import key
ADMIN |= {"setLyrics", "clearLyrics", "transcribeLyrics"}
BACKEND = {"publishNewContent"}  # IAM only: the fan-out function's role
LISTENER = {  # listeners and admins alike
    *("artist", "artists", "album", "albums", "song", "songs", "genres", "search", "feed", "me"),
    *("myRatings", "rateSong", "removeRating"),
    *("myFollows", "follow", "unfollow", "notifications", "unreadNotificationCount", "markNotificationsRead"),
    *("emailNotifications", "setEmailNotifications", "onNewContent", "onMyNewContent"),
    *("offlineLibrary", "addToOffline", "removeFromOffline", "offlineSync"),
    *("recordPlay", "recordPlays", "recentlyPlayed", "charts"),
    *("myLikes", "like", "unlike"),
    *("playlist", "myPlaylists", "createPlaylist", "createSmartPlaylist", "updatePlaylist", "deletePlaylist"),
    *("addToPlaylist", "removeFromPlaylist", "movePlaylistEntry"),
    *("myShareLinks", "createShareLink", "revokeShareLink", "shared"),
    *("playQueue", "savePlayQueue", "onPlayQueueChanged"),
}
MAY_CALL = {"guest": GUEST, "listener": LISTENER, "admin": LISTENER | ADMIN, "backend": BACKEND}
CALLERS = list(MAY_CALL)
REFUSED = {"Unauthorized", "UnauthorizedException"}

SCHEMA = build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())
ROOTS = {"query": SCHEMA.query_type, "mutation": SCHEMA.mutation_type, "subscription": SCHEMA.subscription_type}
FIELDS = [(operation, name) for operation, root in ROOTS.items() if root for name in root.fields]
PLACEHOLDERS = {
    "ID": lambda: str(uuid.uuid4()),
    "Int": lambda: 1,
    "Float": lambda: 1.0,
    "Boolean": lambda: True,
    "AWSEmail": lambda: "nobody@example.com",
    "AWSDate": lambda: "2024-01-01",
    "AWSDateTime": lambda: "2024-01-01T00:00:00Z",
    "AWSURL": lambda: "https://example.com/x",
}
# Arguments and input fields whose placeholder would be refused by validation alone.
VALID = {"genre": "jazz", "contentType": "audio/mpeg"}


def placeholder(kind: GraphQLInputType, values: Mapping[str, Any]) -> Any:
    """A value of this input type: the minimum it requires, plus the input fields `values` names."""
    if isinstance(kind, GraphQLNonNull):
        return placeholder(kind.of_type, values)
    if isinstance(kind, GraphQLList):
        return [placeholder(kind.of_type, values)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: values[name] if name in values else placeholder(field.type, values)
            for name, field in kind.fields.items()
            if name in values or (isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined)
        }
    return PLACEHOLDERS.get(kind.name, lambda: "x")()


def minimal_operation(operation: str, name: str, values: Mapping[str, Any] = VALID) -> tuple[str, dict[str, Any]]:
    """`operation($a: T!) { name(arg: $a) { __typename } }` with the required arguments and those `values` names."""
    field: GraphQLField = ROOTS[operation].fields[name]  # type: ignore[union-attr]
    passed_args = {
        arg: spec for arg, spec in field.args.items() if arg in values or isinstance(spec.type, GraphQLNonNull)
    }
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in passed_args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in passed_args)
    selection = " { __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
    document = (
        f"{operation}{f'({declared})' if declared else ''} {{ {name}{f'({passed})' if passed else ''}{selection} }}"
    )
    return document, {
        arg: values[arg] if arg in values else placeholder(spec.type, values) for arg, spec in passed_args.items()
    }


def test_every_root_field_has_an_expectation() -> None:
    expected = GUEST | LISTENER | ADMIN | BACKEND
    in_schema = {name for _, name in FIELDS}
    assert in_schema - expected == set(), "add these fields to the expectations above"
    assert expected - in_schema == set(), "these expectations name fields that no longer exist"


def signed_client(url: str) -> Run:
    """The backend: each request signed with SigV4 and the emulator's IAM credentials, as the fan-out signs."""
    credentials = Credentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY)

    def run(document: str, **variables: Any) -> dict[str, Any]:
        body = json.dumps({"query": document, "variables": variables}).encode()
        request = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
        SigV4Auth(credentials, "appsync", REGION).add_auth(request)
        signed = urllib.request.Request(url, body, dict(request.headers.items()), method="POST")
        with urllib.request.urlopen(signed, timeout=30) as response:
            answer = json.load(response)
        if answer.get("errors"):
            raise TransportQueryError(str(answer["errors"][0]), errors=answer["errors"], data=answer.get("data"))
        return answer["data"]

    return run


@pytest.fixture(scope="module")
def callers(local_api: Api, guest: Run, admin: Run) -> dict[str, tuple[Run, dict[str, str]]]:
    """Each kind of caller, as a client and as the headers a websocket needs; a fresh listener
    so the placeholder calls change no other test's account."""
    local_api.local_only()  # the backend signs with the emulator's credentials
    fresh = new_listener(local_api, guest)
    admin_token = sign_in(guest, ADMIN_ACCOUNT["email"], ADMIN_ACCOUNT["password"])["idToken"]
    return {
        "guest": (guest, {"x-api-key": local_api.config["apiKey"]}),
        "listener": (fresh.run, {"authorization": fresh.token}),
        "admin": (admin, {"authorization": admin_token}),
        "backend": (signed_client(local_api.url), {}),
    }


CATALOG = """query($artist: ID!, $album: ID!, $song: ID!, $word: String!) {
  artist(id: $artist) { name bio genres updatedAt albums { items { id } } }
  album(id: $album) { title genre releaseDate updatedAt songs { items { id } } }
  song(id: $song) { title genre status trackNumber updatedAt }
  songs(filter: {artistId: $artist}) { items { id } }
  search(query: $word) { artists { id } albums { id } songs { id } playlists { id } }
}"""


@dataclass(frozen=True)
class Targets:
    """Catalog items that only refused calls name, and the word their names would take."""

    artist: str
    album: str
    song: str
    word: str

    def values(self, field_name: str) -> dict[str, Any]:
        """Arguments and input fields naming these items: `id` is the item the field's name ends with."""
        named = {**VALID, "artistId": self.artist, "albumId": self.album, "songId": self.song}
        named |= {"title": self.word, "name": self.word}
        kind = next((kind for kind in ("Artist", "Album", "Song") if field_name.endswith(kind)), None)
        return named | ({"id": named[f"{kind.lower()}Id"]} if kind else {})

    def catalog(self, admin: Run) -> dict[str, Any]:
        """What an admin sees of them, and of anything named with the word."""
        return admin(CATALOG, artist=self.artist, album=self.album, song=self.song, word=self.word)


@pytest.fixture(scope="module")
def targets(admin: Run) -> Targets:
    """An artist with an album holding a draft song, all made for this module."""
    artist = admin(
        'mutation($n: String!) { createArtist(input: {name: $n, genres: ["rock"]}) { id } }', n=unique("Kept")
    )
    artist_id = artist["createArtist"]["id"]
    album = admin(
        "mutation($i: CreateAlbumInput!) { createAlbum(input: $i) { id } }",
        i={"artistId": artist_id, "title": unique("Kept"), "genre": "rock"},
    )["createAlbum"]["id"]
    song = admin(
        "mutation($i: CreateSongInput!) { createSong(input: $i) { id } }",
        i={"artistId": artist_id, "albumId": album, "title": unique("Kept"), "genre": "rock", "trackNumber": 1},
    )["createSong"]["id"]
    return Targets(artist_id, album, song, f"Intruder{uuid.uuid4().hex[:8]}")


def outcome(run: Run, document: str, variables: dict[str, Any]) -> str | None:
    """The errorType of the first error, or None when the call went through."""
    try:
        run(document, **variables)
    except TransportQueryError as error:
        return (error.errors or [{}])[0].get("errorType")
    return None


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("operation", "name"), [f for f in FIELDS if f[0] != "subscription"], ids=lambda v: v)
def test_each_caller_gets_what_the_schema_promises(
    callers: dict, targets: Targets, admin: Run, who: str, operation: str, name: str
) -> None:
    run, _ = callers[who]
    if name in MAY_CALL[who]:
        error_type = outcome(run, *minimal_operation(operation, name))
        assert error_type not in REFUSED, f"{who} should be allowed {name}"
        return
    writes = operation == "mutation"
    before = targets.catalog(admin) if writes else None
    error_type = outcome(run, *minimal_operation(operation, name, targets.values(name)))
    assert error_type == "Unauthorized", f"{who} should be refused {name}, got {error_type}"
    if writes:
        assert targets.catalog(admin) == before, f"{who}'s refused {name} changed the catalog"


def _error_type(error: TransportQueryError) -> str | None:
    first = (error.errors or [{}])[0]
    nested = first.get("errors")  # AppSync's real-time protocol nests them
    return (nested[0] if nested else first).get("errorType")


def open_subscriptions(local_api: Api) -> int:
    return len(subscriptions(local_api))


# The backend is left out: the emulator takes IAM signatures over HTTP only (AppSync also on websockets).
@pytest.mark.parametrize("who", [who for who in CALLERS if who != "backend"])
@pytest.mark.parametrize("name", [name for operation, name in FIELDS if operation == "subscription"])
def test_each_caller_may_subscribe_as_the_schema_promises(local_api: Api, callers: dict, who: str, name: str) -> None:
    _, headers = callers[who]
    document, variables = minimal_operation("subscription", name)

    async def subscribe() -> None:
        async with Client(transport=transport_ws(local_api, headers)) as session:
            async for _ in session.subscribe(GraphQLRequest(document, variable_values=variables)):
                pass

    async def scenario() -> str | None:
        before = open_subscriptions(local_api)
        task = asyncio.create_task(subscribe())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not task.done():
            if await asyncio.to_thread(open_subscriptions, local_api) > before:
                task.cancel()
                return None
            await asyncio.sleep(0.05)
        try:
            await task
        except TransportQueryError as error:
            return _error_type(error)
        raise AssertionError("the subscription neither opened nor was refused")

    error_type = asyncio.run(scenario())
    if name in MAY_CALL[who]:
        assert error_type is None, f"{who} should be allowed to subscribe to {name}"
    else:
        assert error_type == "Unauthorized", f"{who} should be refused {name}, got {error_type}"


OWNED = """query($song: ID!) {
  myRatings { items { songId stars } }
  myFollows { items { artistId genre } }
  offlineLibrary { items { song { id } } }
  notifications { items { id read } }
  unreadNotificationCount
  song(id: $song) { myRating myPlayCount }
  recentlyPlayed { items { songId startedAt } }
}"""


def owned(run: Run, song_id: str) -> dict[str, Any]:
    return run(OWNED, song=song_id)


def test_one_listener_can_neither_see_nor_change_anothers_data(local_api: Api, guest: Run, admin: Run) -> None:
    """Ratings, follows, the offline library and the inbox are keyed by the caller's token, never by an argument."""
    local_api.local_only()  # marks a song READY and releases it in the emulator
    anna, ben = new_listener(local_api, guest), new_listener(local_api, guest)
    song = new_song(admin, genre="jazz")
    upload(admin, song["id"], wav(1.0), "audio/wav")
    assert settled(admin, song["id"])["status"] == "READY"
    artist_id = admin("query($id: ID!) { song(id: $id) { artist { id } } }", id=song["id"])["song"]["artist"]["id"]
    anna.run("mutation($s: ID!) { rateSong(songId: $s, stars: 4) { stars } }", s=song["id"])
    anna.run("mutation($a: ID!) { follow(input: {artistId: $a}) { artistId } }", a=artist_id)
    anna.run("mutation($s: ID!) { addToOffline(songId: $s) { song { id } } }", s=song["id"])
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    play = {"songId": song["id"], "startedAt": started, "playedMs": 1000, "device": "phone"}
    assert anna.run("mutation($p: PlayInput!) { recordPlay(input: $p) { counted } }", p=play)["recordPlay"]["counted"]
    release_song(local_api.config["awsEndpoint"], song["id"])
    deadline = time.monotonic() + 20
    while anna.run("{ unreadNotificationCount }")["unreadNotificationCount"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    before = owned(anna.run, song["id"])
    assert before["myRatings"]["items"] and before["myFollows"]["items"] and before["offlineLibrary"]["items"]
    assert before["unreadNotificationCount"] == 1 and before["song"]["myRating"] == 4
    assert before["song"]["myPlayCount"] == 1 and before["recentlyPlayed"]["items"]

    seen_by_ben = owned(ben.run, song["id"])
    assert seen_by_ben["myRatings"]["items"] == [] and seen_by_ben["myFollows"]["items"] == []
    assert seen_by_ben["offlineLibrary"]["items"] == [] and seen_by_ben["notifications"]["items"] == []
    assert seen_by_ben["song"]["myRating"] is None
    assert seen_by_ben["song"]["myPlayCount"] == 0 and seen_by_ben["recentlyPlayed"]["items"] == []
    note_ids = [note["id"] for note in before["notifications"]["items"]]
    assert ben.run("mutation($s: ID!) { removeRating(songId: $s) }", s=song["id"])["removeRating"] is False
    assert ben.run("mutation($a: ID!) { unfollow(input: {artistId: $a}) }", a=artist_id)["unfollow"] is False
    with pytest.raises(TransportQueryError, match="not in the offline library"):
        ben.run("mutation($s: ID!) { removeFromOffline(songId: $s) }", s=song["id"])
    assert (
        ben.run("mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }", ids=note_ids)["markNotificationsRead"]
        == 0
    )
    assert ben.run("mutation { markNotificationsRead(all: true) }")["markNotificationsRead"] == 0
    synced = ben.run("mutation { offlineSync { download { song { id } } keep { song { id } } remove } }")
    assert synced["offlineSync"] == {"download": [], "keep": [], "remove": []}
    assert ben.run("mutation($s: ID!) { rateSong(songId: $s, stars: 1) { stars } }", s=song["id"])
    assert owned(anna.run, song["id"]) == before, "nothing of Anna's changed"


def test_a_play_queue_is_its_owners_alone(local_api: Api, guest: Run) -> None:
    """The queue is keyed by the caller's token: another listener reads none, and their first
    save makes a queue of their own instead of clashing with (or replacing) the owner's."""
    local_api.local_only()  # fresh accounts, confirmed through the emulator's outbox
    anna, ben = new_listener(local_api, guest), new_listener(local_api, guest)
    save = "mutation($i: PlayQueueInput!) { savePlayQueue(input: $i) { ownerId version songIds } }"
    resume = "{ playQueue { ownerId version songIds device } }"
    songs = [str(uuid.uuid4())]
    anna.run(save, i={"songIds": songs, "currentIndex": 0, "positionMs": 0, "device": "phone"})
    before = anna.run(resume)
    assert ben.run(resume) == {"playQueue": None}
    bens = ben.run(
        save, i={"songIds": [], "currentIndex": 0, "positionMs": 0, "device": "car", "expectedVersion": None}
    )
    assert bens["savePlayQueue"]["version"] == 1 and bens["savePlayQueue"]["ownerId"] != before["playQueue"]["ownerId"]
    assert anna.run(resume) == before, "nothing of Anna's changed"
