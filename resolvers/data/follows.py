"""Follows of artists and genres: the listener's partition, and an inverted index of followers.

A follow moves the listener's follow count (capped) and the artist's follower count in the
same transaction; `FOLLOWERS#…` index partitions list a target's followers for the fan-out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from resolvers.data.table import (
    Page,
    count_action,
    partition_request,
    query_all,
    query_page,
    table_name,
    to_item,
    to_raw,
    transact,
)
from resolvers.errors import ConflictError, NotFoundError
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY

# What a follow names -> the index whose `FOLLOWERS#…` partitions list its followers.
FOLLOWER_INDEX = {"ARTIST": "byArtist", "GENRE": "byGenre"}


def follow_key(user_id: str, target_kind: str, target: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"FOLLOW#{target_kind}#{target}"}


def _follow_target(follow: Mapping[str, Any]) -> tuple[str, str]:
    return ("ARTIST", follow["artistId"]) if follow.get("artistId") else ("GENRE", follow["genre"])


def audience(target_kind: str, target: str) -> str:
    """`ARTIST#<id>` or `GENRE#<genre>`: what a release names in `audiences` and a follow subscribes to."""
    return f"{target_kind}#{target}"


def follow_audience(follow: Mapping[str, Any]) -> str:
    return audience(*_follow_target(follow))


def follow_item(follow: Mapping[str, Any]) -> dict[str, Any]:
    """The stored follow: the user's partition, and the inverted-index keys of its followers."""
    target_kind, target = _follow_target(follow)
    pk_attribute, sk_attribute = INDEXES[FOLLOWER_INDEX[target_kind]]
    return {
        **follow_key(follow["userId"], target_kind, target),
        pk_attribute: f"FOLLOWERS#{target_kind}#{target}",
        sk_attribute: f"USER#{follow['userId']}",
        "kind": "FOLLOW",
        **follow,
    }


def put_follow(follow: Mapping[str, Any], max_follows: int) -> dict[str, Any] | None:
    """Write a follow and move the counts with it; returns the existing follow instead when there is one.

    One transaction: the follow item (with its inverted-index keys), the user's follow
    count (capped) and, for an artist, the artist's follower count.
    """
    target_kind, target = _follow_target(follow)
    item = follow_item(follow)
    actions = [
        {
            "Put": {
                "TableName": table_name(),
                "Item": to_raw(item),
                "ConditionExpression": "attribute_not_exists(PK)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
        count_action(
            "PROFILE",
            follow["userId"],
            "followCount",
            1,
            condition="attribute_exists(PK) AND (attribute_not_exists(followCount) OR followCount < :max)",
            values={":max": max_follows},
        ),
    ]
    if target_kind == "ARTIST":
        actions.append(count_action("ARTIST", target, "followerCount", 1))
    failed = transact(actions)
    if not failed:
        return None
    if failed[0] is not None:
        return failed[0]
    if len(failed) > 2 and failed[2] is not None:
        raise NotFoundError(f"Artist {target} not found")
    if failed[1]:
        raise ConflictError(f"You follow {max_follows} artists and genres already: unfollow some first")
    raise NotFoundError("No profile for this account yet")


def delete_follow(user_id: str, target_kind: str, target: str) -> bool:
    """Remove a follow and its counts; False when there was none. A removed artist no longer counts."""
    actions = [
        {
            "Delete": {
                "TableName": table_name(),
                "Key": to_raw(follow_key(user_id, target_kind, target)),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        count_action("PROFILE", user_id, "followCount", -1),
    ]
    if target_kind == "ARTIST":
        actions.append(count_action("ARTIST", target, "followerCount", -1))
    failed = transact(actions)
    if failed and failed[0] is not None:
        return False
    if failed:  # the artist (or profile) is gone: its count went with it
        kept = [action for action, failure in zip(actions, failed, strict=True) if failure is None]
        if transact(kept):
            return False
    return True


def follows_page(user_id: str, limit: int, next_token: str | None) -> Page:
    return query_page(None, f"USER#{user_id}", limit=limit, next_token=next_token, sort_prefix="FOLLOW#")


def all_follows(user_id: str) -> list[dict[str, Any]]:
    """Every follow of a user (bounded by the follow cap: one page in practice)."""
    request = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": to_raw({":pk": f"USER#{user_id}", ":prefix": "FOLLOW#"}),
    }
    return [to_item(raw) for raw in query_all(request)]


def follower_ids(target_kind: str, target: str) -> Iterator[str]:
    """The users following an artist or a genre: Query pages of the inverted index, never a Scan."""
    followers = f"FOLLOWERS#{target_kind}#{target}"
    for raw in query_all(partition_request(FOLLOWER_INDEX[target_kind], followers, ProjectionExpression="userId")):
        yield raw["userId"]["S"]
