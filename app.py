"""CDK entry point: `python app.py` (or `cdk synth -c stage=prod`) synthesizes offline."""

from __future__ import annotations

import aws_cdk as cdk

from infra.nag import enable_checks
from infra.names import STAGES
from infra.stack import MusicStack


def build_app(stage_name: str | None = None) -> cdk.App:
    app = cdk.App()
    name = stage_name or app.node.try_get_context("stage") or "dev"
    if name not in STAGES:
        raise SystemExit(f"unknown stage {name!r}: use one of {', '.join(STAGES)}")
    stage = STAGES[name]
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
