"""Playlists: a listener's ordered songs, PRIVATE to them or PUBLIC to every listener.

Only the owner changes a playlist. Someone else's PRIVATE playlist does not exist for the
caller (NotFoundError, so ids reveal nothing); someone else's PUBLIC one is read-only
(UnauthorizedError on a change). An insert or a move writes only the entries it places
(ordered keys, resolvers/positions.py), in one transaction with the header's exact count,
so two devices adding at once both land and the count stays right (DynamoDB cancels one
of two transactions on the header, and table.transact retries it). A song deleted from the
catalog leaves its entries in place, read as unavailable (`song: null`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from resolvers import cleanup, positions
from resolvers.catalog import present_song
from resolvers.clock import now_iso
from resolvers.data import playlists as playlists_data
from resolvers.data import table
from resolvers.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from resolvers.validation import BIO_MAX, TITLE_MAX, identifier, page_size, text

MAX_ENTRIES = 10_000
MAX_SONGS_PER_CALL = 50  # with the header: 51 of DynamoDB's 100 actions per transaction
VISIBILITIES = ("PRIVATE", "PUBLIC")
NEIGHBOURS = 3  # an anchor, the entry after it, and the entry being moved


# -- checks -------------------------------------------------------------------------------------


def _visibility(value: Any) -> str:
    if value not in VISIBILITIES:
        raise ValidationError(f"visibility: one of {', '.join(VISIBILITIES)}")
    return value


def details(given: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Checked name, description and visibility (on update, only those given; null clears a description)."""
    changes: dict[str, Any] = {}
    if creating or "name" in given:
        changes["name"] = text(given.get("name"), "name", max_length=TITLE_MAX)
    if "description" in given:
        changes["description"] = text(
            given["description"], "description", max_length=BIO_MAX, required=False, multiline=True
        )
    if creating or given.get("visibility") is not None:
        changes["visibility"] = _visibility(given.get("visibility") or "PRIVATE")
    return changes


def readable(playlist: Mapping[str, Any] | None, user_id: str | None, playlist_id: str) -> dict[str, Any]:
    """The playlist if the caller may read it: the owner, or anyone for a PUBLIC one."""
    if playlist is None or (playlist["ownerId"] != user_id and playlist.get("visibility") != "PUBLIC"):
        raise NotFoundError(f"No playlist {playlist_id}")
    return dict(playlist)


def _owned(playlist: Mapping[str, Any] | None, user_id: str, playlist_id: str) -> dict[str, Any]:
    found = readable(playlist, user_id, playlist_id)
    if found["ownerId"] != user_id:
        raise UnauthorizedError("Only the owner changes a playlist")
    return found


def _editable(playlist: Mapping[str, Any] | None, user_id: str, playlist_id: str) -> dict[str, Any]:
    found = _owned(playlist, user_id, playlist_id)
    if found.get("smart"):
        raise ValidationError("playlistId: a smart playlist's songs come from its rules; change the rules instead")
    return found


def _ids(values: Any, field: str) -> list[str]:
    if not isinstance(values, list) or not 1 <= len(values) <= MAX_SONGS_PER_CALL:
        raise ValidationError(f"{field}: from 1 to {MAX_SONGS_PER_CALL} ids")
    return [identifier(value, field) for value in values]


def _anchor(after_entry_id: Any, at_start: Any) -> str | None:
    if after_entry_id is not None and at_start:
        raise ValidationError("afterEntryId: give afterEntryId or atStart, not both")
    return identifier(after_entry_id, "afterEntryId") if after_entry_id is not None else None


def present(playlist: Mapping[str, Any]) -> dict[str, Any]:
    """A playlist as the API shows it (`owner` and `entries` are resolved from it)."""
    return {
        "smart": False,
        "description": None,
        "songCount": 0,
        "durationSeconds": 0,
        **{k: v for k, v in playlist.items() if k != "rules"},
        "rules": playlist.get("rules"),
    }


# -- playlists ----------------------------------------------------------------------------------


