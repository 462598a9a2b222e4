"""Local state that survives a restart: `python -m emulator --data-dir DIR`.

moto keeps everything in memory. What a developer builds up is written to DIR and read
back on the next start: the table's items (catalog, profiles, follows, ratings, inbox,
offline libraries, feeds), the media bucket's objects, and the user pool's accounts
(email, password, sub, groups, status), so the same logins work and own the same data.
Snapshots are written every few seconds while something changed and on a clean stop,
each file replaced atomically (written aside, then renamed), so a crash (kill -9) loses
at most the last SNAPSHOT_SECONDS of changes and never leaves a torn file.

Not kept: the user pool's id (a restart makes a new pool, so tokens issued before it
are refused: sign in again), messages still queued at the stop (a fan-out, feed
recomputation or file cleanup that had not run), SNS email subscriptions (turn email
on again), the outbox.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import boto3
from moto.cognitoidp.models import CognitoIdpUser, cognitoidp_backends

log = logging.getLogger("emulator")
SNAPSHOT_SECONDS = 3.0
TABLE_FILE, USERS_FILE, MEDIA_INDEX = "table.json", "users.json", "media.json"
MEDIA_FOLDER = "media"


def _write_atomically(path: Path, data: bytes) -> None:
    aside = path.with_name(f".{path.name}.tmp")
    aside.write_bytes(data)
    os.replace(aside, path)


class LocalState:
    """The emulated account's durable state in `directory`, for the stack provisioned there."""

    def __init__(
        self, directory: Path, *, table: str, bucket: str, user_pool_id: str, account: str, region: str
    ) -> None:
        self.directory = directory
        self.table, self.bucket, self.user_pool_id = table, bucket, user_pool_id
        self.account, self.region = account, region
        self._stop = threading.Event()
        self._saver: threading.Thread | None = None
        self._last: bytes | None = None

    @property
    def exists(self) -> bool:
        """A snapshot was written here before (so the demo seed is not loaded again)."""
        return (self.directory / TABLE_FILE).exists()

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Write a snapshot if anything changed since the last one; True when it wrote."""
        items = self._scan()
        users = self._users()
        media = self._media_index()
        fingerprint = json.dumps([items, users, media], sort_keys=True).encode()
        if fingerprint == self._last:
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        self._save_media(media)
        _write_atomically(self.directory / USERS_FILE, json.dumps(users, indent=1).encode())
        _write_atomically(self.directory / TABLE_FILE, json.dumps(items).encode())  # last: it marks a snapshot
        self._last = fingerprint
        return True

    def _scan(self) -> list[dict[str, Any]]:
        dynamodb = boto3.client("dynamodb")
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": self.table}
        while True:  # the one Scan of the code base: a snapshot reads everything by definition
            page = dynamodb.scan(**request)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _pool(self) -> Any:
        return cognitoidp_backends[self.account][self.region].user_pools[self.user_pool_id]

    def _users(self) -> list[dict[str, Any]]:
        return [
            {
                "username": user.username,
                "sub": user.id,
                "password": user.password,
                "status": user.status,
                "enabled": user.enabled,
                "attributes": user.attributes,
                "groups": sorted(group.group_name for group in user.groups),
            }
            for user in self._pool().users.values()
        ]

    def _media_index(self) -> dict[str, dict[str, Any]]:
        s3 = boto3.client("s3")
        index: dict[str, dict[str, Any]] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for entry in page.get("Contents", []):
                index[entry["Key"]] = {"etag": entry["ETag"], "size": entry["Size"]}
        return index

    def _save_media(self, index: dict[str, dict[str, Any]]) -> None:
        """Objects are written once (keys are never reused with other content: each upload has its own)."""
        s3 = boto3.client("s3")
        known = self._read_json(MEDIA_INDEX, {})
        for key, entry in index.items():
            path = self._media_path(key)
            if known.get(key, {}).get("etag") == entry["etag"] and path.exists():
                continue
            obj = s3.get_object(Bucket=self.bucket, Key=key)
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, obj["Body"].read())
            entry["contentType"] = obj.get("ContentType")
        for key in known.keys() - index.keys():
            self._media_path(key).unlink(missing_ok=True)
        for key, entry in index.items():
            entry.setdefault("contentType", known.get(key, {}).get("contentType"))
        _write_atomically(self.directory / MEDIA_INDEX, json.dumps(index, indent=1).encode())

    def _media_path(self, key: str) -> Path:
        return self.directory / MEDIA_FOLDER / base64.urlsafe_b64encode(key.encode()).decode()

    def _read_json(self, name: str, default: Any) -> Any:
        path = self.directory / name
        return json.loads(path.read_text()) if path.exists() else default

    # -- restoring -----------------------------------------------------------------------------

    def restore(self) -> None:
        """Load the last snapshot into the freshly provisioned account."""
        items = self._restore_table()
        accounts = self._restore_users()
        files = self._restore_media()
        log.warning("restored %d items, %d accounts, %d files from %s", items, accounts, files, self.directory)

    def _restore_table(self) -> int:
        items = self._read_json(TABLE_FILE, [])
        dynamodb = boto3.client("dynamodb")
        for start in range(0, len(items), 25):
            pending = {self.table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
            while pending:
                pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        return len(items)

    def _restore_users(self) -> int:
        """Accounts as they were, their sub included, which moto's API cannot set: into its model."""
        pool = self._pool()
        saved_users = self._read_json(USERS_FILE, [])
        for saved in saved_users:
            user = CognitoIdpUser(pool.id, saved["username"], saved["password"], saved["status"], saved["attributes"])
            user.id, user.enabled = saved["sub"], saved["enabled"]
            user.update_attributes([{"Name": "sub", "Value": saved["sub"]}])
            pool.users[user.username] = user
            for name in saved["groups"]:
                group = pool.groups[name]
                group.users.add(user)
                user.groups.add(group)
        return len(saved_users)

    def _restore_media(self) -> int:
        s3 = boto3.client("s3")
        index = self._read_json(MEDIA_INDEX, {})
        for key, entry in index.items():
            body = self._media_path(key).read_bytes()
            content_type = entry.get("contentType") or "binary/octet-stream"
            s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return len(index)

    # -- the periodic snapshot -------------------------------------------------------------------

    def start_autosave(self) -> None:
        def loop() -> None:
            while not self._stop.wait(SNAPSHOT_SECONDS):
                try:
                    self.save()
                except Exception:  # a failed snapshot must not take the API down; the next one retries
                    log.exception("could not write a snapshot to %s", self.directory)

        self._saver = threading.Thread(target=loop, name="snapshots", daemon=True)
        self._saver.start()

    def stop(self) -> None:
        """Stop the periodic snapshots and write a last one."""
        self._stop.set()
        if self._saver:
            self._saver.join(SNAPSHOT_SECONDS * 2)
        self.save()
