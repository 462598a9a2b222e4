"""Local state that survives a restart: `python -m emulator --data-dir DIR`.

moto keeps everything in memory. What a developer builds up is written to DIR and read
back into the freshly provisioned emulation on the next start, file by file:
- `table.json`: every item of the table (catalog, profiles, follows, ratings, inboxes,
  offline libraries, feeds, release event records);
- `users.json`: the user pool's accounts (email, password, sub, groups, status), which
  moto's API cannot recreate with the same sub: they go into its model;
- `pool.json`: what keeps sessions alive: the instance id the user pool and app client ids
  are derived from (so the issuer and audience of earlier tokens still match; moto signs
  with one fixed key), refresh tokens, and confirmation codes mailed but not used yet;
- `media.json` and `media/`: the media bucket's objects, each written once (keys are never
  reused for other content), restored without S3 notifications so nothing is reprocessed;
- `queues.json`: messages waiting in every queue and dead-letter queue, those being
  processed at the moment of the snapshot included: they are delivered again after the
  restart, which every consumer treats as the redelivery SQS allows (a no-op if done);
- `subscriptions.json`: SNS subscriptions (listeners' email settings), same ARNs and
  filter policies;
- `outbox.jsonl`: the local mail, appended as it is sent (emulator/outbox.py).

Snapshots are written every SNAPSHOT_SECONDS while something changed and on a clean stop,
each file replaced atomically (written aside, then renamed), `table.json` last since its
presence marks a snapshot. A crash (kill -9) loses at most the last SNAPSHOT_SECONDS of
changes and never leaves a torn file. Not kept: access tokens' server-side records (our
API never sends one to Cognito), the order and receive counts of queued messages.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
from moto.cognitoidp.models import CognitoIdpUser, cognitoidp_backends
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import FakeKey, s3_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends

from emulator.aws import ACCOUNT_ID, DYNAMODB_LOCK, REGION, Cognito, LocalStack
from emulator.moto_fixes import compact_items, json_responses
from emulator.moto_fixes.json_responses import Changes

log = logging.getLogger("emulator")
SNAPSHOT_SECONDS = 3.0
RESTORE_SETTLE_EVERY = 500
TABLE_FILE, USERS_FILE, POOL_FILE, MEDIA_INDEX = "table.json", "users.json", "pool.json", "media.json"
QUEUES_FILE, SUBSCRIPTIONS_FILE, OUTBOX_FILE = "queues.json", "subscriptions.json", "outbox.jsonl"
MEDIA_FOLDER = "media"
# What a subscription may be given after it exists (SetSubscriptionAttributes), scope before policy.
SUBSCRIPTION_SETTINGS = ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy")


def _write_atomically(path: Path, data: bytes) -> None:
    aside = path.with_name(f".{path.name}.tmp")
    aside.write_bytes(data)
    os.replace(aside, path)


class LocalState:
    """The emulated account's durable state in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.instance: str = self._read_json(POOL_FILE, {}).get("instance") or uuid.uuid4().hex
        self.exists = (directory / TABLE_FILE).exists()  # a snapshot was written: no demo seed again
        self._stack: LocalStack | None = None
        self._cognito: Cognito | None = None
        self._stop = threading.Event()
        self._saver: threading.Thread | None = None
        self._last: bytes | None = None
        self._saved_table: bytes | None = None
        # The table's JSON as last read, and the DynamoDB change count it was read at (moto_fixes.json_responses).
        self._table: tuple[int, bytes] | None = None
        self._clients: dict[str, Any] = {}

    def _client(self, service: str) -> Any:
        """One client per service: making one costs more than a snapshot check."""
        if service not in self._clients:
            self._clients[service] = boto3.client(service)
        return self._clients[service]

    @property
    def outbox_path(self) -> Path:
        return self.directory / OUTBOX_FILE

    def attach(self, stack: LocalStack, cognito: Cognito) -> None:
        """The provisioned emulation this state is saved from and restored into."""
        self._stack, self._cognito = stack, cognito

    @property
    def stack(self) -> LocalStack:
        if self._stack is None:
            raise RuntimeError("attach() the provisioned stack first")
        return self._stack

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Write a snapshot if anything changed since the last one; True when it wrote."""
        files = {
            USERS_FILE: self._users(),
            POOL_FILE: self._pool_state(),
            QUEUES_FILE: self._queued(),
            SUBSCRIPTIONS_FILE: self._subscriptions(),
        }
        table = self._table_text()
        media = self._media_index()
        fingerprint = json.dumps([files, media], sort_keys=True).encode()
        if fingerprint == self._last and table == self._saved_table:
            return False
        self._save_media(media)
        for name, content in files.items():
            _write_atomically(self.directory / name, json.dumps(content, indent=1).encode())
        _write_atomically(self.directory / TABLE_FILE, table)  # last: its presence marks a snapshot
        self._last, self._saved_table = fingerprint, table
        return True

    def _table_text(self) -> bytes:
        """Every item as JSON, read from moto's table (a Scan over HTTP took 200 times longer).

        Read again only when a DynamoDB action may have changed the table since the last read
        (moto_fixes.json_responses.Changes): reading decodes every item (compact_items), which with
        1,000 songs, every 3 seconds, was a fifth of the emulator's CPU under load."""
        table = dynamodb_backends[ACCOUNT_ID][REGION].tables[self.stack.table_name]
        with DYNAMODB_LOCK:  # no request changes the table meanwhile
            counted = json_responses.PATCHES[0].installed  # else no action is counted
            if counted and self._table is not None and self._table[0] == Changes.count:
                return self._table[1]
            count = Changes.count
            items = [item.to_json()["Attributes"] for item in table.all_items()]
            compact_items.settle()  # reading decoded every item: packed again, as a request leaves them
        text = json.dumps(items).encode()
        self._table = (count, text)
        return text

    def _pool(self) -> Any:
        return cognitoidp_backends[ACCOUNT_ID][REGION].user_pools[self.stack.user_pool_id]

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
            for user in list(self._pool().users.values())
        ]

    def _pool_state(self) -> dict[str, Any]:
        pool = self._pool()
        codes = self._cognito.pending_codes(pool.id) if self._cognito else {}
        return {"instance": self.instance, "refreshTokens": dict(pool.refresh_tokens), "codes": codes}

    def _queued(self) -> dict[str, list[dict[str, Any]]]:
        """Every queue's messages, visible or in flight, by queue name."""
        queued: dict[str, list[dict[str, Any]]] = {}
        for name, queue in list(sqs_backends[ACCOUNT_ID][REGION].queues.items()):
            with queue._messages_lock:
                messages = list(queue._messages)
            if messages:
                queued[name] = [{"body": m.body, "attributes": m.message_attributes} for m in messages]
        return queued

    def _subscriptions(self) -> list[dict[str, Any]]:
        return [
            {
                "arn": s.arn,
                "topicArn": s.topic.arn,
                "protocol": s.protocol,
                "endpoint": s.endpoint,
                "settings": {name: s.attributes[name] for name in SUBSCRIPTION_SETTINGS if name in s.attributes},
            }
            for s in list(sns_backends[ACCOUNT_ID][REGION].subscriptions.values())
        ]

    def _media_index(self) -> dict[str, dict[str, Any]]:
        """The bucket's objects (ETag and size, as ListObjectsV2 gives them), read from moto's bucket.

        ListObjectsV2 over HTTP (XML out, XML and timestamps parsed back) took a sixth of the
        emulator's CPU with 1,100 objects, every 3 seconds; moto's own listing reads these
        same keys (a copy of the bucket's dict, safe while requests change it)."""
        bucket = s3_backends[ACCOUNT_ID]["aws"].get_bucket(self.stack.media_bucket)
        return {
            key.name: {"etag": key.etag, "size": key.size}
            for key in bucket.keys.values()
            if isinstance(key, FakeKey)  # not a delete marker
        }

    def _save_media(self, index: dict[str, dict[str, Any]]) -> None:
        """Objects are written once (keys are never reused with other content: each upload has its own)."""
        s3 = self._client("s3")
        known = self._read_json(MEDIA_INDEX, {})
        for key, entry in index.items():
            path = self._media_path(key)
            if known.get(key, {}).get("etag") == entry["etag"] and path.exists():
                continue
            obj = s3.get_object(Bucket=self.stack.media_bucket, Key=key)
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
        started = time.monotonic()
        items = self._restore_table()
        accounts = self._restore_users()
        self._restore_pool_state()
        files = self._restore_media()
        messages = self._restore_queued()
        subscriptions = self._restore_subscriptions()
        log.warning(
            "restored %d items, %d accounts, %d files, %d queued messages, %d subscriptions from %s in %.1f s",
            items,
            accounts,
            files,
            messages,
            subscriptions,
            self.directory,
            time.monotonic() - started,
        )

    def _restore_table(self) -> int:
        """Into moto's table directly, as `_table_text` reads it: through the API (BatchWriteItem,
        25 items a call, each validated and serialized by botocore, then parsed by moto) a kept
        catalog of 1,000 songs added 5.7 s to every start. moto's own `put_item` still keeps the
        indexes (moto_fixes.indexes), and the items are packed as a request leaves them.
        The table then holds what the file says: until a DynamoDB action changes it, a snapshot
        takes that text instead of decoding every item to write it again."""
        path = self.directory / TABLE_FILE
        text = path.read_bytes() if path.exists() else b"[]"
        items = json.loads(text)
        backend = dynamodb_backends[ACCOUNT_ID][REGION]
        with DYNAMODB_LOCK:
            for count, item in enumerate(items, start=1):
                backend.put_item(self.stack.table_name, item)
                if count % RESTORE_SETTLE_EVERY == 0:
                    compact_items.settle()  # bounded: the decoded form of at most this many items at once
            compact_items.settle()
            self._table = (Changes.count, text)
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

    def _restore_pool_state(self) -> None:
        saved = self._read_json(POOL_FILE, {})
        pool = self._pool()
        pool.refresh_tokens.update(
            {token: tuple(session) if session else None for token, session in saved.get("refreshTokens", {}).items()}
        )
        if self._cognito:
            self._cognito.restore_codes(pool.id, saved.get("codes", {}))

    def _restore_media(self) -> int:
        """Straight into moto's bucket, without the S3 notifications a PUT sends: nothing to reprocess."""
        s3 = s3_backends[ACCOUNT_ID]["aws"]
        index = self._read_json(MEDIA_INDEX, {})
        for key, entry in index.items():
            body = self._media_path(key).read_bytes()
            stored = s3.put_object(self.stack.media_bucket, key, body, disable_notification=True)
            stored.set_metadata({"Content-Type": entry.get("contentType") or "binary/octet-stream"})
        return len(index)

    def _restore_queued(self) -> int:
        sqs = self._client("sqs")
        queues = sqs_backends[ACCOUNT_ID][REGION].queues
        restored = 0
        for name, messages in self._read_json(QUEUES_FILE, {}).items():
            if name not in queues:
                continue  # a queue the stack no longer has
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            for start in range(0, len(messages), 10):
                entries = [
                    {"Id": str(n), "MessageBody": m["body"]}
                    | ({"MessageAttributes": m["attributes"]} if m["attributes"] else {})
                    for n, m in enumerate(messages[start : start + 10])
                ]
                sqs.send_message_batch(QueueUrl=url, Entries=entries)
                restored += len(entries)
        return restored

    def _restore_subscriptions(self) -> int:
        """Each with its old ARN, which profiles hold (to unsubscribe), and its settings."""
        sns = sns_backends[ACCOUNT_ID][REGION]
        saved = [s for s in self._read_json(SUBSCRIPTIONS_FILE, []) if s["topicArn"] in sns.topics]
        for entry in saved:
            subscription = sns.subscribe(entry["topicArn"], entry["endpoint"], entry["protocol"])
            del sns.subscriptions[subscription.arn]
            subscription.arn = subscription.attributes["SubscriptionArn"] = entry["arn"]
            sns.subscriptions[entry["arn"]] = subscription
            for name in SUBSCRIPTION_SETTINGS:
                if name in entry["settings"]:
                    sns.set_subscription_attributes(entry["arn"], name, entry["settings"][name])
        return len(saved)

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
