"""How the pieces are wired: what each function is told and allowed, and what AppSync calls with.

A mistake here synthesizes and lints cleanly, then fails only on AWS, where the local
emulator cannot catch it (it enforces neither IAM nor AppSync's resolver wiring).
"""

from __future__ import annotations

import json
from typing import Any

from graphql import build_schema

from app import cdk_json_context
from schema import NONE_FIELDS, SDL_PATH
from schema.limits import MAX_BATCH_SIZE
from tests.infra.conftest import Synthesized
from tests.test_schema import APPSYNC_DEFINITIONS

API_HANDLER = "resolvers.handlers.api.handler"
POST_CONFIRMATION_HANDLER = "resolvers.handlers.post_confirmation.handler"


def _function(synthesized: Synthesized, handler: str) -> tuple[str, dict[str, Any]]:
    found = synthesized.template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": handler}})
    ((logical_id, function),) = found.items()
    return logical_id, function["Properties"]


def _statements(synthesized: Synthesized, role_ref: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement of every policy attached to the role."""
    policies = synthesized.template.find_resources("AWS::IAM::Policy")
    return [
        statement
        for policy in policies.values()
        if role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_api_function_gets_the_settings_the_lambda_code_reads(dev: Synthesized) -> None:
    _, api = _function(dev, API_HANDLER)
    variables = api["Environment"]["Variables"]
    assert {"TABLE_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID"} <= set(variables)
    assert variables["POWERTOOLS_SERVICE_NAME"] == "music"
    assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert api["LoggingConfig"]["LogFormat"] == "JSON"


def test_post_confirmation_may_add_to_a_group_and_write_a_profile_without_a_cycle(dev: Synthesized) -> None:
    _, trigger = _function(dev, POST_CONFIRMATION_HANDLER)
    # The pool depends on its trigger: the trigger cannot be told the pool's ids (it reads
    # them from its event), and its group grant lives in a policy the function does not wait for.
    assert "USER_POOL_ID" not in trigger["Environment"]["Variables"]
    statements = _statements(dev, {"Ref": trigger["Role"]["Fn::GetAtt"][0]})
    (pool_id,) = dev.template.find_resources("AWS::Cognito::UserPool")
    (table_id,) = dev.template.find_resources("AWS::DynamoDB::GlobalTable")
    granted = {(action, json.dumps(s["Resource"], sort_keys=True)) for s in statements for action in _actions(s)}
    assert ("cognito-idp:AdminAddUserToGroup", json.dumps({"Fn::GetAtt": [pool_id, "Arn"]})) in granted
    assert ("dynamodb:PutItem", json.dumps({"Fn::GetAtt": [table_id, "Arn"]})) in granted


def test_api_function_reads_and_writes_the_table_and_its_indexes(dev: Synthesized) -> None:
    _, api = _function(dev, API_HANDLER)
    statements = _statements(dev, {"Ref": api["Role"]["Fn::GetAtt"][0]})
    (table_id,) = dev.template.find_resources("AWS::DynamoDB::GlobalTable")
    table_statements = [s for s in statements if "dynamodb:Query" in _actions(s)]
    assert len(table_statements) == 1
    (statement,) = table_statements
    # Transactions are authorized per item by these actions; BatchGetItem serves nested fields.
    assert {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"} <= _actions(
        statement
    )
    assert {"dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"} <= _actions(statement)
    assert statement["Resource"] == [
        {"Fn::GetAtt": [table_id, "Arn"]},
        {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/index/*"]]},
    ]


def test_every_query_and_mutation_has_a_resolver(dev: Synthesized) -> None:
    """AppSync answers null for a root field without a resolver, silently: none may lack one."""
    schema = build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())
    roots = [t for t in (schema.query_type, schema.mutation_type) if t is not None]
    expected = {(root.name, field) for root in roots for field in root.fields}
    resolvers = dev.template.find_resources("AWS::AppSync::Resolver").values()
    wired = {(r["Properties"]["TypeName"], r["Properties"]["FieldName"]) for r in resolvers}
    assert expected - wired == set()


def test_resolvers_hand_appsync_context_to_lambda_and_pass_its_error_type_on(dev: Synthesized) -> None:
    resolvers = dev.template.find_resources("AWS::AppSync::Resolver").values()
    none = {(f.type_name, f.field_name) for f in NONE_FIELDS}
    for resolver in resolvers:
        properties = resolver["Properties"]
        if (properties["TypeName"], properties["FieldName"]) in none:
            assert properties["Code"].count("payload: ctx.args.") == 1  # the NONE resolver: its argument
            continue
        assert properties["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        assert properties["Kind"] == "UNIT"
        code = properties["Code"]
        for key in ("arguments", "identity", "source", "info", "request", "prev", "stash"):
            assert f"{key}: ctx.{key}," in code
        assert "util.error(ctx.error.message, ctx.error.type)" in code
        assert "__OPERATION__" not in code
        if "BatchInvoke" in code:
            assert properties["MaxBatchSize"] == MAX_BATCH_SIZE


def test_api_logs_field_errors_and_guests_key_expires(dev: Synthesized) -> None:
    (api,) = dev.template.find_resources("AWS::AppSync::GraphQLApi").values()
    assert api["Properties"]["LogConfig"]["FieldLogLevel"] == "ERROR"
    (key,) = dev.template.find_resources("AWS::AppSync::ApiKey").values()
    assert isinstance(key["Properties"]["Expires"], int)


def test_cdk_json_context_applies_outside_the_cli_too(dev: Synthesized) -> None:
    """Tests and `python app.py` synthesize what `cdk synth` does: cdk.json's flags are on."""
    assert cdk_json_context()["@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"] is True
    buckets = dev.template.find_resources("AWS::S3::Bucket").values()
    assert not any("AccessControl" in b["Properties"] for b in buckets), "S3 access logs should not need an ACL"


def test_no_validation_plugin_reports_a_violation(dev: Synthesized, prod: Synthesized) -> None:
    """cdk-nag errors fail synthesis; this also catches warnings, and CDK's own template checks."""
    for synthesized in (dev, prod):
        report = json.loads((synthesized.assembly_dir / "validation-report.json").read_text())
        for plugin in report["pluginReports"]:
            assert plugin["violations"] == [], plugin["pluginName"]


def test_prod_keeps_function_logs_and_dev_does_not(dev: Synthesized, prod: Synthesized) -> None:
    for synthesized, policy in ((dev, "Delete"), (prod, "Retain")):
        groups = synthesized.template.find_resources("AWS::Logs::LogGroup").values()
        assert groups
        assert {g["DeletionPolicy"] for g in groups} == {policy}


def _api_queue(dev: Synthesized, api: dict[str, Any], variable: str) -> tuple[str, dict[str, Any]]:
    """The queue the API function is told of in `variable`: asserts the API may send to it, and
    returns its logical id and the one event source mapping that consumes it."""
    queue_ref = api["Environment"]["Variables"][variable]
    (queue_id,) = [
        logical_id for logical_id in dev.template.find_resources("AWS::SQS::Queue") if {"Ref": logical_id} == queue_ref
    ]
    sends = [s for s in _statements(dev, {"Ref": api["Role"]["Fn::GetAtt"][0]}) if "sqs:SendMessage" in _actions(s)]
    granted = [
        resource for s in sends for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert {"Fn::GetAtt": [queue_id, "Arn"]} in granted
    (mapping,) = [
        m["Properties"]
        for m in dev.template.find_resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    return queue_id, mapping


def test_ratings_and_follows_queue_feed_refreshes_for_the_feed_function(dev: Synthesized) -> None:
    _, api = _function(dev, API_HANDLER)
    _, refresh = _function(dev, "resolvers.handlers.feed.handler")
    _, mapping = _api_queue(dev, api, "FEED_QUEUE_URL")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert set(refresh["Environment"]["Variables"]) >= {"TABLE_NAME"}
    statements = _statements(dev, {"Ref": refresh["Role"]["Fn::GetAtt"][0]})
    assert any({"dynamodb:Query", "dynamodb:PutItem"} <= _actions(s) for s in statements)


def test_cleanup_may_find_and_delete_a_deleted_songs_ratings_and_nothing_more(dev: Synthesized) -> None:
    _, cleaner = _function(dev, "resolvers.handlers.cleanup.handler")
    (table_id,) = dev.template.find_resources("AWS::DynamoDB::GlobalTable")
    table = {"Fn::GetAtt": [table_id, "Arn"]}
    granted = {
        (action, json.dumps(s["Resource"], sort_keys=True))
        for s in _statements(dev, {"Ref": cleaner["Role"]["Fn::GetAtt"][0]})
        for action in _actions(s)
        if action.startswith("dynamodb:")
    }
    raters_index = {"Fn::Join": ["", [table, "/index/byParent"]]}
    assert granted == {
        ("dynamodb:GetItem", json.dumps(table, sort_keys=True)),
        ("dynamodb:BatchWriteItem", json.dumps(table, sort_keys=True)),
        ("dynamodb:Query", json.dumps(raters_index, sort_keys=True)),
    }


def test_counted_plays_reach_the_play_consumer_in_large_batches_with_few_writers(dev: Synthesized) -> None:
    """recordPlay queues plays; the consumer takes big batches with bounded concurrency (docs/api/plays.md)."""
    _, api = _function(dev, API_HANDLER)
    _, tally = _function(dev, "resolvers.handlers.plays.handler")
    queue_id, mapping = _api_queue(dev, api, "PLAYS_QUEUE_URL")
    queue = dev.template.find_resources("AWS::SQS::Queue")[queue_id]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 1000 and mapping["MaximumBatchingWindowInSeconds"] == 1
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 5}
    statements = _statements(dev, {"Ref": tally["Role"]["Fn::GetAtt"][0]})
    assert any("dynamodb:UpdateItem" in _actions(s) for s in statements)
    alarms = dev.template.find_resources("AWS::CloudWatch::Alarm")
    assert any("PlaysDlq" in logical_id for logical_id in alarms)
    assert any("PlayTally" in logical_id for logical_id in alarms)
