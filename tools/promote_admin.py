"""Promote an existing account to administrator (Cognito group `admin`).

On AWS:   python -m tools.promote_admin --user-pool-id eu-west-1_abc123 someone@example.com
Locally:  python -m tools.promote_admin --local http://127.0.0.1:4000 someone@example.com
The user's next sign-in yields tokens carrying the new group.
"""

from __future__ import annotations

import argparse
import json
import os
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("email")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--user-pool-id", help="the deployed stack's user pool id")
    where.add_argument("--local", metavar="URL", help="a running local emulator, e.g. http://127.0.0.1:4000")
    args = parser.parse_args(argv)
    pool_id = args.user_pool_id
    if args.local:
        with urllib.request.urlopen(f"{args.local.rstrip('/')}/config", timeout=10) as response:  # noqa: S310
            config = json.load(response)
        pool_id = config["userPoolId"]
        os.environ.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")  # noqa: S106
        cognito = boto3.client("cognito-idp", endpoint_url=config["awsEndpoint"], region_name=config["region"])
    else:
        cognito = boto3.client("cognito-idp")
    try:
        username = promote(cognito, pool_id, args.email)
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{args.email} ({username}) is now in the '{ADMIN_GROUP}' group; sign in again to use it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
