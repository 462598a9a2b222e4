"""Synthesize each stage once per test session: a synth costs seconds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from aws_cdk.assertions import Template


@dataclass(frozen=True)
class Synthesized:
    template: Template
    template_path: Path
    assembly_dir: Path


def _synth(stage: str) -> Synthesized:
    from app import build_app  # noqa: PLC0415 - jsii starts node on import: only when infra tests run

    app = build_app(stage)
    assembly = app.synth()
    stack = assembly.stacks[0]
    return Synthesized(
        Template.from_json(stack.template), Path(assembly.directory) / stack.template_file, Path(assembly.directory)
    )


@pytest.fixture(scope="session")
def dev() -> Synthesized:
    return _synth("dev")


@pytest.fixture(scope="session")
def prod() -> Synthesized:
    return _synth("prod")
