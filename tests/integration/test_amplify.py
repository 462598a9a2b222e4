"""Amplify JS, as a frontend uses it, against the local API: tests/frontend/amplify_auth.test.mjs.

The Node test configures Amplify from /amplify_outputs.json (HTTPS, the local CA trusted through
NODE_EXTRA_CA_CERTS), signs up, confirms with the mailed code, signs in with SRP (Amplify's
default) and with USER_PASSWORD_AUTH, is refused a wrong password either way, refreshes, calls
the API with the access token and with the API key, receives over wss exactly the release of a
followed artist through onMyNewContent (and not another's), and signs out. It runs under `node --test` with
the pinned aws-amplify (package-lock.json); this test starts it against the session's emulator
so that `make test` runs it, and fails with Node's report when any of it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

from tests.integration.conftest import Api
from tests.media_files import wav

ROOT = Path(__file__).resolve().parents[2]
NODE_TEST = ROOT / "tests/frontend/amplify_auth.test.mjs"
NODE_TIMEOUT_SECONDS = 180


def websocket_flag(node: str) -> list[str]:
    """Amplify's subscriptions use the global WebSocket a browser has; Node has it from 22 on, and
    Node 20 behind a flag (a frontend's Node tests would add the same flag or a polyfill)."""
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    return ["--experimental-websocket"] if int(version.lstrip("v").split(".")[0]) < 22 else []


def test_amplify_auth_and_api_against_the_local_pool(local_api: Api, tmp_path: Path) -> None:
    local_api.local_only()  # the Node test reads confirmation codes from the local outbox
    # Trust the local CA the way the README tells a frontend developer to: NODE_EXTRA_CA_CERTS.
    with urllib.request.urlopen(f"{local_api.base}/local-ca.pem", timeout=10) as response:
        (tmp_path / "local-ca.pem").write_bytes(response.read())
    (tmp_path / "tone.wav").write_bytes(wav(1.0))  # the audio the Node test releases
    node = shutil.which("node")
    assert node, "Node.js is needed for the frontend test"
    assert (ROOT / "node_modules/aws-amplify/package.json").exists(), "run `make setup` to install aws-amplify"
    run = subprocess.run(
        [node, *websocket_flag(node), "--test", "--test-reporter=tap", str(NODE_TEST)],
        cwd=ROOT,
        env={
            **os.environ,
            "EMULATOR_URL": str(local_api.base),
            "NODE_EXTRA_CA_CERTS": str(tmp_path / "local-ca.pem"),
            "AMPLIFY_WAV": str(tmp_path / "tone.wav"),
        },
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    assert run.returncode == 0, f"the Amplify test failed:\n{run.stdout}\n{run.stderr}"
    assert "\n# fail 0" in run.stdout and "\n# pass 0" not in run.stdout, run.stdout
