"""The launcher tests and benchmarks start emulators with: a port taken meanwhile is not a failure."""

from __future__ import annotations

import socket

import pytest
import requests

from emulator import launcher


def test_a_port_taken_before_the_emulator_binds_it_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1], launcher.free_port()])
        monkeypatch.setattr(launcher, "free_port", lambda: next(ports))
        process, base = launcher.start()
        try:
            assert base.endswith(f":{process.args[4]}") and process.args[4] != str(taken.getsockname()[1])
            assert requests.get(f"{base}/config", timeout=10).ok
        finally:
            launcher.stop(process)
