"""CDK entry point: `python app.py` (or `cdk synth -c stage=prod`) synthesizes offline."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from infra.nag import enable_checks
from infra.names import STAGES
from infra.stack import MusicStack

CDK_JSON = Path(__file__).resolve().with_name("cdk.json")


def cdk_json_context() -> dict[str, Any]:
    """The context (feature flags) of cdk.json.

    The CLI hands it to the app; `python app.py` and the tests do not run through the CLI,
    so the app reads it itself. All three then synthesize the same template. Context
    given on the command line (`-c stage=prod`) still wins: it arrives after these defaults.
    """
    return json.loads(CDK_JSON.read_text())["context"]


def build_app(stage_name: str | None = None) -> cdk.App:
    app = cdk.App(context=cdk_json_context())
    name = stage_name or app.node.try_get_context("stage") or "dev"
    if name not in STAGES:
        raise SystemExit(f"unknown stage {name!r}: use one of {', '.join(STAGES)}")
    stage = STAGES[name]
    if str(app.node.try_get_context("autoTranscribeLyrics")).lower() == "true":
        stage = dataclasses.replace(stage, auto_transcribe_lyrics=True)
    MusicStack(
        app,
        f"Music-{stage.name}",
        stage=stage,
        description=f"Cloud Music Platform ({stage.name})",
        termination_protection=stage.production,
    )
    enable_checks(app)
    return app


if __name__ == "__main__":
    build_app().synth()
