"""The local user pool's endpoint on the API's own origin, for Amplify's `userPoolEndpoint` setting.

Amplify Auth posts Cognito's JSON-RPC (`X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`,
unsigned) to that URL. The request goes to the AWS emulation as it came, so every Cognito
action the emulation knows works, with what emulator/cognito_flows.py adds (SRP checked,
refresh, revoke). Serving it here rather than pointing clients at the emulation's own port
gives a browser one origin, under the API's CORS rules.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from email.message import Message

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

PATH = "/cognito-idp"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# Sent on by the forwarder; Amplify reads errors from the body's `__type` and from x-amzn-errortype.
FORWARDED_HEADERS = ("x-amzn-requestid", "x-amzn-errortype")
# Headers a browser must be allowed to send in the CORS preflight (Amplify's and the AWS SDK's).
REQUEST_HEADERS = ("x-amz-target", "x-amz-user-agent", "cache-control", "amz-sdk-invocation-id", "amz-sdk-request")
TIMEOUT_SECONDS = 30


def endpoint(aws_endpoint: str) -> Callable[[Request], Awaitable[Response]]:
    """The route's handler, forwarding Cognito calls to the AWS emulation at `aws_endpoint`."""

    async def user_pool(request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        if not target.startswith(TARGET_PREFIX):
            return JSONResponse(
                {"__type": "UnknownOperationException", "message": "Only Cognito user pool actions are served here"},
                status_code=400,
            )
        body = await request.body()
        return await run_in_threadpool(_forward, aws_endpoint, target, body)

    return user_pool


def _forward(aws_endpoint: str, target: str, body: bytes) -> Response:
    forwarded = urllib.request.Request(  # noqa: S310 - the emulation's own http://127.0.0.1 URL
        f"{aws_endpoint}/",
        data=body,
        method="POST",
        headers={"content-type": "application/x-amz-json-1.1", "x-amz-target": target},
    )
    try:
        with urllib.request.urlopen(forwarded, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return _response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as refusal:  # Cognito's errors: 4xx with a JSON body
        return _response(refusal.code, refusal.headers, refusal.read())


def _response(status: int, headers: Message, body: bytes) -> Response:
    kept = {name: value for name in FORWARDED_HEADERS if (value := headers.get(name))}
    return Response(body, status_code=status, media_type="application/x-amz-json-1.1", headers=kept)