def new_playlist(user_id: str, fields: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """Store a new playlist of the caller's (plain, or smart with its `rules` in `extra`)."""
    now = now_iso()
    playlist = {
        "id": str(uuid.uuid4()),
        "ownerId": user_id,
        "description": None,
        **fields,
        "smart": False,
        "songCount": 0,
        "durationSeconds": 0,
        "createdAt": now,
        "updatedAt": now,
        **extra,
    }
    playlists_data.put_playlist({k: v for k, v in playlist.items() if v is not None})
    return present(playlist)


def create_playlist(user_id: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    return new_playlist(user_id, details(given or {}, creating=True))


def update_playlist(user_id: str, playlist_id: Any, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Rename, describe or change the visibility of the caller's playlist (its search words
    move in the same write: read first, then written only if still as read)."""
    playlist_id = identifier(playlist_id, "id")
    changes = details(given or {}, creating=False)
    current = playlists_data.get_playlist(playlist_id)
    if not changes:
        return present(readable(current, user_id, playlist_id))
    updated = playlists_data.update_playlist(_owned(current, user_id, playlist_id), {**changes, "updatedAt": now_iso()})
    if updated is None:
        _owned(playlists_data.get_playlist(playlist_id), user_id, playlist_id)
        raise ConflictError("The playlist changed meanwhile: try again")
    return present(updated)


def delete_playlist(user_id: str, playlist_id: Any) -> str:
    """Delete the caller's playlist and its search words now; its entries go off the request
    path (the cleanup queue)."""
    playlist_id = identifier(playlist_id, "id")
    current = _owned(playlists_data.get_playlist(playlist_id), user_id, playlist_id)
    if not playlists_data.delete_playlist(current):
        _owned(playlists_data.get_playlist(playlist_id), user_id, playlist_id)
        raise ConflictError("The playlist changed meanwhile: try again")
    cleanup.schedule_cleanup("PLAYLIST", playlist_id)
    return playlist_id


def get_playlist(user_id: str | None, playlist_id: Any) -> dict[str, Any]:
    playlist_id = identifier(playlist_id, "id")
    return present(readable(playlists_data.get_playlist(playlist_id), user_id, playlist_id))


def my_playlists(user_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    page = playlists_data.playlists_page(user_id, page_size(limit), next_token)
    return {"items": [present(p) for p in page.items], "nextToken": page.next_token}


def owners(owner_ids: Sequence[str]) -> list[dict[str, Any]]:
    """`Playlist.owner` for a batch: one BatchGetItem of the profiles."""
    profiles = table.batch_get("PROFILE", owner_ids)
    return [{"displayName": profiles.get(owner, {}).get("displayName", "A listener")} for owner in owner_ids]


def plain_entries(playlist: Mapping[str, Any], limit: Any, next_token: str | None) -> dict[str, Any]:
    """A page of entries in order, with their songs (one Query, one BatchGetItem)."""
    page = playlists_data.entries_page(playlist["id"], page_size(limit), next_token)
    songs = table.batch_get("SONG", [entry["songId"] for entry in page.items]) if page.items else {}
    items = [
        {
            "id": entry["id"],
            "addedAt": entry["addedAt"],
            "song": present_song(songs[entry["songId"]]) if entry["songId"] in songs else None,
        }
        for entry in page.items
    ]
    return {"items": items, "nextToken": page.next_token}


def forget_entries(playlist_id: str) -> int:
    """After a playlist is deleted, its entries go too; refuses while the playlist exists."""
    if playlists_data.get_playlist(playlist_id) is not None:
        return 0
    return playlists_data.forget_entries(playlist_id)


# -- entries ------------------------------------------------------------------------------------


def _place(
    playlist_id: str, anchor: Mapping[str, Any] | None, at_start: bool, count: int, moving: str | None = None
) -> list[int] | None:
    """Positions for `count` entries at the start, after `anchor`, or at the end (one Query)."""
    if at_start:
        following = [e for e in playlists_data.edge_entries(playlist_id, last=False, limit=2) if e["id"] != moving]
        return positions.between(None, positions.decode(following[0]["position"]) if following else None, count)
    if anchor is not None:
        run = playlists_data.entries_from(playlist_id, anchor, NEIGHBOURS)
        following = [e for e in run if e["id"] not in (anchor["id"], moving)]
        high = positions.decode(following[0]["position"]) if following else None
        return positions.between(positions.decode(anchor["position"]), high, count)
    preceding = [e for e in playlists_data.edge_entries(playlist_id, last=True, limit=2) if e["id"] != moving]
    return positions.between(positions.decode(preceding[0]["position"]) if preceding else None, None, count)


def rebalance(playlist_id: str) -> dict[str, str]:
    """Spread every entry's position evenly again (rare: a gap was used up); the new positions by id."""
    entries = playlists_data.all_entries(playlist_id)
    spread = {e["id"]: positions.encode(p) for e, p in zip(entries, positions.spread(len(entries)), strict=True)}
    playlists_data.reposition(playlist_id, {i: p for i, p in spread.items() if p != entries_by(entries)[i]})
    return spread


def entries_by(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {e["id"]: e["position"] for e in entries}


def _placed(
    playlist_id: str, anchor: dict[str, Any] | None, at_start: bool, count: int, moving: str | None = None
) -> list[str]:
    placed = _place(playlist_id, anchor, at_start, count, moving)
    if placed is None:
        moved = rebalance(playlist_id)
        if anchor is not None:
            anchor = {**anchor, "position": moved.get(anchor["id"], anchor["position"])}
        placed = _place(playlist_id, anchor, at_start, count, moving)
    if placed is None:
        raise ConflictError("No room at that spot right now: try again")
    return [positions.encode(p) for p in placed]


def add_to_playlist(
    user_id: str, playlist_id: Any, song_ids: Any, after_entry_id: Any, at_start: Any
) -> dict[str, Any]:
    """Add READY songs (a song may appear twice) at the start, after an entry, or at the end."""
    playlist_id = identifier(playlist_id, "playlistId")
    ids = _ids(song_ids, "songIds")
    after = _anchor(after_entry_id, at_start)
    header, entries, songs = playlists_data.playlist_and_entries(playlist_id, [after] if after else [], ids)
    header = _editable(header, user_id, playlist_id)
    unplayable = next((s for s in ids if songs.get(s, {}).get("status") != "READY"), None)
    if unplayable:
        raise NotFoundError(f"No READY song {unplayable}")
    if after and after not in entries:
        raise NotFoundError(f"No entry {after} in this playlist")
    if header["songCount"] + len(ids) > MAX_ENTRIES:
        raise ConflictError(f"A playlist holds at most {MAX_ENTRIES} songs")
    now = now_iso()
    placed = _placed(playlist_id, entries.get(after) if after else None, bool(at_start), len(ids))
    new = [
        {
            "id": str(uuid.uuid4()),
            "playlistId": playlist_id,
            "songId": song_id,
            "addedAt": now,
            "position": position,
            "durationSeconds": songs[song_id].get("durationSeconds") or 0,
        }
        for song_id, position in zip(ids, placed, strict=True)
    ]
    if not playlists_data.add_entries(playlist_id, user_id, new, now, MAX_ENTRIES):
        current = _editable(playlists_data.get_playlist(playlist_id), user_id, playlist_id)
        raise ConflictError(f"A playlist holds at most {MAX_ENTRIES} songs ({current['songCount']} now)")
    added = sum(e["durationSeconds"] for e in new)
    return present(
        {
            **header,
            "songCount": header["songCount"] + len(new),
            "durationSeconds": header.get("durationSeconds", 0) + added,
            "updatedAt": now,
        }
    )


def remove_from_playlist(user_id: str, playlist_id: Any, entry_ids: Any) -> dict[str, Any]:
    """Remove these entries; NotFoundError when one is not (or no longer) in the playlist."""
    playlist_id = identifier(playlist_id, "playlistId")
    ids = list(dict.fromkeys(_ids(entry_ids, "entryIds")))
    header, entries, _ = playlists_data.playlist_and_entries(playlist_id, ids)
    header = _editable(header, user_id, playlist_id)
    missing = next((e for e in ids if e not in entries), None)
    if missing:
        raise NotFoundError(f"No entry {missing} in this playlist")
    now = now_iso()
    gone = [entries[e] for e in ids]
    if not playlists_data.remove_entries(playlist_id, user_id, gone, now):
        raise NotFoundError("An entry was removed meanwhile: read the playlist again")
    removed = sum(e.get("durationSeconds") or 0 for e in gone)
    return present(
        {
            **header,
            "songCount": header["songCount"] - len(gone),
            "durationSeconds": header.get("durationSeconds", 0) - removed,
            "updatedAt": now,
        }
    )


def move_entry(user_id: str, playlist_id: Any, entry_id: Any, after_entry_id: Any, at_start: Any) -> dict[str, Any]:
    """Move one entry to the start, after another entry, or to the end: three DynamoDB calls
    (read, neighbour, one transaction), whatever the playlist's length."""
    playlist_id = identifier(playlist_id, "playlistId")
    entry_id = identifier(entry_id, "entryId")
    after = _anchor(after_entry_id, at_start)
    if after == entry_id:
        raise ValidationError("afterEntryId: an entry cannot move after itself")
    header, entries, _ = playlists_data.playlist_and_entries(playlist_id, [entry_id] + ([after] if after else []))
    header = _editable(header, user_id, playlist_id)
    for wanted in (entry_id, after):
        if wanted and wanted not in entries:
            raise NotFoundError(f"No entry {wanted} in this playlist")
    now = now_iso()
    (position,) = _placed(playlist_id, entries.get(after) if after else None, bool(at_start), 1, moving=entry_id)
    if not playlists_data.move_entry(playlist_id, user_id, entry_id, position, now):
        raise NotFoundError(f"No entry {entry_id} in this playlist (removed meanwhile)")
    return present({**header, "updatedAt": now})
