"""The AppSync API: the committed SDL, its auth modes and limits, and one resolver per Lambda field.

The resolvers come from `schema.LAMBDA_FIELDS` and `schema.FILTERED_SUBSCRIPTIONS`, the
same lists the emulator binds, so no field is left unresolved; limits come from
`schema/limits.py`, which the emulator reads too.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Duration, Expiration, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import acknowledge
from infra.names import Stage
from schema import FILTERED_SUBSCRIPTIONS, LAMBDA_FIELDS, NONE_FIELDS, SDL_PATH
from schema.filtered_subscription import invalidations
from schema.limits import MAX_BATCH_SIZE, QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT

RESOLVER_CODE = Path(__file__).with_name("lambda_resolver.js").read_text()
NONE_RESOLVER_CODE = Path(__file__).with_name("none_resolver.js").read_text()
SUBSCRIPTION_FILTER_CODE = Path(__file__).with_name("subscription_filter_resolver.js").read_text()
INVALIDATING_RESOLVER_CODE = Path(__file__).with_name("invalidating_resolver.js").read_text()


class MusicApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: Stage,
        user_pool: cognito.IUserPool,
        web_client: cognito.IUserPoolClient,
        api_function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = appsync.GraphqlApi(
            self,
            "Api",
            name=f"{stage.prefix}-api",
            definition=appsync.Definition.from_file(str(SDL_PATH)),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.USER_POOL,
                    user_pool_config=appsync.UserPoolConfig(
                        user_pool=user_pool, app_id_client_regex=f"^{web_client.user_pool_client_id}$"
                    ),
                ),
                additional_authorization_modes=[
                    # Guests (register, confirm, login). Each deploy moves the expiry a year ahead.
                    appsync.AuthorizationMode(
                        authorization_type=appsync.AuthorizationType.API_KEY,
                        api_key_config=appsync.ApiKeyConfig(
                            description="Guests: sign-up and sign-in only (@aws_api_key fields)",
                            expires=Expiration.after(Duration.days(365)),
                        ),
                    ),
                    # The backend itself (@aws_iam fields, e.g. publishing new releases).
                    appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM),
                ],
            ),
            log_config=appsync.LogConfig(
                field_log_level=appsync.FieldLogLevel.ERROR,
                retention=logs.RetentionDays.ONE_YEAR if stage.production else logs.RetentionDays.TWO_WEEKS,
            ),
            xray_enabled=True,
            query_depth_limit=QUERY_DEPTH_LIMIT,
            resolver_count_limit=RESOLVER_COUNT_LIMIT,
            introspection_config=(
                appsync.IntrospectionConfig.DISABLED if stage.production else appsync.IntrospectionConfig.ENABLED
            ),
        )
        acknowledge(
            self.api,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSAppSyncPushToCloudWatchLogs]",
            "AWS's managed policy for AppSync's own request logging",
        )
        # The log group's retention is set by CDK's shared log-retention function.
        retention = next(c for c in Stack.of(self).node.children if c.node.id.startswith("LogRetention"))
        acknowledge(
            retention,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's log-retention helper function logs with the basic execution policy",
        )
        acknowledge(
            retention, "IAM5[Resource::*]", "CDK's log-retention helper sets retention on log groups named at run time"
        )
        lambda_source = self.api.add_lambda_data_source("ApiFunction", api_function)
        acknowledge(
            lambda_source,
            f"IAM5[Resource::<{self._logical_id(api_function)}.Arn>:*]",
            "CDK's invoke grant covers the function's versions and aliases; it is this one function only",
        )
        invalidated = invalidations(FILTERED_SUBSCRIPTIONS)
        for field in LAMBDA_FIELDS:
            ends = invalidated.get(field.field_name) if field.type_name == "Mutation" else None
            code = INVALIDATING_RESOLVER_CODE.replace("__SUBSCRIPTIONS__", json.dumps(ends)) if ends else RESOLVER_CODE
            self._resolver(
                field.type_name,
                field.field_name,
                lambda_source,
                code.replace("__OPERATION__", "BatchInvoke" if field.batch else "Invoke"),
                max_batch_size=MAX_BATCH_SIZE if field.batch else None,
            )
        # Subscriptions whose filter the function returns when a client subscribes (enhanced filtering).
        for subscription in FILTERED_SUBSCRIPTIONS:
            self._resolver(subscription.type_name, subscription.field_name, lambda_source, SUBSCRIPTION_FILTER_CODE)
        none_source = self.api.add_none_data_source("Backend", description="Fields whose result is their argument")
        for none in NONE_FIELDS:
            self._resolver(
                none.type_name, none.field_name, none_source, NONE_RESOLVER_CODE.replace("__PAYLOAD__", none.payload)
            )

    def _resolver(
        self,
        type_name: str,
        field_name: str,
        source: appsync.BaseDataSource,
        code: str,
        max_batch_size: int | None = None,
    ) -> None:
        """One APPSYNC_JS unit resolver for one field of the schema."""
        appsync.Resolver(
            self,
            f"{type_name}{field_name[0].upper()}{field_name[1:]}",
            api=self.api,
            type_name=type_name,
            field_name=field_name,
            data_source=source,
            runtime=appsync.FunctionRuntime.JS_1_0_0,
            code=appsync.Code.from_inline(code),
            max_batch_size=max_batch_size,
        )

    @staticmethod
    def _logical_id(function: lambda_.IFunction) -> str:
        return Stack.of(function).get_logical_id(function.node.default_child)  # type: ignore[arg-type]

    @property
    def realtime_url(self) -> str:
        cfn: appsync.CfnGraphQLApi = self.api.node.default_child  # type: ignore[assignment]
        return cfn.attr_realtime_url
