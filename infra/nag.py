"""cdk-nag's AwsSolutions checks, and the one helper every acknowledged finding goes through.

Checks run at synthesis: an unacknowledged finding fails `cdk synth` and the tests. Each
acknowledgement sits next to the resource it concerns and says why.
"""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def enable_checks(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Accept one AwsSolutions finding on `scope` (and below), with the reason it is acceptable."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=f"AwsSolutions-{rule}", reason=reason))
