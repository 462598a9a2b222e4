"""Playlists: one partition per playlist (`PLAYLIST#p`), its header and its entries.

The header (`PLAYLIST`) keeps the owner, the visibility and the exact `songCount` and
`durationSeconds`; it is listed by owner on `byKind` (`PLAYLISTS#sub`, `createdAt#p`). An
entry (`ENTRY#e`) is addressed by its id and ordered on `byParent` (`ENTRIES#p`, its position
then its id; see resolvers/positions.py), so a move rewrites one item's index keys. Every
change of entries is one transaction with the header: the count moves with the entries, and
the owner and the entries' existence are conditions, so a move racing a delete fails rather
than bring the entry back. A PUBLIC playlist's name has search words (`listings.index_items`),
written in the same transaction as the header's create, rename, visibility change or delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from resolvers.data.listings import index_item_writes, index_items
from resolvers.data.table import (
    Page,
    batch_get_raw,
    batch_write,
    client,
    partition_request,
    playlist_key,
    query_all,
    query_page,
    table_name,
    to_item,
    to_raw,
    transact,
)
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY

ORDER = INDEXES["byParent"]
# Above every position key: "9" * WIDTH sorts below it, and an id follows a position.
AFTER_ALL = "~"


def entry_key(playlist_id: str, entry_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"PLAYLIST#{playlist_id}", SORT_KEY: f"ENTRY#{entry_id}"}


def order_key(position: str, entry_id: str) -> str:
    return f"{position}#{entry_id}"


def _playlist_item(playlist: Mapping[str, Any]) -> dict[str, Any]:
    by_owner = INDEXES["byKind"]
    return {
        **playlist_key(playlist["id"]),
        by_owner[0]: f"PLAYLISTS#{playlist['ownerId']}",
        by_owner[1]: f"{playlist['createdAt']}#{playlist['id']}",
        "kind": "PLAYLIST",
        **playlist,
    }


def _entry_item(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **entry_key(entry["playlistId"], entry["id"]),
        ORDER[0]: f"ENTRIES#{entry['playlistId']}",
        ORDER[1]: order_key(entry["position"], entry["id"]),
        "kind": "ENTRY",
        **entry,
    }


def _word_writes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Transaction actions that turn one state's search words into the other's, touching only what differs."""
    return index_item_writes(
        index_items("PLAYLIST", before) if before else {}, index_items("PLAYLIST", after) if after else {}
    )


