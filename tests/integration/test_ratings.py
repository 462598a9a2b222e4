"""Listeners rate READY songs over HTTP; the song's aggregate stays exact under a concurrent burst."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Run, client, sign_in, unique
from tests.media_stand_in import mark_ready_on_emulator

RATE = "mutation($s: ID!, $n: Int!) { rateSong(songId: $s, stars: $n) { stars song { ratingCount averageRating } } }"
REMOVE = "mutation($s: ID!) { removeRating(songId: $s) }"
SONG = "query($s: ID!) { song(id: $s) { ratingCount averageRating myRating } }"
PASSWORD = "Rate-it-5-stars"
LISTENERS = 6
STEPS = 6
CLIENT_RETRIES = 5


def error_type(raised: pytest.ExceptionInfo[TransportQueryError]) -> str:
    return raised.value.errors[0]["errorType"]


def new_listener(local_api: Any, guest: Run) -> str:
    """A fresh confirmed account, signed in (register, confirm with the mailed code, log in): its id token."""
    email = f"rater-{uuid.uuid4().hex[:10]}@example.com"
    guest(
        'mutation($e: AWSEmail!, $p: String!) { register(email: $e, password: $p, displayName: "Rater") { userConfirmed } }',
        e=email,
        p=PASSWORD,
    )
    code = local_api.outbox(email)[-1]["code"]
    guest("mutation($e: AWSEmail!, $c: String!) { confirmRegistration(email: $e, code: $c) }", e=email, c=code)
    return sign_in(guest, email, PASSWORD)["idToken"]


def new_song(admin: Run, genre: str = "ambient") -> dict[str, Any]:
    artist = admin("mutation($n: String!) { createArtist(input: {name: $n}) { id } }", n=unique("Rated"))[
        "createArtist"
    ]
    return admin(
        "mutation($a: ID!, $t: String!, $g: String!) { createSong(input: {title: $t, artistId: $a, genre: $g}) { id } }",
        a=artist["id"],
        t=unique("Rated song"),
        g=genre,
    )["createSong"]


@pytest.fixture
def ready_song(local_api: Any, admin: Run) -> dict[str, Any]:
    song = new_song(admin)
    mark_ready_on_emulator(local_api.config, song["id"])
    return song


def send_until_accepted(listener: Run, document: str, **variables: Any) -> dict[str, Any]:
    """One call, sent again while the API answers ConflictError ("try again"), as a client should.

    The API function runs several instances at once (as on Lambda), so writers of one song
    really collide; after its bounded retries the resolver says ConflictError, and nothing
    was written."""
    for _ in range(CLIENT_RETRIES):
        try:
            return listener(document, **variables)
        except TransportQueryError as error:
            if error.errors[0]["errorType"] != "ConflictError":
                raise
    return listener(document, **variables)


def test_a_concurrent_burst_leaves_the_aggregate_exact(local_api: Any, guest: Run, ready_song: dict) -> None:
    """Many listeners rate, re-rate and withdraw at once (one of them from two threads at a time)."""
    tokens = [new_listener(local_api, guest) for _ in range(LISTENERS)]
    listeners = [client(local_api.url, {"authorization": token}) for token in tokens]
    song_id = ready_song["id"]
    chance = random.Random(5)  # noqa: S311 - a reproducible plan, not a secret
    plans = [[chance.choice([1, 2, 3, 4, 5, 5, 4, None]) for _ in range(STEPS)] for _ in listeners]

    def play(listener: Run, plan: list[int | None]) -> None:
        for stars in plan:
            if stars is None:
                send_until_accepted(listener, REMOVE, s=song_id)
            else:
                send_until_accepted(listener, RATE, s=song_id, n=stars)

    jobs = [(listener, plan) for listener, plan in zip(listeners, plans, strict=True)]
    twin = client(local_api.url, {"authorization": tokens[0]})  # gql clients are one per thread
    jobs.append((twin, [3, 1, None, 5, 2]))  # the first listener again, racing itself
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for done in [pool.submit(play, listener, plan) for listener, plan in jobs]:
            done.result()

    truth = [listener(SONG, s=song_id)["song"]["myRating"] for listener in listeners]
    for listener_truth, plan in list(zip(truth, plans, strict=True))[1:]:
        assert listener_truth == plan[-1], "a listener racing only others ends with their last word"
    stars = [s for s in truth if s is not None]
    song = listeners[0](SONG, s=song_id)["song"]
    assert song["ratingCount"] == len(stars)
    if stars:
        assert song["averageRating"] == pytest.approx(sum(stars) / len(stars))
    else:
        assert song["averageRating"] is None


def test_ratings_are_the_callers_own(local_api: Any, admin: Run, listener: Run, ready_song: dict) -> None:
    other = new_song(admin, "ambient")
    mark_ready_on_emulator(local_api.config, other["id"])
    listener(RATE, s=ready_song["id"], n=2)
    listener(RATE, s=other["id"], n=5)
    admin(RATE, s=ready_song["id"], n=4)
    mine = listener("{ myRatings(limit: 2) { items { songId stars song { id ratingCount } } nextToken } }")
    assert [(r["songId"], r["stars"]) for r in mine["myRatings"]["items"]] == [(other["id"], 5), (ready_song["id"], 2)]
    assert mine["myRatings"]["items"][1]["song"] == {"id": ready_song["id"], "ratingCount": 2}
    theirs = admin("{ myRatings(limit: 100) { items { songId stars } } }")["myRatings"]["items"]
    assert {"songId": ready_song["id"], "stars": 4} in theirs
    assert other["id"] not in {r["songId"] for r in theirs}
    assert listener(SONG, s=ready_song["id"])["song"]["myRating"] == 2
    assert admin(SONG, s=other["id"])["song"]["myRating"] is None
    assert listener(REMOVE, s=ready_song["id"])["removeRating"] is True
    assert listener(REMOVE, s=ready_song["id"])["removeRating"] is False


def test_rating_errors_are_typed(admin: Run, listener: Run, guest: Run, ready_song: dict) -> None:
    draft = new_song(admin)
    cases = [
        (RATE, {"s": ready_song["id"], "n": 0}, "ValidationError"),
        (RATE, {"s": ready_song["id"], "n": 6}, "ValidationError"),
        (RATE, {"s": draft["id"], "n": 3}, "ValidationError"),  # DRAFT: not playable, not ratable
        (RATE, {"s": str(uuid.uuid4()), "n": 3}, "NotFoundError"),
        (RATE, {"s": "not-an-id", "n": 3}, "ValidationError"),
        (REMOVE, {"s": str(uuid.uuid4())}, "NotFoundError"),
    ]
    for document, variables, expected in cases:
        with pytest.raises(TransportQueryError) as raised:
            listener(document, **variables)
        assert error_type(raised) == expected, variables
    with pytest.raises(TransportQueryError) as raised:
        guest(RATE, s=ready_song["id"], n=3)
    assert error_type(raised) == "Unauthorized"
    assert listener(SONG, s=ready_song["id"])["song"]["ratingCount"] == 0
