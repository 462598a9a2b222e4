"""The frontend's whole configuration, `amplify_outputs.json`, for a deployed stack or the local API.

On AWS:   python -m tools.amplify_outputs --stack Music-dev [--region eu-west-1] > amplify_outputs.json
Locally:  GET http://127.0.0.1:4000/amplify_outputs.json (the emulator builds it with `document` too)
A frontend then calls `Amplify.configure(outputs)` and nothing else (locally it adds the user
pool endpoint, which Amplify's outputs format has no place for: docs/frontend.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any

import boto3

# Amplify JS 6 reads any outputs document whose version starts with "1".
OUTPUTS_VERSION = "1"
# The API's modes as infra/api.py sets them: user pools by default, the API key for guests, IAM for the backend.
DEFAULT_AUTHORIZATION = "AMAZON_COGNITO_USER_POOLS"
ADDITIONAL_AUTHORIZATIONS = ["API_KEY", "AWS_IAM"]
# The stack's outputs (infra/stack.py) that the document is made of.
STACK_OUTPUTS = ("Region", "GraphqlUrl", "ApiKey", "UserPoolId", "UserPoolClientId")


def document(*, region: str, graphql_url: str, api_key: str, user_pool_id: str, user_pool_client_id: str) -> dict:
    """Amplify's outputs format: `auth` for the user pool, `data` for the GraphQL API."""
    return {
        "version": OUTPUTS_VERSION,
        "auth": {
            "aws_region": region,
            "user_pool_id": user_pool_id,
            "user_pool_client_id": user_pool_client_id,
            # Accounts sign in with their email (infra/accounts.py): Amplify's Authenticator asks for it.
            "username_attributes": ["email"],
            "standard_required_attributes": ["email"],
        },
        "data": {
            "aws_region": region,
            "url": graphql_url,
            "api_key": api_key,
            "default_authorization_type": DEFAULT_AUTHORIZATION,
            "authorization_types": ADDITIONAL_AUTHORIZATIONS,
        },
    }


def from_stack_outputs(outputs: Mapping[str, str]) -> dict:
    """The document from a deployed stack's outputs, by their keys in infra/stack.py."""
    missing = [key for key in STACK_OUTPUTS if not outputs.get(key)]
    if missing:
        raise LookupError(f"the stack has no output {', '.join(missing)}: is it this project's stack?")
    return document(
        region=outputs["Region"],
        graphql_url=outputs["GraphqlUrl"],
        api_key=outputs["ApiKey"],
        user_pool_id=outputs["UserPoolId"],
        user_pool_client_id=outputs["UserPoolClientId"],
    )


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """A stack's outputs, key to value (CloudFormation DescribeStacks)."""
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.amplify_outputs", description=__doc__)
    parser.add_argument("--stack", required=True, help="the deployed stack's name, e.g. Music-dev")
    parser.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    args = parser.parse_args(argv)
    cloudformation = boto3.client("cloudformation", region_name=args.region)
    print(json.dumps(from_stack_outputs(stack_outputs(cloudformation, args.stack)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