def _as_read(playlist: Mapping[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A condition that the header still has the owner, name and visibility it was read with:
    what its search words were derived from."""
    names = {"#name": "name", "#visibility": "visibility"}
    values: dict[str, Any] = {":me": playlist["ownerId"], ":name": playlist["name"]}
    condition = "ownerId = :me AND #name = :name AND "
    if playlist.get("visibility") is None:
        condition += "attribute_not_exists(#visibility)"
    else:
        condition += "#visibility = :visibility"
        values[":visibility"] = playlist["visibility"]
    return condition, names, values


def put_playlist(playlist: Mapping[str, Any]) -> None:
    """Store a new header and, when PUBLIC, its search words: one transaction."""
    header = {
        "Put": {
            "TableName": table_name(),
            "Item": to_raw(_playlist_item(playlist)),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }
    if transact([header, *_word_writes(None, playlist)]):
        raise RuntimeError(f"Playlist create refused: id {playlist['id']} is taken")


def get_playlist(playlist_id: str) -> dict[str, Any] | None:
    raw = client().get_item(TableName=table_name(), Key=to_raw(playlist_key(playlist_id)), ConsistentRead=True)
    return to_item(raw["Item"]) if "Item" in raw else None


def playlist_and_entries(
    playlist_id: str, entry_ids: Sequence[str], song_ids: Sequence[str] = ()
) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The header, these entries and these songs as they are now: one strongly consistent
    BatchGetItem (this spans the catalog on purpose: an insert checks its songs in the same read)."""
    keys = [playlist_key(playlist_id)] + [entry_key(playlist_id, e) for e in entry_ids]
    keys += [{PARTITION_KEY: f"SONG#{s}", SORT_KEY: "SONG"} for s in song_ids]
    header: dict[str, Any] | None = None
    entries: dict[str, dict[str, Any]] = {}
    songs: dict[str, dict[str, Any]] = {}
    for raw in batch_get_raw(keys, consistent=True):
        sort_key = raw[SORT_KEY]["S"]
        item = to_item(raw)
        if sort_key == "PLAYLIST":
            header = item
        elif sort_key == "SONG":
            songs[item["id"]] = item
        else:
            entries[item["id"]] = item
    return header, entries, songs


def update_playlist(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any] | None:
    """Set these header fields and move its search words to match, if the header still has the
    owner, name and visibility of `current` (as read); the header after, or None when it changed."""
    condition, names, values = _as_read(current)
    names |= {f"#a{n}": name for n, name in enumerate(changes)}
    values |= {f":a{n}": value for n, value in enumerate(changes.values())}
    header = {
        "Update": {
            "TableName": table_name(),
            "Key": to_raw(playlist_key(current["id"])),
            "UpdateExpression": "SET " + ", ".join(f"#a{n} = :a{n}" for n in range(len(changes))),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_raw(values),
        }
    }
    after = {**current, **changes}
    return None if transact([header, *_word_writes(current, after)]) else after


def delete_playlist(current: Mapping[str, Any]) -> bool:
    """Delete the header and its search words, if it is still as read (`current`); its entries go
    afterwards (`forget_entries`). False when it changed meanwhile."""
    condition, names, values = _as_read(current)
    header = {
        "Delete": {
            "TableName": table_name(),
            "Key": to_raw(playlist_key(current["id"])),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_raw(values),
        }
    }
    return not transact([header, *_word_writes(current, None)])


def forget_entries(playlist_id: str) -> int:
    """Delete every entry of a deleted playlist (its partition, read page by page); returns how many."""
    request = {
        "TableName": table_name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :entry)",
        "ExpressionAttributeValues": to_raw({":pk": f"PLAYLIST#{playlist_id}", ":entry": "ENTRY#"}),
        "ProjectionExpression": f"{PARTITION_KEY}, {SORT_KEY}",
    }
    keys = [{PARTITION_KEY: raw[PARTITION_KEY], SORT_KEY: raw[SORT_KEY]} for raw in query_all(request)]
    batch_write([{"DeleteRequest": {"Key": key}} for key in keys])
    return len(keys)


def playlists_page(owner_id: str, limit: int, next_token: str | None) -> Page:
    """A listener's playlists, the latest created first (one Query)."""
    return query_page("byKind", f"PLAYLISTS#{owner_id}", limit=limit, next_token=next_token, newest_first=True)


def entries_page(playlist_id: str, limit: int, next_token: str | None) -> Page:
    """Entries in playlist order (one Query)."""
    return query_page("byParent", f"ENTRIES#{playlist_id}", limit=limit, next_token=next_token)


def edge_entries(playlist_id: str, *, last: bool, limit: int) -> list[dict[str, Any]]:
    """The first (or last) few entries: the neighbours of an insert at the start (or the end)."""
    return query_page("byParent", f"ENTRIES#{playlist_id}", limit=limit, next_token=None, newest_first=last).items


def entries_from(playlist_id: str, entry: Mapping[str, Any], limit: int) -> list[dict[str, Any]]:
    """This entry and the few after it, in order (one Query)."""
    start = order_key(entry["position"], entry["id"])
    page = query_page("byParent", f"ENTRIES#{playlist_id}", limit=limit, next_token=None, sort_range=(start, AFTER_ALL))
    return page.items


def all_entries(playlist_id: str) -> list[dict[str, Any]]:
    """Every entry in order (a rebalance only)."""
    return [to_item(raw) for raw in query_all(partition_request("byParent", f"ENTRIES#{playlist_id}"))]


def _header_change(
    playlist_id: str, owner_id: str, count: int, duration: int, *, now: str, room: int | None
) -> dict[str, Any]:
    """Move the header's count and duration, if the caller owns it (and, with `room`, it has room)."""
    condition = "attribute_exists(PK) AND ownerId = :me"
    values: dict[str, Any] = {":me": owner_id, ":n": count, ":d": duration, ":now": now}
    if room is not None:
        condition += " AND songCount <= :room"
        values[":room"] = room
    return {
        "Update": {
            "TableName": table_name(),
            "Key": to_raw(playlist_key(playlist_id)),
            "UpdateExpression": "ADD songCount :n, durationSeconds :d SET updatedAt = :now",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": to_raw(values),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def add_entries(playlist_id: str, owner_id: str, entries: Sequence[Mapping[str, Any]], now: str, most: int) -> bool:
    """Put these entries and count them on the header, if the owner's playlist has room for them
    (at most `most` entries); False when a condition failed (the header changed hands or filled)."""
    duration = sum(e.get("durationSeconds") or 0 for e in entries)
    header = _header_change(playlist_id, owner_id, len(entries), duration, now=now, room=most - len(entries))
    puts = [
        {
            "Put": {
                "TableName": table_name(),
                "Item": to_raw(_entry_item(e)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        for e in entries
    ]
    return not transact([header, *puts])


def remove_entries(playlist_id: str, owner_id: str, entries: Sequence[Mapping[str, Any]], now: str) -> bool:
    """Delete these entries and uncount them, if they all still exist; False when one did not."""
    duration = sum(e.get("durationSeconds") or 0 for e in entries)
    header = _header_change(playlist_id, owner_id, -len(entries), -duration, now=now, room=None)
    deletes = [
        {
            "Delete": {
                "TableName": table_name(),
                "Key": to_raw(entry_key(playlist_id, e["id"])),
                "ConditionExpression": "attribute_exists(PK)",
            }
        }
        for e in entries
    ]
    return not transact([header, *deletes])


def _position_update(playlist_id: str, entry_id: str, position: str) -> dict[str, Any]:
    return {
        "TableName": table_name(),
        "Key": to_raw(entry_key(playlist_id, entry_id)),
        "UpdateExpression": "SET #position = :position, #order = :order",
        "ConditionExpression": "attribute_exists(PK)",
        "ExpressionAttributeNames": {"#position": "position", "#order": ORDER[1]},
        "ExpressionAttributeValues": to_raw({":position": position, ":order": order_key(position, entry_id)}),
    }


def move_entry(playlist_id: str, owner_id: str, entry_id: str, position: str, now: str) -> bool:
    """Give one entry a new position, if it still exists and the caller owns the playlist."""
    header = _header_change(playlist_id, owner_id, 0, 0, now=now, room=None)
    return not transact([header, {"Update": _position_update(playlist_id, entry_id, position)}])


def reposition(playlist_id: str, positions: Mapping[str, str]) -> int:
    """Rebalance: new positions for these entries, one conditional update each (an entry
    removed meanwhile stays removed); returns how many were moved."""
    moved = 0
    for entry_id, position in positions.items():
        try:
            client().update_item(**_position_update(playlist_id, entry_id, position))
            moved += 1
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
    return moved
