"""Cognito sign-in as Amplify JS v6 drives it, where moto 5.2.5 falls short of Cognito.

Measured on moto 5.2.5 (generic Cognito behaviour, nothing about our pool):
- USER_SRP_AUTH got a random SALT and SRP_B and PASSWORD_VERIFIER never checked the claim
  signature: any password signed in. Here the challenge is real (emulator/cognito_srp.py) and a
  wrong proof gets NotAuthorizedException; a right one goes on through moto's own code, so the
  tokens, refresh tokens and sign-out are moto's as for USER_PASSWORD_AUTH.
- The id token's `email` was the username the flow carried: after SRP (whose second step names
  the user by id) and after a refresh, a UUID. Here the id token holds the user's attributes,
  as Cognito's does (`email`, `email_verified` as a boolean, `name`).
- GetTokensFromRefreshToken (how Amplify 6.22 refreshes) and RevokeToken (how its signOut
  ends the session) were unknown actions. Here they refresh through moto's REFRESH_TOKEN_AUTH
  and revoke the refresh token in moto's pool.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cognitoidp import models as cognito_models
from moto.cognitoidp import responses as cognito_responses
from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError, ResourceNotFoundError
from moto.core.responses import ActionResult, EmptyResult

from emulator import cognito_srp

WRONG_CREDENTIALS = "Incorrect username or password."
ID_TOKEN = "id"  # noqa: S105 - a token kind (`token_use`), not a secret
BOOLEAN_ATTRIBUTES = ("email_verified", "phone_number_verified")


class SrpChallenges:
    """PASSWORD_VERIFIER challenges sent and not answered yet, by their SECRET_BLOCK (each answered once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # secret block -> (moto's session, the user's pool id, the user's username, the challenge)
        self._pending: dict[str, tuple[str, str, str, cognito_srp.ServerChallenge]] = {}

    def add(self, secret_block: str, entry: tuple[str, str, str, cognito_srp.ServerChallenge]) -> None:
        with self._lock:
            self._pending[secret_block] = entry

    def take(self, secret_block: str) -> tuple[str, str, str, cognito_srp.ServerChallenge] | None:
        with self._lock:
            return self._pending.pop(secret_block, None)


def install() -> None:
    """Patch moto's Cognito in this process (the embedded moto server runs in it); safe to call twice."""
    backend_class = cognito_models.CognitoIdpBackend
    if getattr(backend_class.initiate_auth, "srp_checked", False):
        return
    challenges = SrpChallenges()
    original_initiate = backend_class.initiate_auth
    original_respond = backend_class.respond_to_auth_challenge
    original_create_jwt = cognito_models.CognitoIdpUserPool.create_jwt

    def initiate_auth(backend: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        result = original_initiate(backend, client_id, auth_flow, auth_parameters)
        if auth_flow != "USER_SRP_AUTH" or result.get("ChallengeName") != "PASSWORD_VERIFIER":
            return result
        parameters = result["ChallengeParameters"]
        pool = _pool_of_client(backend, client_id)
        user = backend.admin_get_user(pool.id, parameters["USERNAME"])
        try:
            challenge = cognito_srp.ServerChallenge.start(
                _pool_name(pool.id), parameters["USER_ID_FOR_SRP"], user.password or "", auth_parameters["SRP_A"]
            )
        except cognito_srp.InvalidSrpValue as error:
            raise InvalidParameterException(str(error)) from None
        secret_block = cognito_srp.new_secret_block()
        challenges.add(secret_block, (parameters["SECRET_BLOCK"], pool.id, user.username, challenge))
        return {
            **result,
            "ChallengeParameters": {
                **parameters,
                "SALT": challenge.salt_hex,
                "SRP_B": challenge.srp_b,
                "SECRET_BLOCK": secret_block,
            },
        }

    def respond_to_auth_challenge(
        backend: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict[str, str]
    ) -> Any:
        if challenge_name == "PASSWORD_VERIFIER":
            challenge_responses = _verified(backend, challenges, challenge_responses or {})
        return original_respond(backend, session, client_id, challenge_name, challenge_responses)

    def create_jwt(pool: Any, client_id: str, username: str, token_use: str, *rest: Any, **named: Any) -> Any:
        if token_use == ID_TOKEN:  # moto passes the claims it adds as `extra_data=`
            named["extra_data"] = {**_id_token_attributes(pool, client_id, username), **(named.get("extra_data") or {})}
        return original_create_jwt(pool, client_id, username, token_use, *rest, **named)

    initiate_auth.srp_checked = True  # type: ignore[attr-defined]
    backend_class.initiate_auth = initiate_auth  # type: ignore[method-assign]
    backend_class.respond_to_auth_challenge = respond_to_auth_challenge  # type: ignore[method-assign]
    cognito_models.CognitoIdpUserPool.create_jwt = create_jwt  # type: ignore[method-assign]
    cognito_responses.CognitoIdpResponse.get_tokens_from_refresh_token = _get_tokens_from_refresh_token  # type: ignore[attr-defined]
    cognito_responses.CognitoIdpResponse.revoke_token = _revoke_token  # type: ignore[attr-defined]


def _verified(backend: Any, challenges: SrpChallenges, responses: dict[str, str]) -> dict[str, str]:
    """The answer to a PASSWORD_VERIFIER challenge as moto expects it, once its SRP proof checks."""
    pending = challenges.take(responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""))
    if pending is None:
        raise NotAuthorizedError(WRONG_CREDENTIALS)
    moto_session, pool_id, username, challenge = pending
    # The proof is for one user: an answer naming another must not sign that one in.
    named = backend.describe_user_pool(pool_id)._get_user(responses.get("USERNAME", ""))
    if named is None or named.username != username:
        raise NotAuthorizedError(WRONG_CREDENTIALS)
    if not challenge.accepts(
        responses["PASSWORD_CLAIM_SECRET_BLOCK"],
        responses.get("TIMESTAMP", ""),
        responses.get("PASSWORD_CLAIM_SIGNATURE", ""),
    ):
        raise NotAuthorizedError(WRONG_CREDENTIALS)
    return {**responses, "PASSWORD_CLAIM_SECRET_BLOCK": moto_session}


def _id_token_attributes(pool: Any, client_id: str, username: str) -> dict[str, Any]:
    """The user's attributes as Cognito puts them in an id token (all readable ones when the client names none)."""
    user = pool._get_user(username)
    if user is None:
        return {}
    client = pool.clients.get(client_id)
    readable = set(client.get_readable_fields()) if client else set()
    claims: dict[str, Any] = {}
    for name, value in user.attribute_lookup.items():
        if name == "sub" or (readable and name not in readable):
            continue
        claims[name] = value == "true" if name in BOOLEAN_ATTRIBUTES else value
    return claims


def _get_tokens_from_refresh_token(response: Any) -> ActionResult:
    """Cognito's GetTokensFromRefreshToken, answered by moto's REFRESH_TOKEN_AUTH (no rotation)."""
    result = response._get_region_agnostic_backend().initiate_auth(
        response._get_param("ClientId"),
        "REFRESH_TOKEN_AUTH",
        {"REFRESH_TOKEN": response._get_param("RefreshToken") or ""},
    )
    return ActionResult({"AuthenticationResult": result["AuthenticationResult"]})


def _revoke_token(response: Any) -> EmptyResult:
    """Cognito's RevokeToken: the refresh token stops working; tokens of another client are not touched."""
    client_id = response._get_param("ClientId")
    token = response._get_param("Token")
    backend = response._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    pool = _pool_of_client(backend, client_id)
    issued = pool.refresh_tokens.get(token)
    if issued is not None and issued[0] == client_id:
        pool.refresh_tokens[token] = None
    return EmptyResult()


def _pool_of_client(backend: Any, client_id: str) -> Any:
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool
    raise ResourceNotFoundError(client_id)


def _pool_name(pool_id: str) -> str:
    """What SRP calls the pool's name: the part of its id after the region and "_"."""
    return pool_id.split("_", 1)[1]
