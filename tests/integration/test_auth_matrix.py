"""Who may call what, generated from the schema: every root field, called by every kind of caller.

The expectations below are written by hand, apart from the directives they check: a field
missing from them (or one that no longer exists) fails the test. Each call is a minimal
operation built from the field's own argument types (placeholder ids, the first enum
value, only required input fields), so an allowed caller may well get NotFound or
Validation: the point is that only refused callers get `Unauthorized`.
Owned data (ratings, follows, offline library, inbox) is checked across two listeners.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
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

from emulator.seed import ADMIN as ADMIN_ACCOUNT
from schema import SDL_PATH
from tests.integration.conftest import Api, Run, sign_in
from tests.integration.stand_in_media import release_song
from tests.integration.test_media import settled, upload
from tests.integration.test_new_content import new_listener, subscriptions, transport_ws
from tests.integration.test_ratings import new_song
from tests.media_files import wav
from tests.test_schema import APPSYNC_DEFINITIONS

GUEST = {"register", "confirmRegistration", "login", "refreshSession"}
ADMIN = {"createArtist", "updateArtist", "deleteArtist", "createAlbum", "updateAlbum", "deleteAlbum"}
ADMIN |= {"createSong", "updateSong", "deleteSong", "requestUpload"}
BACKEND = {"publishNewContent"}  # IAM only: the fan-out function's role
LISTENER = {  # listeners and admins alike
    *("artist", "artists", "album", "albums", "song", "songs", "genres", "search", "feed", "me"),
    *("myRatings", "rateSong", "removeRating"),
    *("myFollows", "follow", "unfollow", "notifications", "unreadNotificationCount", "markNotificationsRead"),
    *("emailNotifications", "setEmailNotifications", "onNewContent"),
    *("offlineLibrary", "addToOffline", "removeFromOffline", "offlineSync"),
}
MAY_CALL = {"guest": GUEST, "listener": LISTENER, "admin": LISTENER | ADMIN}
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


def placeholder(kind: GraphQLInputType) -> Any:
    """A value of this input type: the minimum it requires."""
    if isinstance(kind, GraphQLNonNull):
        return placeholder(kind.of_type)
    if isinstance(kind, GraphQLList):
        return [placeholder(kind.of_type)]
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return {
            name: placeholder(field.type)
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    return PLACEHOLDERS.get(kind.name, lambda: "x")()


def minimal_operation(operation: str, name: str) -> tuple[str, dict[str, Any]]:
    """`operation($a: T!) { name(arg: $a) { __typename } }` with the required arguments only."""
    field: GraphQLField = ROOTS[operation].fields[name]  # type: ignore[union-attr]
    required = {arg: spec for arg, spec in field.args.items() if isinstance(spec.type, GraphQLNonNull)}
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    selection = " { __typename }" if isinstance(get_named_type(field.type), GraphQLObjectType) else ""
    document = (
        f"{operation}{f'({declared})' if declared else ''} {{ {name}{f'({passed})' if passed else ''}{selection} }}"
    )
    return document, {arg: placeholder(spec.type) for arg, spec in required.items()}


def test_every_root_field_has_an_expectation() -> None:
    expected = GUEST | LISTENER | ADMIN | BACKEND
    in_schema = {name for _, name in FIELDS}
    assert in_schema - expected == set(), "add these fields to the expectations above"
    assert expected - in_schema == set(), "these expectations name fields that no longer exist"


@pytest.fixture(scope="module")
def callers(local_api: Api, guest: Run, admin: Run) -> dict[str, tuple[Run, dict[str, str]]]:
    """Each kind of caller, as a client and as the headers a websocket needs; a fresh listener
    so the placeholder calls change no other test's account."""
    local_api.local_only()
    fresh = new_listener(local_api, guest)
    admin_token = sign_in(guest, ADMIN_ACCOUNT["email"], ADMIN_ACCOUNT["password"])["idToken"]
    return {
        "guest": (guest, {"x-api-key": local_api.config["apiKey"]}),
        "listener": (fresh.run, {"authorization": fresh.token}),
        "admin": (admin, {"authorization": admin_token}),
    }


def outcome(run: Run, document: str, variables: dict[str, Any]) -> str | None:
    """The errorType of the first error, or None when the call went through."""
    try:
        run(document, **variables)
    except TransportQueryError as error:
        return (error.errors or [{}])[0].get("errorType")
    return None


@pytest.mark.parametrize("who", ["guest", "listener", "admin"])
@pytest.mark.parametrize(("operation", "name"), [f for f in FIELDS if f[0] != "subscription"], ids=lambda v: v)
def test_each_caller_gets_what_the_schema_promises(callers: dict, who: str, operation: str, name: str) -> None:
    run, _ = callers[who]
    error_type = outcome(run, *minimal_operation(operation, name))
    if name in MAY_CALL[who]:
        assert error_type not in REFUSED, f"{who} should be allowed {name}"
    else:
        assert error_type == "Unauthorized", f"{who} should be refused {name}, got {error_type}"


def _error_type(error: TransportQueryError) -> str | None:
    first = (error.errors or [{}])[0]
    nested = first.get("errors")  # AppSync's real-time protocol nests them
    return (nested[0] if nested else first).get("errorType")


def open_subscriptions(local_api: Api) -> int:
    return len(subscriptions(local_api))


@pytest.mark.parametrize("who", ["guest", "listener", "admin"])
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
  song(id: $song) { myRating }
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
    release_song(local_api.config["awsEndpoint"], song["id"])
    deadline = time.monotonic() + 20
    while anna.run("{ unreadNotificationCount }")["unreadNotificationCount"] < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    before = owned(anna.run, song["id"])
    assert before["myRatings"]["items"] and before["myFollows"]["items"] and before["offlineLibrary"]["items"]
    assert before["unreadNotificationCount"] == 1 and before["song"]["myRating"] == 4

    seen_by_ben = owned(ben.run, song["id"])
    assert seen_by_ben["myRatings"]["items"] == [] and seen_by_ben["myFollows"]["items"] == []
    assert seen_by_ben["offlineLibrary"]["items"] == [] and seen_by_ben["notifications"]["items"] == []
    assert seen_by_ben["song"]["myRating"] is None
    note_ids = [note["id"] for note in before["notifications"]["items"]]
    assert ben.run("mutation($s: ID!) { removeRating(songId: $s) }", s=song["id"])["removeRating"] is False
    assert ben.run("mutation($a: ID!) { unfollow(input: {artistId: $a}) }", a=artist_id)["unfollow"] is False
    with pytest.raises(TransportQueryError, match="not in the offline library"):
        ben.run("mutation($s: ID!) { removeFromOffline(songId: $s) }", s=song["id"])
    assert (
        ben.run("mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }", ids=note_ids)["markNotificationsRead"]
        == 0
    )
    assert owned(anna.run, song["id"]) == before, "nothing of Anna's changed"
