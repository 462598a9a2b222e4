"""Amplify JS, as a frontend uses it, against the local API: tests/frontend/amplify_auth.test.mjs.

The Node test signs up, confirms with the mailed code, signs in with SRP (Amplify's default)
and with USER_PASSWORD_AUTH, is refused a wrong password either way, refreshes, calls the API
with the access token and with the API key, and signs out. It runs under `node --test` with
the pinned aws-amplify (package-lock.json); this test starts it against the session's emulator
so that `make test` runs it, and fails with Node's report when any of it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.integration.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
NODE_TEST = ROOT / "tests/frontend/amplify_auth.test.mjs"
NODE_TIMEOUT_SECONDS = 180


def test_amplify_auth_and_api_against_the_local_pool(local_api: Api) -> None:
    local_api.local_only()  # the Node test reads confirmation codes from the local outbox
    node = shutil.which("node")
    assert node, "Node.js is needed for the frontend test"
    assert (ROOT / "node_modules/aws-amplify/package.json").exists(), "run `make setup` to install aws-amplify"
    run = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(NODE_TEST)],
        cwd=ROOT,
        env={**os.environ, "EMULATOR_URL": str(local_api.base)},
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    assert run.returncode == 0, f"the Amplify test failed:\n{run.stdout}\n{run.stderr}"
    assert "\n# fail 0" in run.stdout and "\n# pass 0" not in run.stdout, run.stdout
