"""Promote an existing account to administrator (Cognito group `admin`).

On AWS:   python -m tools.promote_admin --user-pool-id eu-west-1_abc123 someone@example.com
Locally:  python -m tools.promote_admin --local http://127.0.0.1:4000 someone@example.com
The user's next sign-in yields tokens carrying the new group.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from typing import Any

import boto3

ADMIN_GROUP = "admin"


def promote(cognito: Any, user_pool_id: str, email: str) -> str:
    """Add the account with this email to the admin group; returns its username."""
    users = cognito.list_users(UserPoolId=user_pool_id, Filter=f'email = "{email.strip().lower()}"', Limit=1)["Users"]
    if not users:
        raise LookupError(f"no account with email {email}")
    username = users[0]["Username"]
    cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=username, GroupName=ADMIN_GROUP)
    return username


def local_pool(base_url: str) -> tuple[Any, str]:
    """A Cognito client for a running local emulator's AWS, and its user pool id (from its /config)."""
    with urllib.request.urlopen(f"{base_url.rstrip('/')}/config", timeout=10) as response:  # noqa: S310
        config = json.load(response)
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=config["awsEndpoint"],
        region_name=config["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local emulation's, not a secret
    )
    return cognito, config["userPoolId"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("email")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--user-pool-id", help="the deployed stack's user pool id")
    where.add_argument("--local", metavar="URL", help="a running local emulator, e.g. http://127.0.0.1:4000")
    args = parser.parse_args(argv)
    if args.local:
        cognito, pool_id = local_pool(args.local)
    else:
        cognito, pool_id = boto3.client("cognito-idp"), args.user_pool_id
    try:
        username = promote(cognito, pool_id, args.email)
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{args.email} ({username}) is now in the '{ADMIN_GROUP}' group; sign in again to use it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
