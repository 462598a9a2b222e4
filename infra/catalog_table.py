"""The single DynamoDB table, built from `resolvers/table_layout.py` like the emulator's."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.nag import acknowledge
from infra.names import Stage
from resolvers.table_layout import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, key_type


def _key(name: str) -> dynamodb.Attribute:
    kind = dynamodb.AttributeType.NUMBER if key_type(name) == "N" else dynamodb.AttributeType.STRING
    return dynamodb.Attribute(name=name, type=kind)


class CatalogTable(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.TableV2(
            self,
            "Table",
            partition_key=_key(PARTITION_KEY),
            sort_key=_key(SORT_KEY),
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            deletion_protection=stage.production,
            time_to_live_attribute=TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.RETAIN if stage.production else RemovalPolicy.DESTROY,
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=name,
                    partition_key=_key(pk),
                    sort_key=_key(sk),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
                for name, (pk, sk) in INDEXES.items()
            ],
        )

    def grant_read_write(self, function_role: iam.IRole) -> None:
        """Item and index access to this table only (the index ARNs end in a wildcard)."""
        self.table.grant_read_write_data(function_role)
        logical_id = Stack.of(self).get_logical_id(self.table.node.default_child)  # type: ignore[arg-type]
        acknowledge(
            function_role,
            f"IAM5[Resource::<{logical_id}.Arn>/index/*]",
            "Queries on this table's own indexes; DynamoDB names each index under the table's ARN",
        )
