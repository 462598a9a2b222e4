"""What the synthesized CloudFormation promises, for each concern of the stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match
from graphql import build_schema

from app import build_app
from resolvers.table_layout import INDEXES
from schema import FILTERED_SUBSCRIPTIONS, LAMBDA_FIELDS, NONE_FIELDS, SDL_PATH
from schema.limits import QUERY_DEPTH_LIMIT, RESOLVER_COUNT_LIMIT
from tests.infra.conftest import Synthesized
from tests.test_schema import APPSYNC_DEFINITIONS


def test_table_keys_indexes_and_recovery(dev: Synthesized) -> None:
    dev.template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": Match.array_with([Match.object_like({"IndexName": name}) for name in INDEXES]),
            "Replicas": [Match.object_like({"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})],
        },
    )


def test_user_pool_groups_and_web_client(dev: Synthesized) -> None:
    dev.template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "LambdaConfig": {"PostConfirmation": Match.any_value()},
            "Policies": {"PasswordPolicy": Match.object_like({"MinimumLength": 8})},
        },
    )
    groups = dev.template.find_resources("AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == ["admin", "users"]
    dev.template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "ExplicitAuthFlows": Match.array_with(
                ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            ),
            "GenerateSecret": False,
        },
    )


def test_functions_are_arm64_python_with_powertools_and_tracing(dev: Synthesized) -> None:
    functions = dev.template.find_resources("AWS::Lambda::Function")
    handlers = {f["Properties"]["Handler"] for f in functions.values()}
    assert {"resolvers.handlers.api.handler", "resolvers.handlers.post_confirmation.handler"} <= handlers
    for function in functions.values():
        properties = function["Properties"]
        if not properties["Handler"].startswith("resolvers."):
            continue  # CDK's own helper functions
        assert properties["Runtime"] == "python3.14"
        assert properties["Architectures"] == ["arm64"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        powertools, dependencies = properties["Layers"]
        assert "powertools" in powertools["Ref"].lower()
        assert dependencies["Ref"].startswith("Dependencies")
        assert "TABLE_NAME" in properties["Environment"]["Variables"]


def test_api_auth_modes_and_limits(dev: Synthesized, prod: Synthesized) -> None:
    dev.template.has_resource_properties(
        "AWS::AppSync::GraphQLApi",
        {
            "AuthenticationType": "AMAZON_COGNITO_USER_POOLS",
            "AdditionalAuthenticationProviders": [
                {"AuthenticationType": "API_KEY"},
                {"AuthenticationType": "AWS_IAM"},
            ],
            "QueryDepthLimit": QUERY_DEPTH_LIMIT,
            "ResolverCountLimit": RESOLVER_COUNT_LIMIT,
            "IntrospectionConfig": "ENABLED",
            "XrayEnabled": True,
        },
    )
    prod.template.has_resource_properties("AWS::AppSync::GraphQLApi", {"IntrospectionConfig": "DISABLED"})
    dev.template.resource_count_is("AWS::AppSync::ApiKey", 1)


def test_every_lambda_field_has_exactly_one_resolver(dev: Synthesized) -> None:
    resolvers = dev.template.find_resources("AWS::AppSync::Resolver")
    none = {(f.type_name, f.field_name) for f in NONE_FIELDS}
    resolvers = {
        k: r for k, r in resolvers.items() if (r["Properties"]["TypeName"], r["Properties"]["FieldName"]) not in none
    }
    wired = [(r["Properties"]["TypeName"], r["Properties"]["FieldName"]) for r in resolvers.values()]
    expected = [(f.type_name, f.field_name) for f in [*LAMBDA_FIELDS, *FILTERED_SUBSCRIPTIONS]]
    assert sorted(wired) == sorted(expected)
    schema = build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())
    for type_name, field_name in wired:
        assert field_name in schema.type_map[type_name].fields, f"{type_name}.{field_name} is not in the SDL"
    for resolver in resolvers.values():
        properties = resolver["Properties"]
        batch = next(
            (
                f.batch
                for f in LAMBDA_FIELDS
                if (f.type_name, f.field_name) == (properties["TypeName"], properties["FieldName"])
            ),
            False,  # a filtered subscription's resolver: invoked once per subscribe
        )
        assert ("BatchInvoke" in properties["Code"]) == batch
        assert ("MaxBatchSize" in properties) == batch


def test_schema_deployed_is_the_committed_sdl(dev: Synthesized) -> None:
    dev.template.has_resource_properties("AWS::AppSync::GraphQLSchema", {"Definition": SDL_PATH.read_text()})


def test_lambda_asset_holds_only_the_resolvers(dev: Synthesized) -> None:
    functions = dev.template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "resolvers.handlers.api.handler"}}
    )
    (api,) = functions.values()
    asset_hash = api["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    asset_dir = dev.assembly_dir / f"asset.{asset_hash}"
    top_level = sorted(p.name for p in asset_dir.iterdir())
    assert top_level == ["resolvers"]
    files = [p for p in (asset_dir / "resolvers").rglob("*") if p.is_file()]
    assert any(p.name == "api.py" for p in files)
    assert not any("__pycache__" in p.parts for p in files)


def test_prod_protects_its_data(prod: Synthesized) -> None:
    prod.template.has_resource(
        "AWS::DynamoDB::GlobalTable",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like({"Replicas": [Match.object_like({"DeletionProtectionEnabled": True})]}),
        },
    )
    prod.template.has_resource_properties("AWS::Cognito::UserPool", {"DeletionProtection": "ACTIVE"})


def test_outputs_tell_a_client_where_to_connect(dev: Synthesized) -> None:
    outputs = dev.template.find_outputs("*")
    assert {"GraphqlUrl", "RealtimeUrl", "UserPoolId", "UserPoolClientId", "Region"} <= set(outputs)


def test_cfn_lint_finds_no_errors_or_warnings(dev: Synthesized, prod: Synthesized) -> None:
    """One cfn-lint process for both stages: it takes seconds to start."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    templates = [str(synthesized.template_path) for synthesized in (dev, prod)]
    result = subprocess.run(
        # W3005 (a DependsOn that a GetAtt already implies) is how CDK orders policies before use.
        [str(cfn_lint), "--format", "json", "--ignore-checks", "W3005", "--", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip().startswith("["), result.stderr
    assert json.loads(result.stdout) == [], result.stdout
    assert result.returncode == 0


def test_cdk_nag_fails_synthesis_on_an_unacknowledged_finding() -> None:
    """Our stacks synthesize (the fixtures), so every finding in them is acknowledged."""
    app = build_app("dev")
    (stack,) = [c for c in app.node.children if isinstance(c, Stack)]
    s3.Bucket(stack, "CarelessBucket")  # no TLS enforcement, no access logs
    with pytest.raises(RuntimeError, match=r"ValidationFailed: ERROR .*\(AwsSolutions\)"):
        app.synth()


def test_web_client_is_private_behind_cloudfront(dev: Synthesized) -> None:
    dev.template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    dev.template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "DefaultRootObject": "index.html",
                    "DefaultCacheBehavior": Match.object_like({"ViewerProtocolPolicy": "redirect-to-https"}),
                    "CustomErrorResponses": Match.array_with(
                        [Match.object_like({"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"})]
                    ),
                }
            )
        },
    )
    buckets = dev.template.find_resources("AWS::S3::Bucket")
    for bucket in buckets.values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }


