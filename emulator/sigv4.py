"""AWS Signature Version 4 checks for the emulator's IAM auth mode.

AppSync admits an IAM caller when the request's SigV4 signature verifies for the
`appsync` service. Locally the only credentials are the emulator's own (access key
`local`, secret `local`): the signature is recomputed with botocore's signer from the
headers the client signed, and compared, so a forged or altered request is refused.
"""

from __future__ import annotations

import datetime
import hmac
import re
from collections.abc import Mapping

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=5)  # AWS refuses signatures older or newer than this
_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM} Credential=(?P<key>[^/]+)/(?P<date>\d{{8}})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request,"
    r"\s*SignedHeaders=(?P<headers>[a-z0-9;\-]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


class SignatureError(Exception):
    """The request claims SigV4 but does not verify."""


def is_signed(headers: Mapping[str, str]) -> bool:
    return headers.get("authorization", "").startswith(ALGORITHM)


def verify(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str = "appsync",
    now: datetime.datetime | None = None,
) -> str:
    """Check the signature of a request (headers by lowercase name); returns the caller's access key."""
    match = _AUTHORIZATION.match(headers.get("authorization", ""))
    if not match:
        raise SignatureError("Authorization header is not a SigV4 signature")
    if match["key"] != access_key:
        raise SignatureError("The security token included in the request is invalid")
    if (match["region"], match["service"]) != (region, service):
        raise SignatureError(f"Credential should be scoped to region {region} and service {service}")
    timestamp = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        raise SignatureError("X-Amz-Date is missing or malformed") from None
    if abs((now or datetime.datetime.now(datetime.UTC)) - signed_at) > MAX_SKEW or timestamp[:8] != match["date"]:
        raise SignatureError("Signature expired or not yet valid")
    signed = match["headers"].split(";")
    if "host" not in signed or any(name not in headers for name in signed):
        raise SignatureError("A signed header is missing from the request")
    request = AWSRequest(method=method, url=url, data=body, headers={name: headers[name] for name in signed})
    request.context["timestamp"] = timestamp
    signer = SigV4Auth(Credentials(access_key, secret_key), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, match["signature"]):
        raise SignatureError("The request signature we calculated does not match the signature you provided")
    return access_key
