"""Follows and email settings through the API handler: counts, idempotency, the SNS filter policy."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from emulator import filters
from resolvers import follows, mailing
from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.genres import GENRES
from tests.unit.conftest import LISTENER_SUB, add_profile, appsync_event, invoke, listener_event

pytestmark = pytest.mark.usefixtures("new_content")

OTHER_SUB = str(uuid.uuid4())


def admin(field: str, **arguments: Any) -> Any:
    return invoke(appsync_event("Mutation", field, arguments))


def listener(type_name: str, field: str, sub: str = LISTENER_SUB, **arguments: Any) -> Any:
    return invoke(listener_event(type_name, field, arguments, sub=sub))


@pytest.fixture
def artist() -> dict[str, Any]:
    add_profile(LISTENER_SUB, "fan@example.com")
    add_profile(OTHER_SUB, "other@example.com")
    return admin("createArtist", input={"name": "Nina Vale", "genres": ["jazz"]})


def follower_count(artist_id: str) -> int:
    return listener("Query", "artist", id=artist_id)["followerCount"]


def policy(arn: str) -> dict[str, Any]:
    attributes = boto3.client("sns").get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    return json.loads(attributes["FilterPolicy"])


def test_follow_is_idempotent_and_counted(artist: dict[str, Any]) -> None:
    assert artist["followerCount"] == 0
    first = listener("Mutation", "follow", input={"artistId": artist["id"]})
    again = listener("Mutation", "follow", input={"artistId": artist["id"]})
    assert first == again
    listener("Mutation", "follow", sub=OTHER_SUB, input={"artistId": artist["id"]})
    assert follower_count(artist["id"]) == 2

    listener("Mutation", "follow", input={"genre": "jazz"})
    page = listener("Query", "myFollows")
    assert [(f.get("artistId"), f.get("genre")) for f in page["items"]] == [(artist["id"], None), (None, "jazz")]

    assert listener("Mutation", "unfollow", input={"artistId": artist["id"]}) is True
    assert listener("Mutation", "unfollow", input={"artistId": artist["id"]}) is False
    assert follower_count(artist["id"]) == 1


def test_follow_artist_field_is_batched(artist: dict[str, Any]) -> None:
    listener("Mutation", "follow", input={"artistId": artist["id"]})
    listener("Mutation", "follow", input={"genre": "rock"})
    items = listener("Query", "myFollows")["items"]
    events = [appsync_event("Follow", "artist", source=item, groups=("users",)) for item in items]
    assert [a and a["name"] for a in invoke(events)] == ["Nina Vale", None]


BAD_FOLLOWS = [
    ({}, ValidationError, "exactly one"),
    ({"artistId": str(uuid.uuid4()), "genre": "jazz"}, ValidationError, "exactly one"),
    ({"genre": "polka"}, ValidationError, "unknown genre"),
    ({"artistId": "nope"}, ValidationError, "artistId"),
    ({"artistId": str(uuid.uuid4())}, NotFoundError, "Artist"),
]


def test_bad_follows_are_refused_and_write_nothing(artist: dict[str, Any]) -> None:
    for input, error, message in BAD_FOLLOWS:
        with pytest.raises(error, match=message):
            listener("Mutation", "follow", input=input)
    assert listener("Query", "myFollows")["items"] == []
    assert listener("Query", "emailNotifications")["followsCovered"] == 0


def test_follows_are_capped(artist: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follows, "MAX_FOLLOWS", 2)
    listener("Mutation", "follow", input={"genre": "jazz"})
    listener("Mutation", "follow", input={"genre": "rock"})
    with pytest.raises(ConflictError, match="follow 2"):
        listener("Mutation", "follow", input={"artistId": artist["id"]})
    assert follower_count(artist["id"]) == 0
    listener("Mutation", "unfollow", input={"genre": "rock"})
    listener("Mutation", "follow", input={"artistId": artist["id"]})


def test_unfollowing_a_deleted_artist_still_works(artist: dict[str, Any]) -> None:
    listener("Mutation", "follow", input={"artistId": artist["id"]})
    admin("deleteArtist", id=artist["id"])
    assert listener("Mutation", "unfollow", input={"artistId": artist["id"]}) is True
    assert listener("Query", "myFollows")["items"] == []


def test_email_subscription_follows_the_follows(artist: dict[str, Any]) -> None:
    listener("Mutation", "follow", input={"genre": "soul"})
    settings = listener("Mutation", "setEmailNotifications", enabled=True)
    assert settings == {"enabled": True, "email": "fan@example.com", "followsCovered": 1, "followsNotCovered": 0}
    profile = listener("Query", "me")
    arn = profile["emailSubscriptionArn"]
    assert policy(arn) == {"follows": ["genre:soul"]}

    listener("Mutation", "follow", input={"artistId": artist["id"]})
    assert policy(arn) == {"follows": sorted([f"artist:{artist['id']}", "genre:soul"])}
    listener("Mutation", "unfollow", input={"genre": "soul"})
    assert policy(arn) == {"follows": [f"artist:{artist['id']}"]}
    listener("Mutation", "unfollow", input={"artistId": artist["id"]})
    assert policy(arn) == {"follows": [mailing.NOTHING]}, "an empty policy would match every release"

    assert listener("Mutation", "setEmailNotifications", enabled=False)["enabled"] is False
    subscriptions = boto3.client("sns").list_subscriptions()["Subscriptions"]
    assert [s for s in subscriptions if s["Protocol"] == "email"] == []
    assert listener("Query", "emailNotifications")["enabled"] is False


def test_the_filter_policy_keeps_the_newest_150_follows() -> None:
    many = [{"genre": f"g{n:03d}", "followedAt": f"2026-01-01T00:{n // 60:02d}:{n % 60:02d}Z"} for n in range(170)]
    chosen, left_out = mailing.filter_policy(many)
    assert left_out == 20
    assert len(chosen["follows"]) == mailing.FILTER_VALUES_MAX
    assert "genre:g169" in chosen["follows"]
    assert "genre:g000" not in chosen["follows"]


def test_a_follows_token_is_not_a_notifications_token(artist: dict[str, Any]) -> None:
    listener("Mutation", "follow", input={"genre": "jazz"})
    listener("Mutation", "follow", input={"genre": "rock"})
    token = listener("Query", "myFollows", limit=1)["nextToken"]
    with pytest.raises(ValidationError, match="nextToken"):
        listener("Query", "notifications", nextToken=token)
    with pytest.raises(ValidationError, match="nextToken"):
        listener("Query", "myFollows", sub=OTHER_SUB, nextToken=token)


def my_new_content_filter(sub: str = LISTENER_SUB) -> dict[str, Any]:
    return listener("Subscription", "onMyNewContent", sub=sub)


def test_my_new_content_filter_asks_for_every_follow_in_groups_appsync_takes(artist: dict[str, Any]) -> None:
    nothing = filters.check(my_new_content_filter())
    release = {"audiences": [f"ARTIST#{artist['id']}", "GENRE#jazz"]}
    assert not filters.matches(nothing, release), "following nothing, nothing matches"

    artists = [artist["id"]] + [admin("createArtist", input={"name": f"Band {n}"})["id"] for n in range(7)]
    for artist_id in artists:
        listener("Mutation", "follow", input={"artistId": artist_id})
    for genre_id in GENRES:
        listener("Mutation", "follow", input={"genre": genre_id})
    spec = filters.check(my_new_content_filter())
    groups = [group["filters"] for group in spec["filterGroup"]]
    assert [len(group) for group in groups] == [1, 1], "25 follows: one containsAny of 20, one of 5"
    assert all(group[0]["operator"] == "containsAny" and group[0]["fieldName"] == "audiences" for group in groups)
    wanted = sorted(value for group in groups for value in group[0]["value"])
    assert wanted == sorted([f"ARTIST#{a}" for a in artists] + [f"GENRE#{g}" for g in GENRES])
    assert filters.matches(spec, {"audiences": ["ARTIST#someone-else", f"GENRE#{list(GENRES)[-1]}"]})
    assert filters.matches(spec, {"audiences": [f"ARTIST#{artists[-1]}", "GENRE#none"]})
    assert not filters.matches(spec, {"audiences": ["ARTIST#someone-else", "GENRE#none"]})
    assert filters.check(my_new_content_filter(OTHER_SUB)) == nothing, "each listener's own follows"


def test_my_new_content_filter_fails_past_appsyncs_limit_naming_it(
    artist: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (follows.FILTER_GROUPS_MAX, follows.CONTAINS_ANY_MAX) == (
        filters.MAX_FILTER_GROUPS,
        filters.MAX_CONTAINS_ANY_VALUES,
    ), "the Lambda splits follows by the limits the emulator enforces"
    monkeypatch.setattr(follows, "FILTER_GROUPS_MAX", 2)
    monkeypatch.setattr(follows, "CONTAINS_ANY_MAX", 2)
    for genre_id in list(GENRES)[:4]:
        listener("Mutation", "follow", input={"genre": genre_id})
    assert len(my_new_content_filter()["filterGroup"]) == 2
    listener("Mutation", "follow", input={"artistId": artist["id"]})
    with pytest.raises(ConflictError, match=r"at most 4 follows \(AppSync allows 2 filter groups of 2 values"):
        my_new_content_filter()