def test_errors_raise_alarms_to_an_encrypted_topic(dev: Synthesized) -> None:
    dev.template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    alarms = dev.template.find_resources("AWS::CloudWatch::Alarm")
    metrics = sorted(a["Properties"]["MetricName"] for a in alarms.values())
    # DLQs: uploads, cleanup, new content, feed, lyrics events, plays; functions: API, sign-up,
    # processor, cleanup, fan-out, feed, lyrics, plays (the tally).
    assert metrics == ["5XXError", *["ApproximateNumberOfMessagesVisible"] * 6, *["Errors"] * 8]
    assert all(a["Properties"]["AlarmActions"] for a in alarms.values())


def test_uploads_flow_from_the_bucket_through_a_queue_to_the_processor(dev: Synthesized) -> None:
    (notifications,) = dev.template.find_resources("Custom::S3BucketNotifications").values()
    queues = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    prefixes = sorted(q["Filter"]["Key"]["FilterRules"][0]["Value"] for q in queues)
    assert prefixes == ["albums/", "artists/", "songs/"]
    assert all(q["Events"] == ["s3:ObjectCreated:*"] for q in queues)
    dev.template.has_resource_properties(
        "AWS::SQS::Queue", {"RedrivePolicy": Match.object_like({"maxReceiveCount": 3}), "SqsManagedSseEnabled": True}
    )
    dev.template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping", {"FunctionResponseTypes": ["ReportBatchItemFailures"], "BatchSize": 5}
    )
    dev.template.has_resource_properties(
        "AWS::Lambda::Function", {"Handler": "resolvers.handlers.media_processor.handler", "Timeout": 300}
    )


