"""Offline playback: what a listener keeps on the device, and what a sync tells it to do.

Licenses last LICENSE_DAYS and are renewed by every sync; a song that was deleted or is
no longer READY is reported for removal, one whose audio was replaced for re-download.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from resolvers import catalog, media
from resolvers.clock import now_iso
from resolvers.data import offline as offline_data
from resolvers.data import table
from resolvers.errors import NotFoundError, ValidationError
from resolvers.settings import settings
from resolvers.validation import identifier, moment, page_size

LICENSE_DAYS = 30
DOWNLOAD_SECONDS = 60 * 60
SYNC_PAGE = 100


def _license_end() -> str:
    end = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=LICENSE_DAYS)
    return end.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _view(entry: Mapping[str, Any], song: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "song": catalog.present_song(song),
        "downloadUrl": media.download_url(song, DOWNLOAD_SECONDS),
        "sizeBytes": song["audio"]["sizeBytes"],
        "checksum": song.get("audioEtag", ""),
        "addedAt": entry["addedAt"],
        "licenseExpiresAt": entry["licenseExpiresAt"],
    }


def _playable(song: Mapping[str, Any] | None) -> bool:
    return bool(song and song.get("status") == "READY" and song.get("audioKey"))


def add(user_id: str, song_id: Any) -> dict[str, Any]:
    song = table.get("SONG", identifier(song_id, "songId"))
    if song is None:
        raise NotFoundError(f"Song {song_id} not found")
    if not _playable(song):
        raise ValidationError("songId: only READY songs can be kept offline")
    entry = {
        "songId": song["id"],
        "audioKey": song["audioKey"],
        "addedAt": now_iso(),
        "licenseExpiresAt": _license_end(),
    }
    if not offline_data.add_offline(user_id, entry, settings().offline_limit):
        renewal = {"audioKey": song["audioKey"], "licenseExpiresAt": entry["licenseExpiresAt"]}
        offline_data.renew_offline(user_id, song["id"], renewal)
        entry = {**(offline_data.get_offline(user_id, song["id"]) or entry), **renewal}
    return _view(entry, song)


def remove(user_id: str, song_id: Any) -> str:
    song_id = identifier(song_id, "songId")
    offline_data.remove_offline(user_id, song_id)
    return song_id


def library(user_id: str, limit: Any, next_token: str | None) -> dict[str, Any]:
    """A page of the library with its songs: one Query and one BatchGetItem."""
    page = offline_data.offline_page(user_id, page_size(limit), next_token)
    songs = table.batch_get("SONG", [entry["songId"] for entry in page.items])
    items = [_view(e, songs[e["songId"]]) for e in page.items if _playable(songs.get(e["songId"]))]
    return {"items": items, "nextToken": page.next_token}


def sync(user_id: str, since: str | None) -> dict[str, Any]:
    """Tell the device what to download, keep and remove; renew every kept license."""
    download: list[dict[str, Any]] = []
    keep: list[dict[str, Any]] = []
    remove_ids: list[str] = []
    token = None
    license_end = _license_end()
    after = moment(since, "since") if since is not None else None
    while True:
        page = offline_data.offline_page(user_id, SYNC_PAGE, token)
        songs = table.batch_get("SONG", [entry["songId"] for entry in page.items])
        for entry in page.items:
            song = songs.get(entry["songId"])
            if song is None or not _playable(song):
                remove_ids.append(entry["songId"])
                continue
            replaced = song["audioKey"] != entry["audioKey"]
            renewed = {**entry, "audioKey": song["audioKey"], "licenseExpiresAt": license_end}
            offline_data.renew_offline(
                user_id, entry["songId"], {"audioKey": song["audioKey"], "licenseExpiresAt": license_end}
            )
            is_new = after is None or moment(entry["addedAt"], "addedAt") > after
            (download if replaced or is_new else keep).append(_view(renewed, song))
        token = page.next_token
        if not token:
            break
    for song_id in remove_ids:
        offline_data.remove_offline(user_id, song_id)
    return {"download": download, "keep": keep, "remove": remove_ids, "syncedAt": now_iso()}
