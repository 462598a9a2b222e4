"""`python -m tools.amplify_outputs --stack NAME`: a deployed stack's outputs as Amplify's configuration."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tools import amplify_outputs

OUTPUTS = {
    "Region": "eu-west-1",
    "GraphqlUrl": "https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com/graphql",
    "ApiKey": "da2-exampleexampleexample",
    "UserPoolId": "eu-west-1_AbCdEf123",
    "UserPoolClientId": "1example23456789example",
    "WebUrl": "https://d111111abcdef8.cloudfront.net",  # outputs Amplify has no use for are left out
}


def stack_template(outputs: dict[str, str]) -> str:
    return json.dumps(
        {
            "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
    )


@mock_aws
def test_a_deployed_stack_becomes_amplify_outputs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName="Music-dev", TemplateBody=stack_template(OUTPUTS)
    )

    assert amplify_outputs.main(["--stack", "Music-dev", "--region", "eu-west-1"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert document["version"].startswith("1")
    assert document["auth"]["aws_region"] == "eu-west-1"
    assert document["auth"]["user_pool_id"] == OUTPUTS["UserPoolId"]
    assert document["auth"]["user_pool_client_id"] == OUTPUTS["UserPoolClientId"]
    assert document["data"] == {
        "aws_region": "eu-west-1",
        "url": OUTPUTS["GraphqlUrl"],
        "api_key": OUTPUTS["ApiKey"],
        "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
        "authorization_types": ["API_KEY", "AWS_IAM"],
    }
    assert "WebUrl" not in json.dumps(document)


@mock_aws
def test_a_stack_without_the_api_outputs_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    without_key = {k: v for k, v in OUTPUTS.items() if k != "ApiKey"}
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName="Other", TemplateBody=stack_template(without_key)
    )
    with pytest.raises(LookupError, match="ApiKey"):
        amplify_outputs.main(["--stack", "Other", "--region", "eu-west-1"])
