"""Python Lambda functions built from `resolvers/` with no Docker bundling.

The asset is the project root filtered down to `resolvers/`: handlers import
`resolvers.…` exactly as tests and the emulator do. boto3 comes with the runtime,
Powertools (with the X-Ray SDK) from AWS's public layer, and the few packages in
`resolvers/requirements.txt` from a layer that pip builds locally at synthesis: they
are pure Python wheels, so no Docker image is needed to match Lambda's platform. The code
asset carries bytecode compiled by the runtime's Python when synthesis finds it (`CompiledCode`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.bytecode import bundle_code
from infra.nag import acknowledge
from infra.names import POWERTOOLS_VERSION, PYTHON_RUNTIME, SERVICE, Stage

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = lambda_.Runtime.PYTHON_3_14
assert RUNTIME.name == PYTHON_RUNTIME, "the Powertools layer must match the runtime"
# Everything but the Lambda code: the asset holds resolvers/ and nothing else.
ASSET_EXCLUDE = ["*", ".*", "!resolvers", "!resolvers/**", "resolvers/**/__pycache__", "resolvers/**/*.pyc"]


@jsii.implements(cdk.ILocalBundling)
class CompiledCode:
    """Local bundling of the code asset: `resolvers/` with bytecode from the runtime's own
    Python when synthesis finds it on PATH (`infra/bytecode.py`)."""

    def __init__(self, interpreter: str = PYTHON_RUNTIME) -> None:
        self.interpreter = interpreter

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        bundle_code(Path(output_dir), self.interpreter)
        return True


def code_asset() -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(ROOT),
        exclude=ASSET_EXCLUDE,
        bundling=cdk.BundlingOptions(
            image=cdk.DockerImage.from_registry("unused-local-bundling-only"), local=CompiledCode()
        ),
    )


@jsii.implements(cdk.ILocalBundling)
class PipInstall:
    """Local bundling: `pip install` the requirements for Lambda's platform into a layer."""

    def __init__(self, requirements: Path) -> None:
        self.requirements = requirements

    def try_bundle(self, output_dir: str, options: Any) -> bool:
        subprocess.run(  # noqa: S603 - our own interpreter and pinned requirements
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-compile",
                "--disable-pip-version-check",
                "--target",
                f"{output_dir}/python",
                "--requirement",
                str(self.requirements),
                "--platform",
                "manylinux2014_aarch64",
                "--implementation",
                "cp",
                "--python-version",
                PYTHON_RUNTIME.removeprefix("python"),
                "--only-binary=:all:",
            ],
            check=True,
        )
        return True


def dependencies_layer(scope: Construct) -> lambda_.ILayerVersion:
    """One layer per stack with `resolvers/requirements.txt` installed, shared by every function."""
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child("Dependencies")
    if existing is not None:
        return existing  # type: ignore[return-value]
    requirements = ROOT / "resolvers" / "requirements.txt"
    return lambda_.LayerVersion(
        stack,
        "Dependencies",
        description="Packages from resolvers/requirements.txt",
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[lambda_.Architecture.ARM_64],
        code=lambda_.Code.from_asset(
            str(requirements.parent),
            exclude=["*", f"!{requirements.name}"],
            bundling=cdk.BundlingOptions(
                image=cdk.DockerImage.from_registry("unused-local-bundling-only"), local=PipInstall(requirements)
            ),
        ),
    )


class PythonFunction(Construct):
    """One function with a role of its own: arm64, current Python, Powertools layer, JSON logs, X-Ray.

    The role grants only writing to the function's own log group and X-Ray; callers add
    their data grants (`table.grant_…(function)`), so no function holds another's rights.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        handler: str,
        description: str,
        environment: dict[str, str] | None = None,
        memory_size: int = 512,
        timeout: Duration | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        layer_arn = ssm.StringParameter.value_for_string_parameter(
            self, f"/aws/service/powertools/python/arm64/{PYTHON_RUNTIME}/{POWERTOOLS_VERSION}"
        )
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=logs.RetentionDays.ONE_YEAR if stage.production else logs.RetentionDays.TWO_WEEKS,
            # A dev stack leaves nothing behind; production keeps its logs after the stack.
            removal_policy=cdk.RemovalPolicy.RETAIN if stage.production else cdk.RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=description,
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            role=self.role,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code_asset(),
            memory_size=memory_size,
            timeout=timeout or Duration.seconds(10),
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=log_group,
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", layer_arn),
                dependencies_layer(self),
            ],
            environment={
                "POWERTOOLS_SERVICE_NAME": SERVICE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **(environment or {}),
            },
        )
        acknowledge(
            self.role,
            "IAM5[Resource::*]",
            "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions",
        )
