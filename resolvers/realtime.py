"""The fan-out's call to AppSync: `publishNewContent`, signed with the function's IAM role (SigV4).

AppSync pushes the mutation's result to every `onNewContent` subscription whose arguments
match, and to every `onMyNewContent` subscription whose filter matches its `audiences`
(so the selection must include them: AppSync filters what the mutation selected). The
field is `@aws_iam` only, so no listener can forge an announcement.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from functools import cache
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from resolvers.settings import settings

PUBLISH = (
    "mutation PublishNewContent($input: NewContentInput!) { publishNewContent(input: $input) "
    "{ eventId kind id artistId albumId title artistName genre publishedAt audiences } }"
)
TIMEOUT_SECONDS = 10


class PublishError(Exception):
    """AppSync refused or failed the publish; the SQS record is retried."""


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def signed_request(url: str, body: bytes) -> urllib.request.Request:
    """A POST of `body` to `url`, signed for the `appsync` service with the function's credentials."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"APPSYNC_URL must be an http(s) URL, not {url!r}")
    session = _session()
    credentials = session.get_credentials()
    if credentials is None:
        raise PublishError("no AWS credentials to sign the AppSync call with")
    request = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
    SigV4Auth(credentials.get_frozen_credentials(), "appsync", session.region_name or "us-east-1").add_auth(request)
    return urllib.request.Request(url, data=body, headers=dict(request.headers.items()), method="POST")  # noqa: S310 - scheme checked above


def publish_new_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """Run `publishNewContent` on the API; returns its result, raises PublishError on any error."""
    body = json.dumps({"query": PUBLISH, "variables": {"input": dict(content)}}).encode()
    request = signed_request(settings().graphql_url, body)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - checked in signed_request
            result = json.load(response)
    except urllib.error.HTTPError as error:
        raise PublishError(f"AppSync answered {error.code}: {error.read()[:500]!r}") from None
    if result.get("errors"):
        raise PublishError(f"publishNewContent failed: {result['errors']}")
    return result["data"]["publishNewContent"]
