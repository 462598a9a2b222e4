"""Tokens the emulator must refuse as AppSync would: expired, for another app client, forged.

The emulated user pool signs with moto's published key, so a test can mint tokens that
differ from a real one in exactly one way and expect 401 for each.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import moto.cognitoidp
import pytest

from tests.integration.conftest import Api, Run

PRIVATE_JWKS = Path(moto.cognitoidp.__file__).with_name("resources") / "jwks-private.json.gz"


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def sign(claims: dict[str, Any]) -> str:
    """A token signed with the emulated pool's own key (moto ships it as one JWK)."""
    key = json.loads(gzip.decompress(PRIVATE_JWKS.read_bytes()))
    return jwt.encode(claims, jwt.PyJWK(key).key, algorithm="RS256", headers={"kid": key["kid"]})


def status(local_api: Api, token: str) -> int:
    request = urllib.request.Request(
        local_api.url,
        json.dumps({"query": "{ genres { id } }"}).encode(),
        {"content-type": "application/json", "authorization": token},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def real_claims(local_api: Api, guest: Run) -> dict[str, Any]:
    local_api.local_only()  # minting tokens needs the emulated pool's key
    token = guest('mutation { login(email: "listener@example.com", password: "Listener123!") { idToken } }')
    claims = claims_of(token["login"]["idToken"])
    assert status(local_api, sign(claims)) == 200, "a faithful copy must pass, or the refusals below prove nothing"
    return claims


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"exp": int(time.time()) - 60}, "expired"),
        ({"aud": "another-app-client"}, "issued to another app client"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "issued by another user pool"),
        ({"token_use": "refresh"}, "neither an id nor an access token"),
    ],
)
def test_tokens_differing_in_one_claim_are_refused(
    local_api: Api, real_claims: dict[str, Any], change: dict[str, Any], why: str
) -> None:
    assert status(local_api, sign({**real_claims, **change})) == 401, why


def test_an_unsigned_token_is_refused(local_api: Api, real_claims: dict[str, Any]) -> None:
    unsigned = jwt.encode(real_claims, key=None, algorithm="none")
    assert status(local_api, unsigned) == 401
