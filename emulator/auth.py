"""AppSync's authorization, locally: who is calling, and may they touch this field.

Request level: an `Authorization` header holding a SigV4 signature (AWS4-HMAC-SHA256)
makes an IAM caller if it verifies with the emulator's credentials; any other
`Authorization` header must hold a user-pool JWT that verifies against the pool's JWKS
(signature, expiry, issuer, app client); otherwise an `x-api-key` header must hold the
API key; otherwise the request is refused (401).
Field level: the field's `@aws_*` directives, else its type's, else the default mode
(any signed-in user) decide, exactly as AppSync reads the same schema.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jwt

from emulator import sigv4
from emulator.aws import ACCOUNT_ID, LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, REGION, LocalStack
from schema.directives import ApiKey, CognitoUserPools, Iam

COGNITO = "AMAZON_COGNITO_USER_POOLS"
API_KEY = "API_KEY"
IAM = "AWS_IAM"
# The pool's keys come from the local emulation: a dead one fails sign-in checks within seconds.
JWKS_TIMEOUT_SECONDS = 5
VERIFIED_TOKENS_KEPT = 1024  # bounds the cache of verified tokens (emulator/auth.py Authenticator)


class Unauthenticated(Exception):
    """No usable credentials on the request: AppSync answers 401 UnauthorizedException."""


@dataclass(frozen=True)
class SignedRequest:
    """What a SigV4 signature covers besides the headers."""

    method: str
    url: str
    body: bytes


@dataclass(frozen=True)
class Caller:
    mode: str
    claims: Mapping[str, Any] = field(default_factory=dict)
    source_ip: str = "127.0.0.1"

    @property
    def groups(self) -> list[str]:
        return list(self.claims.get("cognito:groups") or [])

    def describe(self) -> str:
        """Who this is, for listings: the user's sub, the IAM access key, or the API key mode."""
        if self.mode == COGNITO:
            return f"user {self.claims['sub']}"
        if self.mode == IAM:
            return f"iam {self.claims['accessKey']}"
        return "api key"

    def identity(self) -> dict[str, Any] | None:
        """The `identity` of an AppSync resolver event for this caller."""
        if self.mode == IAM:
            return {
                "accountId": ACCOUNT_ID,
                "cognitoIdentityAuthProvider": None,
                "cognitoIdentityAuthType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "sourceIp": [self.source_ip],
                "userArn": self.claims["userArn"],
                "username": self.claims["accessKey"],
            }
        if self.mode != COGNITO:
            return None
        return {
            "sub": self.claims["sub"],
            "issuer": self.claims["iss"],
            # The id token names the user in `cognito:username`, the access token (Amplify's) in `username`.
            "username": self.claims.get("cognito:username") or self.claims.get("username") or self.claims["sub"],
            "claims": dict(self.claims),
            "sourceIp": [self.source_ip],
            "defaultAuthStrategy": "ALLOW",
            "groups": self.groups or None,
        }


class Authenticator:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        # Tokens that verified, with their claims: a client sends the same token with every request,
        # and an RS256 check per request is CPU the emulator's one GIL shares with everything else.
        # A hit is still checked against its `exp`; nothing else about a verified token can change.
        self._verified: dict[str, dict[str, Any]] = {}

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient:
        return jwt.PyJWKClient(self.stack.jwks_url, cache_keys=True, timeout=JWKS_TIMEOUT_SECONDS)

    def caller(
        self, headers: Mapping[str, str], source_ip: str = "127.0.0.1", signed: SignedRequest | None = None
    ) -> Caller:
        """Who is calling, from headers by lowercase name; `signed` is needed to check a SigV4 signature."""
        token = headers.get("authorization")
        if token and sigv4.is_signed(headers):
            return Caller(IAM, self._verify_signature(headers, signed), source_ip)
        if token:
            return Caller(COGNITO, self._verify(token.removeprefix("Bearer ").strip()), source_ip)
        if headers.get("x-api-key"):
            if headers["x-api-key"] != self.stack.api_key:
                raise Unauthenticated("You are not authorized to make this call.")
            return Caller(API_KEY, source_ip=source_ip)
        raise Unauthenticated("Valid authorization header not provided.")

    def _verify_signature(self, headers: Mapping[str, str], signed: SignedRequest | None) -> dict[str, Any]:
        if signed is None:
            raise Unauthenticated("IAM signatures are accepted on HTTP requests only")
        try:
            key = sigv4.verify(
                signed.method,
                signed.url,
                headers,
                signed.body,
                access_key=LOCAL_ACCESS_KEY,
                secret_key=LOCAL_SECRET_KEY,
                region=REGION,
            )
        except sigv4.SignatureError as error:
            raise Unauthenticated(str(error)) from None
        return {"accessKey": key, "userArn": f"arn:aws:iam::{ACCOUNT_ID}:user/{key}"}

    def _verify(self, token: str) -> dict[str, Any]:
        claims = self._verified.get(token)
        if claims is not None and claims["exp"] > time.time():
            return claims
        claims = self._verify_token(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.pop(next(iter(self._verified)), None)  # the oldest
        self._verified[token] = claims
        return claims

    def _verify_token(self, token: str) -> dict[str, Any]:
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                issuer=self.stack.issuer,
                options={"require": ["exp", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"Token is invalid: {error}") from None
        client = claims.get("aud") if claims.get("token_use") == "id" else claims.get("client_id")
        if claims.get("token_use") not in ("id", "access") or client != self.stack.user_pool_client_id:
            raise Unauthenticated("Token is invalid: not issued to this API's app client")
        return claims


def allows(directives: Sequence[object], caller: Caller) -> bool:
    """Whether a field (or type) with these auth directives admits the caller."""
    if not directives:
        return caller.mode == COGNITO  # the API's default mode, any signed-in user
    for directive in directives:
        if isinstance(directive, ApiKey) and caller.mode == API_KEY:
            return True
        if isinstance(directive, Iam) and caller.mode == IAM:
            return True
        if (
            isinstance(directive, CognitoUserPools)
            and caller.mode == COGNITO
            and (directive.cognito_groups is None or set(directive.cognito_groups) & set(caller.groups))
        ):
            return True
    return False


AUTH_DIRECTIVES = (ApiKey, Iam, CognitoUserPools)


def auth_directives(directives: Sequence[object]) -> list[object]:
    return [d for d in directives if isinstance(d, AUTH_DIRECTIVES)]
