"""Python Lambda functions built from `resolvers/` with no Docker bundling.

The asset is the project root filtered down to `resolvers/`: handlers import
`resolvers.…` exactly as tests and the emulator do. boto3 comes with the runtime and
Powertools (with the X-Ray SDK) from AWS's public layer, so nothing needs building.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.names import POWERTOOLS_VERSION, PYTHON_RUNTIME, SERVICE, Stage

ROOT = Path(__file__).resolve().parent.parent
# Everything but the Lambda code: the asset holds resolvers/ and nothing else.
ASSET_EXCLUDE = ["*", ".*", "!resolvers", "!resolvers/**", "resolvers/**/__pycache__", "resolvers/**/*.pyc"]


def code_asset() -> lambda_.Code:
    return lambda_.Code.from_asset(str(ROOT), exclude=ASSET_EXCLUDE)


class PythonFunction(Construct):
    """One function: arm64, the pinned Python runtime, Powertools layer, JSON logs, X-Ray."""

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
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code_asset(),
            memory_size=memory_size,
            timeout=timeout or Duration.seconds(10),
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            log_group=log_group,
            layers=[lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", layer_arn)],
            environment={
                "POWERTOOLS_SERVICE_NAME": SERVICE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **(environment or {}),
            },
        )
