"""Artists, albums and songs: conditional creates, updates and deletes.

Counters that guard deletes (an artist's albums and songs, an album's songs) move in the
same transaction as the item they count, so a delete can never strand children. Index keys
and index items (search words, an artist's genres) move in the same write as the fields
they come from (`listings.py`).

An item created with an import key also writes a key item (`IMPORT#<kind>#<key>`, `IMPORT`)
holding its id, conditional on there being none, in the same transaction: so a key names
at most one item of its kind, a repeated create is a ConflictError naming the holder, and
a delete removes the key item with the item (a re-import then creates it anew).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from botocore.exceptions import ClientError

from resolvers.data.listings import INDEXED_FIELDS, index_item_writes, index_items, index_keys
from resolvers.data.table import (
    KEYS,
    batch_get_raw,
    client,
    count_action,
    delete_action,
    get,
    table_name,
    to_item,
    to_raw,
    transact,
)
from resolvers.errors import ConflictError, NotFoundError, ValidationError
from resolvers.table_layout import PARTITION_KEY, SORT_KEY


def stored_item(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {**KEYS[kind](item["id"]), **index_keys(kind, item), "kind": kind, **item}


def _put(kind: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table_name(),
            "Item": to_raw(stored_item(kind, item)),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _index_puts(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return index_item_writes({}, index_items(kind, item))


def _refused_put(kind: str, failed: list[dict[str, Any] | None]) -> NoReturn:
    """The new item's own put was refused only if its id is taken; any other refusal is a fault
    of ours, never reported as "already exists" to a client whose request was fine."""
    if failed[0] is not None:
        article = "An" if kind[0] in "AEIOU" else "A"
        raise ConflictError(f"{article} {kind.lower()} with this id already exists")
    raise RuntimeError(f"{kind.title()} create refused for an unexpected reason: {failed}")


IMPORT_SORT_KEY = "IMPORT"


def import_key(kind: str, key: str) -> dict[str, str]:
    return {PARTITION_KEY: f"IMPORT#{kind}#{key}", SORT_KEY: IMPORT_SORT_KEY}


def _import_key_actions(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The key item's conditional put, when the item has an import key (always the last action)."""
    if not item.get("importKey"):
        return []
    key = item["importKey"]
    key_item = {**import_key(kind, key), "kind": "IMPORT", "importKey": key, "id": item["id"]}
    return [
        {
            "Put": {
                "TableName": table_name(),
                "Item": to_raw(key_item),
                "ConditionExpression": "attribute_not_exists(PK)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
    ]


def _import_key_deletes(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    if not item.get("importKey"):
        return []
    return [{"Delete": {"TableName": table_name(), "Key": to_raw(import_key(kind, item["importKey"]))}}]


def _check_import_key(kind: str, item: Mapping[str, Any], failed: list[dict[str, Any] | None]) -> None:
    """A create cancelled by its key item: the key is taken, and the message names the holder."""
    if item.get("importKey") and failed and failed[-1] is not None:
        holder = failed[-1].get("id", "another item")
        raise ConflictError(f"importKey: {kind.lower()} {holder} already has this import key")


def imported_ids(kind: str, keys: list[str]) -> dict[str, str]:
    """Import key -> id of the items of this kind created with one of these keys (one BatchGetItem)."""
    found = batch_get_raw(import_key(kind, key) for key in keys)
    return {entry["importKey"]: entry["id"] for entry in (to_item(raw) for raw in found)}


def create_artist(artist: Mapping[str, Any]) -> dict[str, Any]:
    failed = transact([_put("ARTIST", artist), *_index_puts("ARTIST", artist), *_import_key_actions("ARTIST", artist)])
    _check_import_key("ARTIST", artist, failed)
    if failed:
        _refused_put("ARTIST", failed)
    return dict(artist)


def create_album(album: Mapping[str, Any]) -> dict[str, Any]:
    failed = transact(
        [
            _put("ALBUM", album),
            count_action("ARTIST", album["artistId"], "albumCount", 1),
            *_index_puts("ALBUM", album),
            *_import_key_actions("ALBUM", album),
        ]
    )
    if failed and failed[1] is not None:
        raise NotFoundError(f"Artist {album['artistId']} not found")
    _check_import_key("ALBUM", album, failed)
    if failed:
        _refused_put("ALBUM", failed)
    return dict(album)


def create_song(song: Mapping[str, Any], album_seen: str | None = None) -> dict[str, Any]:
    """Add a song; on an album, only if the album is unchanged since `album_seen` (its updatedAt),
    so the release date the song copied from it is still the album's."""
    actions = [_put("SONG", song), count_action("ARTIST", song["artistId"], "songCount", 1)]
    if song.get("albumId"):
        actions.append(
            count_action(
                "ALBUM",
                song["albumId"],
                "songCount",
                1,
                condition="attribute_exists(PK) AND artistId = :artist AND updatedAt = :seen",
                values={":artist": song["artistId"], ":seen": album_seen},
            )
        )
    failed = transact([*actions, *_index_puts("SONG", song), *_import_key_actions("SONG", song)])
    if not failed:
        return dict(song)
    _check_import_key("SONG", song, failed)
    if failed[1] is not None:
        raise NotFoundError(f"Artist {song['artistId']} not found")
    if song.get("albumId") and failed[2] is not None:
        if not failed[2]:
            raise NotFoundError(f"Album {song['albumId']} not found")
        if failed[2]["artistId"] != song["artistId"]:
            raise ValidationError("albumId: the album belongs to another artist")
        raise ConflictError("The album changed while adding the song: try again")
    _refused_put("SONG", failed)


def update(kind: str, item_id: str, changes: Mapping[str, Any], updated_at: str) -> dict[str, Any]:
    """Set (or, for None, remove) fields of an existing item, moving its index keys and items with them.

    A change to an indexed field needs the rest of the item to derive the new keys: it is
    read first and the write is conditional on the item not having changed since
    (ConflictError if it did), so the keys always match the fields they come from. Only the
    keys that these changes move are written, so a key another writer owns (a song's rank,
    moved by ratings) is never overwritten with what this one read. When index
    items change too, all of it is one transaction and the result is the item as read plus
    the changes (counters as read).
    """
    values: dict[str, Any] = {}
    condition = "attribute_exists(PK)"
    index_sets: dict[str, str] = {}
    index_removes: list[str] = []
    item_writes: list[dict[str, Any]] = []
    merged: dict[str, Any] = {}
    if INDEXED_FIELDS.get(kind, set()) & changes.keys():
        current = get(kind, item_id)
        if current is None:
            raise NotFoundError(f"{kind.title()} {item_id} not found")
        merged = {k: v for k, v in {**current, **changes}.items() if v is not None}
        before, keys = index_keys(kind, current), index_keys(kind, merged)
        index_sets = {k: v for k, v in keys.items() if before.get(k) != v}
        index_removes = sorted(before.keys() - keys.keys())
        item_writes = index_item_writes(index_items(kind, current), index_items(kind, merged))
        condition += " AND updatedAt = :seen"
        values[":seen"] = current["updatedAt"]
    sets = {**{k: v for k, v in changes.items() if v is not None}, **index_sets, "updatedAt": updated_at}
    removes = [k for k, v in changes.items() if v is None] + index_removes
    names = {f"#a{n}": name for n, name in enumerate([*sets, *removes])}
    by_name = {name: alias for alias, name in names.items()}
    expression = "SET " + ", ".join(f"{by_name[k]} = :v{n}" for n, k in enumerate(sets))
    if removes:
        expression += " REMOVE " + ", ".join(by_name[k] for k in removes)
    values |= {f":v{n}": v for n, v in enumerate(sets.values())}
    write = {
        "TableName": table_name(),
        "Key": to_raw(KEYS[kind](item_id)),
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_raw(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if item_writes:
        failed = transact([{"Update": write}, *item_writes])
        if failed and failed[0]:
            raise ConflictError(f"{kind.title()} {item_id} changed while updating it: try again")
        if failed:
            raise NotFoundError(f"{kind.title()} {item_id} not found")
        return {**merged, "updatedAt": updated_at}
    try:
        response = client().update_item(**write, ReturnValues="ALL_NEW")
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        if error.response.get("Item"):
            raise ConflictError(f"{kind.title()} {item_id} changed while updating it: try again") from None
        raise NotFoundError(f"{kind.title()} {item_id} not found") from None
    return to_item(response["Attributes"])


_EMPTY = "(attribute_not_exists({c}) OR {c} = :zero)"


_UNCHANGED = "attribute_exists(PK) AND updatedAt = :seen"


def _index_deletes(kind: str, item: Mapping[str, Any]) -> list[dict[str, Any]]:
    return index_item_writes(index_items(kind, item), {})


def delete_artist(artist: Mapping[str, Any]) -> None:
    """Delete an artist we have read, with its index items; refused while it has albums or songs."""
    condition = f"{_UNCHANGED} AND {_EMPTY.format(c='albumCount')} AND {_EMPTY.format(c='songCount')}"
    failed = transact(
        [
            delete_action("ARTIST", artist["id"], condition, {":zero": 0, ":seen": artist["updatedAt"]}),
            *_index_deletes("ARTIST", artist),
            *_import_key_deletes("ARTIST", artist),
        ]
    )
    if failed and failed[0] and (failed[0].get("albumCount") or failed[0].get("songCount")):
        raise ConflictError("The artist still has albums or songs: delete those first")
    if failed and failed[0]:
        raise ConflictError(f"Artist {artist['id']} changed while deleting it: try again")
    if failed:
        raise NotFoundError(f"Artist {artist['id']} not found")


def delete_album(album: Mapping[str, Any]) -> None:
    """Delete an album we have read; the condition re-checks what we read."""
    condition = f"{_UNCHANGED} AND artistId = :artist AND {_EMPTY.format(c='songCount')}"
    failed = transact(
        [
            delete_action(
                "ALBUM", album["id"], condition, {":zero": 0, ":artist": album["artistId"], ":seen": album["updatedAt"]}
            ),
            count_action("ARTIST", album["artistId"], "albumCount", -1),
            *_index_deletes("ALBUM", album),
            *_import_key_deletes("ALBUM", album),
        ]
    )
    if failed and failed[0] and failed[0].get("songCount"):
        raise ConflictError("The album still has songs: delete those first")
    if failed and failed[0]:
        raise ConflictError(f"Album {album['id']} changed while deleting it: try again")
    if failed:
        raise NotFoundError(f"Album {album['id']} not found")


def delete_song(song: Mapping[str, Any]) -> None:
    """Delete a song we have read, and release it from its artist's and album's counts.

    Its ratings stay behind (listed under `RATERS#id` for the asynchronous clean-up)."""
    actions = [
        delete_action(
            "SONG",
            song["id"],
            f"{_UNCHANGED} AND artistId = :artist",
            {":artist": song["artistId"], ":seen": song["updatedAt"]},
        ),
        count_action("ARTIST", song["artistId"], "songCount", -1),
    ]
    if song.get("albumId"):
        actions.append(count_action("ALBUM", song["albumId"], "songCount", -1))
    failed = transact([*actions, *_index_deletes("SONG", song), *_import_key_deletes("SONG", song)])
    if failed and failed[0]:
        raise ConflictError(f"Song {song['id']} changed while deleting it: try again")
    if failed:
        raise NotFoundError(f"Song {song['id']} not found")
