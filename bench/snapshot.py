"""What `--data-dir` costs with the demo catalog: restore time, snapshot time and size.

    python -m bench.snapshot [--listeners 0]

Runs `python -m emulator --seed demo --data-dir <tmp>` until READY (with `--listeners`,
that many extra accounts registered, each following a genre and rating every song), and
stops it: that writes the directory. Then, in this process, a fresh AWS emulation is
provisioned for the same directory and timed: restoring it, the check every few seconds
when nothing changed (read everything, compare, write nothing), and a full snapshot.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from emulator import aws, launcher
from emulator.lambdas import Functions
from emulator.outbox import Outbox
from emulator.persistence import LocalState
from emulator.seed import ADMIN

ROUNDS = 5


REGISTER = (
    'mutation($e: AWSEmail!, $p: String!) { register(email: $e, password: $p, displayName: "Bench") { userConfirmed } }'
)
CONFIRM = "mutation($e: AWSEmail!, $c: String!) { confirmRegistration(email: $e, code: $c) }"
LOGIN = "mutation($e: AWSEmail!, $p: String!) { login(email: $e, password: $p) { idToken } }"
RATE = "mutation($s: ID!) { rateSong(songId: $s, stars: 4) { stars } }"


def _call(base: str, document: str, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
    response = requests.post(
        f"{base}/graphql", json={"query": document, "variables": variables}, headers=headers, timeout=30
    )
    result = response.json()
    assert not result.get("errors"), result
    return result["data"]


def _listen(base: str, count: int) -> None:
    """Extra listeners, each following jazz and rating every playable song."""
    guest = {"x-api-key": requests.get(f"{base}/config", timeout=10).json()["apiKey"]}
    admin = {"authorization": _call(base, LOGIN, guest, e=ADMIN["email"], p=ADMIN["password"])["login"]["idToken"]}
    songs = [s["id"] for s in _call(base, "{ songs(limit: 100) { items { id } } }", admin)["songs"]["items"]]
    for n in range(count):
        email, password = f"bench-{n}@example.com", "Bench-1-listener!"
        _call(base, REGISTER, guest, e=email, p=password)
        code = requests.get(f"{base}/outbox", params={"to": email}, timeout=10).json()[-1]["code"]
        _call(base, CONFIRM, guest, e=email, c=code)
        listener = {"authorization": _call(base, LOGIN, guest, e=email, p=password)["login"]["idToken"]}
        _call(base, 'mutation { follow(input: {genre: "jazz"}) { genre } }', listener)
        for song in songs:
            _call(base, RATE, listener, s=song)


def _timed(action: Any) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.snapshot")
    parser.add_argument("--listeners", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "state"
        process, base = launcher.start("--seed", "demo", "--data-dir", str(directory))
        try:
            _listen(base, args.listeners)
            time.sleep(5)  # the feed and release queues settle
        finally:
            launcher.stop(process)  # the last snapshot

        state = LocalState(directory)
        embedded = aws.EmbeddedAws(Outbox(), Functions(), instance=state.instance)
        state.attach(embedded.start(), embedded.cognito)
        try:
            restore_ms = _timed(state.restore)
            state.save()
            unchanged = sorted(_timed(state.save) for _ in range(ROUNDS))
            full = []
            for _ in range(ROUNDS):
                state._last = state._table = None  # as if something changed (the table is read again)
                full.append(_timed(state.save))
        finally:
            embedded.stop()
        files = [p for p in directory.rglob("*") if p.is_file()]
        items = len(json.loads((directory / "table.json").read_text()))
        users = len(json.loads((directory / "users.json").read_text()))
        size = sum(p.stat().st_size for p in files) / 1e6
    print(f"demo catalog + {args.listeners} listeners: {items} items, {users} accounts, {len(files)} files")
    print(f"data directory: {size:.2f} MB")
    print(f"restore into a fresh emulation: {restore_ms:.0f} ms")
    print(f"periodic check, nothing changed (median of {ROUNDS}): {unchanged[ROUNDS // 2]:.0f} ms")
    print(f"snapshot written (median of {ROUNDS}): {sorted(full)[ROUNDS // 2]:.0f} ms")


if __name__ == "__main__":
    main()
