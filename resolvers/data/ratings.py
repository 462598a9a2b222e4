"""Ratings: an item of its listener (`USER#sub` / `RATING#songId`), and the song's aggregate.

The song keeps the sum and count of its ratings and its rank keys, moved in the same
transaction as the rating, conditional on both items being as read. This module spans
ratings and the catalog's song item on purpose: the aggregate must move with the rating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from resolvers.data.listings import RANK_ATTRIBUTES, index_keys
from resolvers.data.table import (
    BATCH_GET_LIMIT,
    Page,
    batch_get_raw,
    batch_write,
    cancellation,
    client,
    partition_request,
    query_all,
    query_page,
    song_key,
    table_name,
    to_item,
    to_raw,
)
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY


def rating_key(user_id: str, song_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"USER#{user_id}", SORT_KEY: f"RATING#{song_id}"}


def rating_item(rating: Mapping[str, Any]) -> dict[str, Any]:
    by_time, by_song = INDEXES["byKind"], INDEXES["byParent"]
    return {
        **rating_key(rating["userId"], rating["songId"]),
        by_time[0]: f"RATINGS#{rating['userId']}",
        by_time[1]: f"{rating['ratedAt']}#{rating['songId']}",
        by_song[0]: f"RATERS#{rating['songId']}",
        by_song[1]: f"USER#{rating['userId']}",
        "kind": "RATING",
        **rating,
    }


def rating_state(user_id: str, song_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The song and the user's rating of it, as they are now (one strongly consistent BatchGetItem)."""
    song: dict[str, Any] | None = None
    rating: dict[str, Any] | None = None
    for raw in batch_get_raw([song_key(song_id), rating_key(user_id, song_id)], consistent=True):
        if raw[SORT_KEY]["S"] == "SONG":
            song = to_item(raw)
        else:
            rating = to_item(raw)
    return song, rating


def ratings_of(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Ratings by (user, song): one strongly consistent BatchGetItem, so callers see their own writes."""
    found = batch_get_raw([rating_key(user, song) for user, song in pairs], consistent=True)
    return {(item["userId"], item["songId"]): item for item in map(to_item, found)}


def ratings_page(user_id: str, limit: int, next_token: str | None) -> Page:
    """A user's ratings, the latest first."""
    return query_page("byKind", f"RATINGS#{user_id}", limit=limit, next_token=next_token, newest_first=True)


@dataclass(frozen=True)
class RatingWrite:
    """The outcome of a rating write: the song and rating after it, or as found when it was refused."""

    written: bool
    song: dict[str, Any] | None
    rating: dict[str, Any] | None


def _aggregate_write(
    song: Mapping[str, Any], seen: Mapping[str, Any] | None, rating: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The song's side of a rating write, conditional on its aggregate as read; and the song after it."""
    after = {
        **song,
        "ratingSum": song.get("ratingSum", 0) + (rating["stars"] if rating else 0) - (seen["stars"] if seen else 0),
        "ratingCount": song.get("ratingCount", 0) + (1 if rating else 0) - (1 if seen else 0),
    }
    sets = {
        "ratingSum": after["ratingSum"],
        "ratingCount": after["ratingCount"],
        **{k: v for k, v in index_keys("SONG", after).items() if k in RANK_ATTRIBUTES},
    }
    names = {f"#s{n}": name for n, name in enumerate(sets)}
    values: dict[str, Any] = {f":s{n}": value for n, value in enumerate(sets.values())}
    condition = "attribute_exists(PK)"
    if "ratingCount" in song:
        condition += " AND ratingCount = :count AND ratingSum = :sum"
        values |= {":count": song["ratingCount"], ":sum": song.get("ratingSum", 0)}
    else:
        condition += " AND attribute_not_exists(ratingCount)"
    if rating is not None:
        condition += " AND #status = :ready"
        names["#status"] = "status"
        values[":ready"] = "READY"
    update = {
        "TableName": table_name(),
        "Key": to_raw(song_key(song["id"])),
        "UpdateExpression": "SET " + ", ".join(f"#s{n} = :s{n}" for n in range(len(sets))),
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_raw(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    return {"Update": update}, after


def write_rating(
    song_id: str, song: Mapping[str, Any] | None, seen: Mapping[str, Any] | None, rating: Mapping[str, Any] | None
) -> RatingWrite:
    """Replace the rating `seen` (None: there was none) by `rating` (None: remove it), and move
    the song's sum, count and rank keys with it.

    One transaction, conditional on both items being as read: the rating still has the stars
    `seen` had (so a concurrent re-rating cannot count twice) and the song still has the sum
    and count `song` had (so the rank keys written match the aggregate). A new or changed
    rating also needs the song READY. When refused, the items as they are now come back
    (from the cancellation reasons, or a fresh read) for the caller to retry on. A song that
    no longer exists (`song` None) only loses the rating.
    """
    mine = rating or seen
    assert mine is not None, "nothing to write"
    user_id = mine["userId"]
    if rating is not None:
        rating_write: dict[str, Any] = {"Put": {"TableName": table_name(), "Item": to_raw(rating_item(rating))}}
    else:
        rating_write = {"Delete": {"TableName": table_name(), "Key": to_raw(rating_key(user_id, song_id))}}
    guard = next(iter(rating_write.values()))
    guard["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if seen is None:
        guard["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        guard["ConditionExpression"] = "stars = :old"
        guard["ExpressionAttributeValues"] = to_raw({":old": seen["stars"]})
    actions = [rating_write]

    after = None
    if song is not None:
        aggregate, after = _aggregate_write(song, seen, rating)
        actions.append(aggregate)
    try:
        client().transact_write_items(TransactItems=actions)
    except ClientError as error:
        reasons = cancellation(error)
        if reasons is None:
            raise
        if any(r.get("Code") not in ("None", "ConditionalCheckFailed") for r in reasons):
            # Another transaction held an item (TransactionConflict): nothing came back, read again.
            return RatingWrite(False, *rating_state(user_id, song_id))
        now: list[dict[str, Any] | None] = [dict(seen) if seen else None, dict(song) if song else None]
        for position, reason in enumerate(reasons):
            if reason.get("Code") == "ConditionalCheckFailed":
                now[position] = to_item(reason["Item"]) if reason.get("Item") else None
        return RatingWrite(False, now[1], now[0])
    return RatingWrite(True, after, dict(rating) if rating else None)


def latest_ratings(user_id: str, limit: int) -> list[dict[str, Any]]:
    """A listener's ratings, the latest first, at most `limit` of them (Query pages of 100)."""
    ratings: list[dict[str, Any]] = []
    token = None
    while len(ratings) < limit:
        page = ratings_page(user_id, min(BATCH_GET_LIMIT, limit - len(ratings)), token)
        ratings += page.items
        token = page.next_token
        if not token:
            break
    return ratings


def raters(song_id: str, limit: int) -> list[dict[str, Any]]:
    """Ratings of a song by any listener (one Query of its `RATERS#` partition)."""
    return query_page("byParent", f"RATERS#{song_id}", limit=limit, next_token=None).items


def forget_ratings_of(song_id: str) -> int:
    """Delete every rating of a (deleted) song, found through its `RATERS#` partition; returns how many."""
    sort_key = INDEXES["byParent"][1]
    projection = f"{PARTITION_KEY}, {SORT_KEY}, {sort_key}"
    request = partition_request("byParent", f"RATERS#{song_id}", ProjectionExpression=projection)
    keys = [{PARTITION_KEY: raw[PARTITION_KEY], SORT_KEY: raw[SORT_KEY]} for raw in query_all(request)]
    batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
    return len(keys)
