"""The Lambda code asset ships bytecode compiled by the runtime's own Python, or none at all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infra.functions import CompiledCode

UNCHECKED_HASH = 0b01  # PEP 552: hash-based, source never checked


def test_with_the_runtimes_python_every_module_ships_its_bytecode(tmp_path: Path) -> None:
    """Here this Python stands in for the runtime's (CDK looks for python3.14 on PATH)."""
    CompiledCode(sys.executable).try_bundle(str(tmp_path), None)
    sources = sorted((tmp_path / "resolvers").rglob("*.py"))
    assert (tmp_path / "resolvers" / "handlers" / "api.py") in sources
    tag = sys.implementation.cache_tag
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        header = compiled.read_bytes()[:8]
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, compiled
    assert not list((tmp_path / "resolvers").rglob("*.pyc.*")), "nothing but the asset's own bytecode"


def test_without_the_runtimes_python_the_asset_ships_sources_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    CompiledCode("python3.999").try_bundle(str(tmp_path), None)
    assert (tmp_path / "resolvers" / "handlers" / "api.py").exists()
    assert not list(tmp_path.rglob("*.pyc")), "bytecode of another Python would only be ignored"
    assert "without bytecode" in capsys.readouterr().err
