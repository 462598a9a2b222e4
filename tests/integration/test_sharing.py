"""Share links over GraphQL on the emulator: a guest reads what a link shares until it expires
or is revoked; tokens are long and random; only listeners make links."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from gql.transport.exceptions import TransportQueryError

from emulator.aws import TABLE_NAME
from tests.integration.conftest import Api, Run
from tests.integration.test_new_content import Listener, new_listener

CREATE = """mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token url kind expiresAt } }"""
SHARED = """query($t: String!) {
  shared(token: $t) { kind title artistName coverUrl expiresAt tracks { title artistName durationSeconds } }
}"""
REVOKE = "mutation($t: String!) { revokeShareLink(token: $t) }"
ALBUM = "{ albums(limit: 1) { items { id title artist { name } songs { items { title } } } } }"


def error_type(raised: pytest.ExceptionInfo[TransportQueryError]) -> str:
    return raised.value.errors[0]["errorType"]


@pytest.fixture
def sharer(local_api: Api, guest: Run) -> Listener:
    local_api.local_only()
    return new_listener(local_api, guest)


def expire(local_api: Api, token: str) -> None:
    """As if the link's days had passed (DynamoDB's TTL has not removed it yet)."""
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=local_api.config["awsEndpoint"],
        region_name=local_api.config.get("region", "us-east-1"),
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    dynamodb.update_item(
        TableName=TABLE_NAME,
        Key={"PK": {"S": f"SHARE#{token}"}, "SK": {"S": "SHARE"}},
        UpdateExpression="SET validUntil = :past",
        ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00Z"}},
    )


def test_a_guest_sees_a_shared_album_until_the_link_is_revoked(local_api: Api, guest: Run, sharer: Listener) -> None:
    album: dict[str, Any] = sharer.run(ALBUM)["albums"]["items"][0]
    link = sharer.run(CREATE, i={"albumId": album["id"], "expiresInDays": 7})["createShareLink"]
    assert len(link["token"]) >= 22 and link["kind"] == "ALBUM"
    assert link["url"].endswith(f"/s/{link['token']}")
    seen = guest(SHARED, t=link["token"])["shared"]
    assert (seen["kind"], seen["title"], seen["artistName"]) == ("ALBUM", album["title"], album["artist"]["name"])
    assert [t["title"] for t in seen["tracks"]] == [s["title"] for s in album["songs"]["items"]]
    assert all(t["artistName"] == album["artist"]["name"] for t in seen["tracks"])
    assert sharer.run("{ myShareLinks { items { token } } }")["myShareLinks"]["items"] == [{"token": link["token"]}]

    other = new_listener(local_api, guest)
    assert other.run(REVOKE, t=link["token"])["revokeShareLink"] is False, "not theirs"
    assert guest(SHARED, t=link["token"])["shared"]["title"] == album["title"]
    assert sharer.run(REVOKE, t=link["token"])["revokeShareLink"] is True
    with pytest.raises(TransportQueryError) as raised:
        guest(SHARED, t=link["token"])
    assert error_type(raised) == "NotFoundError"


def test_expired_unknown_and_malformed_tokens_are_refused(local_api: Api, guest: Run, sharer: Listener) -> None:
    song = sharer.run("{ songs(limit: 1) { items { id title } } }")["songs"]["items"][0]
    link = sharer.run(CREATE, i={"songId": song["id"]})["createShareLink"]
    assert guest(SHARED, t=link["token"])["shared"]["tracks"][0]["title"] == song["title"]
    expire(local_api, link["token"])
    with pytest.raises(TransportQueryError) as raised:
        guest(SHARED, t=link["token"])
    assert error_type(raised) == "NotFoundError"
    with pytest.raises(TransportQueryError) as raised:
        guest(SHARED, t="A" * 32)
    assert error_type(raised) == "NotFoundError"
    for token in ("short", "x" * 10_000, "A" * 31 + "\x00"):
        with pytest.raises(TransportQueryError) as raised:
            guest(SHARED, t=token)
        assert error_type(raised) == "ValidationError"
    for days in (0, 366):
        with pytest.raises(TransportQueryError) as raised:
            sharer.run(CREATE, i={"songId": song["id"], "expiresInDays": days})
        assert error_type(raised) == "ValidationError"


def test_a_private_playlist_is_shared_by_its_owner_only(local_api: Api, guest: Run, sharer: Listener) -> None:
    songs = sharer.run("{ songs(limit: 2) { items { id title } } }")["songs"]["items"]
    pid = sharer.run('mutation { createPlaylist(input: {name: "For you"}) { id } }')["createPlaylist"]["id"]
    sharer.run(
        "mutation($p: ID!, $s: [ID!]!) { addToPlaylist(playlistId: $p, songIds: $s) { id } }",
        p=pid,
        s=[s["id"] for s in songs],
    )
    other = new_listener(local_api, guest)
    with pytest.raises(TransportQueryError) as raised:
        other.run(CREATE, i={"playlistId": pid})
    assert error_type(raised) == "NotFoundError"
    link = sharer.run(CREATE, i={"playlistId": pid})["createShareLink"]
    seen = guest(SHARED, t=link["token"])["shared"]
    assert seen["title"] == "For you" and [t["title"] for t in seen["tracks"]] == [s["title"] for s in songs]
    with pytest.raises(TransportQueryError) as raised:
        guest("mutation($i: CreateShareLinkInput!) { createShareLink(input: $i) { token } }", i={"playlistId": pid})
    assert error_type(raised) == "Unauthorized"