def test_functions_share_a_layer_with_the_lambda_requirements(dev: Synthesized) -> None:
    (layer,) = dev.template.find_resources("AWS::Lambda::LayerVersion").values()
    asset_dir = dev.assembly_dir / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}"
    assert (asset_dir / "python" / "mutagen" / "__init__.py").is_file()


def test_deleted_songs_files_are_cleaned_up_by_their_own_function(dev: Synthesized) -> None:
    mappings = dev.template.find_resources("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == 5  # uploads, cleanup, new content, feed, plays
    assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings.values())
    dev.template.has_resource_properties("AWS::Lambda::Function", {"Handler": "resolvers.handlers.cleanup.handler"})
    api = next(
        f
        for f in dev.template.find_resources("AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "resolvers.handlers.api.handler"
    )
    assert {"MEDIA_BUCKET", "CLEANUP_QUEUE_URL"} <= set(api["Properties"]["Environment"]["Variables"])


def test_releases_fan_out_to_inboxes_email_and_subscribers(dev: Synthesized) -> None:
    dev.template.has_resource_properties("AWS::AppSync::DataSource", {"Type": "NONE"})
    dev.template.has_resource_properties(
        "AWS::AppSync::Resolver",
        {
            "TypeName": "Mutation",
            "FieldName": "publishNewContent",
            "Code": Match.string_like_regexp("payload: ctx.args.input"),
        },
    )
    fan_out = dev.template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "resolvers.handlers.new_content.handler"}}
    )
    (function,) = fan_out.values()
    assert {"TABLE_NAME", "NEW_CONTENT_TOPIC_ARN", "APPSYNC_URL"} <= set(
        function["Properties"]["Environment"]["Variables"]
    )
    processor = dev.template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": "resolvers.handlers.media_processor.handler"}}
    )
    assert "NEW_CONTENT_QUEUE_URL" in next(iter(processor.values()))["Properties"]["Environment"]["Variables"]
    policies = json.dumps(dev.template.find_resources("AWS::IAM::Policy"))
    assert "publishNewContent" in policies and "appsync:GraphQL" in policies
    dev.template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable", {"TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True}}
    )


def _resolver(synthesized: Synthesized, type_name: str, field_name: str) -> dict[str, Any]:
    found = synthesized.template.find_resources(
        "AWS::AppSync::Resolver", {"Properties": {"TypeName": type_name, "FieldName": field_name}}
    )
    ((_, resolver),) = found.items()
    return resolver["Properties"]


def test_my_new_content_sets_the_filter_its_lambda_returns_and_follows_invalidate_it(dev: Synthesized) -> None:
    """onMyNewContent: an APPSYNC_JS resolver on the API function's data source sets the enhanced
    filter the function returns, and an invalidation filter on the subscriber's user id that
    follow and unfollow match with the caller's; no other mutation invalidates it."""
    subscription = _resolver(dev, "Subscription", "onMyNewContent")
    follow = _resolver(dev, "Mutation", "follow")
    assert subscription["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
    assert subscription["Kind"] == "UNIT"
    assert subscription["DataSourceName"] == follow["DataSourceName"], "the API function's data source"
    named = {"Properties": {"Name": subscription["DataSourceName"]}}
    (source,) = (s["Properties"] for s in dev.template.find_resources("AWS::AppSync::DataSource", named).values())
    assert source["Type"] == "AWS_LAMBDA"
    code = subscription["Code"]
    assert 'operation: "Invoke"' in code
    assert "extensions.setSubscriptionFilter(ctx.result);" in code
    assert 'fieldName: "userId", operator: "eq", value: ctx.identity.sub' in code
    assert "return null;" in code, "a subscription resolver returns null"
    for name in ("follow", "unfollow"):
        mutation = _resolver(dev, "Mutation", name)["Code"]
        assert 'for (const field of ["onMyNewContent"])' in mutation
        assert (
            "extensions.invalidateSubscriptions({ subscriptionField: field, payload: { userId: ctx.identity.sub } })"
            in mutation
        )
    for name in ("rateSong", "markNotificationsRead", "setEmailNotifications", "savePlayQueue"):
        assert "invalidateSubscriptions" not in _resolver(dev, "Mutation", name)["Code"]
    # onPlayQueueChanged too (without its filter resolver AppSync would send a queue to every
    # subscriber): one resolver code, whatever filter the function returns.
    assert {"onMyNewContent", "onPlayQueueChanged"} <= {other.field_name for other in FILTERED_SUBSCRIPTIONS}
    for other in FILTERED_SUBSCRIPTIONS:
        assert _resolver(dev, other.type_name, other.field_name)["Code"] == code
