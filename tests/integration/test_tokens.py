"""Tokens the emulator must refuse as AppSync would: expired, for another app client, forged.

The emulated user pool signs with moto's published key, so a test can mint tokens that
differ from a real one in exactly one way and expect 401 for each. A listener who edits
their `cognito:groups` to join the admins breaks the signature (tests/integration/test_access.py);
here they also re-sign it, with a key of their own or the pool's public key as an HMAC secret.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import moto.cognitoidp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from schema.directives import ADMIN_GROUP
from tests.integration.conftest import Api, Run
from tests.integration.test_new_content import appsync_ws, listen

PRIVATE_JWKS = Path(moto.cognitoidp.__file__).with_name("resources") / "jwks-private.json.gz"


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def pool_key() -> dict[str, Any]:
    """The emulated pool's signing key, as moto ships it: one private JWK."""
    return json.loads(gzip.decompress(PRIVATE_JWKS.read_bytes()))


def sign(claims: dict[str, Any]) -> str:
    """A token signed with the emulated pool's own key."""
    key = pool_key()
    return jwt.encode(claims, jwt.PyJWK(key).key, algorithm="RS256", headers={"kid": key["kid"]})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def signed_by_another_key(claims: dict[str, Any], kid: str) -> str:
    """RS256 like the pool's tokens, but with a key the attacker made."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def signed_with_the_public_key_as_hmac_secret(claims: dict[str, Any]) -> str:
    """HS256 keyed with the pool's public key (PEM), which anyone can fetch: a verifier that takes the
    token's own `alg` would check the HMAC with that key and accept it."""
    public = jwt.PyJWK(pool_key()).key.public_key()
    secret = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": pool_key()["kid"]}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


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


def test_a_token_that_was_accepted_is_refused_once_it_expires(local_api: Api, real_claims: dict[str, Any]) -> None:
    """The emulator keeps tokens it verified (emulator/auth.py): a kept token still expires."""
    expires = int(time.time()) + 5  # leaves a busy machine time to answer the first request
    token = sign({**real_claims, "exp": expires})
    assert status(local_api, token) == 200
    time.sleep(max(0.0, expires - time.time()) + 1.5)
    assert status(local_api, token) == 401


def test_an_unsigned_token_is_refused(local_api: Api, real_claims: dict[str, Any]) -> None:
    unsigned = jwt.encode(real_claims, key=None, algorithm="none")
    assert status(local_api, unsigned) == 401


def made_admin(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "cognito:groups": [*claims.get("cognito:groups", []), ADMIN_GROUP]}


def forgeries(claims: dict[str, Any]) -> dict[str, str]:
    """A listener's token edited into an admin's, then signed again by someone who is not the pool."""
    admin_claims = made_admin(claims)
    return {
        "another key, under the pool's key id": signed_by_another_key(admin_claims, pool_key()["kid"]),
        "another key, under a key id of its own": signed_by_another_key(admin_claims, "attacker-key"),
        "HS256 with the pool's public key": signed_with_the_public_key_as_hmac_secret(admin_claims),
    }


def test_a_listener_re_signing_their_token_as_an_admin_is_refused(local_api: Api, real_claims: dict[str, Any]) -> None:
    refused = {how: status(local_api, token) for how, token in forgeries(real_claims).items()}
    assert refused == dict.fromkeys(refused, 401)


def refused_on_the_websocket(local_api: Api, token: str) -> bool:
    """Whether subscribing with this token is refused (AppSync's real-time protocol), rather than served."""

    async def subscribe() -> None:
        await asyncio.wait_for(listen(appsync_ws(local_api, token), {}, []), timeout=10)

    try:
        asyncio.run(subscribe())
    except TimeoutError:
        return False  # the subscription was open: the token was taken
    except Exception as error:  # gql raises what the server said, in one of several types
        return "UnauthorizedException" in str(error)
    return False


def test_forged_tokens_are_refused_on_the_websocket_too(local_api: Api, real_claims: dict[str, Any]) -> None:
    refused = {how: refused_on_the_websocket(local_api, token) for how, token in forgeries(real_claims).items()}
    assert refused == dict.fromkeys(refused, True)
