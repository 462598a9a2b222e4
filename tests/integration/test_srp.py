"""SRP sign-in (USER_SRP_AUTH) on the local user pool: only a proof of the right password signs in.

Amplify's own client is in tests/frontend; here a Python client does the client's half of
SRP-6a (S = (B - k·g^x)^(a + u·x), not the server's formula) to try what Amplify never sends:
another user's name with one's own proof, an answer replayed, a degenerate SRP_A.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import cognito_srp
from emulator.aws import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, REGION
from tests.integration.conftest import Api, Run
from tests.integration.test_new_content import PASSWORD, new_listener
from tests.integration.test_tokens import claims_of

TIMESTAMP = "Tue Dec 1 10:00:00 UTC 2026"


@pytest.fixture(scope="module")
def cognito(local_api: Api) -> Any:
    local_api.local_only()
    return boto3.client(
        "cognito-idp",
        endpoint_url=local_api.config["awsEndpoint"],
        region_name=REGION,
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
    )


def start(cognito: Any, local_api: Api, email: str) -> tuple[int, dict[str, str]]:
    """InitiateAuth(USER_SRP_AUTH): the client's secret a and the challenge's parameters."""
    a = int.from_bytes(secrets.token_bytes(128), "big")
    answer = cognito.initiate_auth(
        ClientId=local_api.config["userPoolClientId"],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": email, "SRP_A": format(pow(cognito_srp.G, a, cognito_srp.N), "x")},
    )
    assert answer["ChallengeName"] == "PASSWORD_VERIFIER"
    return a, answer["ChallengeParameters"]


def proof(local_api: Api, a: int, challenge: dict[str, str], password: str) -> dict[str, str]:
    """The client's PASSWORD_VERIFIER answer, computed as a client does."""
    n, g, k = cognito_srp.N, cognito_srp.G, cognito_srp.K
    pool_name = local_api.config["userPoolId"].split("_", 1)[1]
    user_id = challenge["USER_ID_FOR_SRP"]
    big_a, big_b = pow(g, a, n), int(challenge["SRP_B"], 16)
    u = int(cognito_srp.hash_hex(cognito_srp.padded_hex(big_a) + cognito_srp.padded_hex(big_b)), 16)
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = int(cognito_srp.hash_hex(cognito_srp.padded_hex(int(challenge["SALT"], 16)) + inner), 16)
    shared = pow(big_b - k * pow(g, x, n), a + u * x, n)
    key = cognito_srp.derived_key(shared, u)
    return {
        "USERNAME": challenge["USERNAME"],
        "PASSWORD_CLAIM_SECRET_BLOCK": challenge["SECRET_BLOCK"],
        "TIMESTAMP": TIMESTAMP,
        "PASSWORD_CLAIM_SIGNATURE": cognito_srp.claim_signature(
            key, pool_name, user_id, challenge["SECRET_BLOCK"], TIMESTAMP
        ),
    }


def answer(cognito: Any, local_api: Api, responses: dict[str, str]) -> dict[str, Any]:
    return cognito.respond_to_auth_challenge(
        ClientId=local_api.config["userPoolClientId"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
    )


def refused(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


def test_the_right_password_signs_in_and_a_wrong_one_does_not(cognito: Any, local_api: Api, guest: Run) -> None:
    email = new_listener(local_api, guest).email
    a, challenge = start(cognito, local_api, email)
    tokens = answer(cognito, local_api, proof(local_api, a, challenge, PASSWORD))["AuthenticationResult"]
    assert claims_of(tokens["IdToken"])["email"] == email
    assert claims_of(tokens["AccessToken"])["sub"] == challenge["USER_ID_FOR_SRP"]

    a, challenge = start(cognito, local_api, email)
    wrong = proof(local_api, a, challenge, PASSWORD + "x")
    assert refused(lambda: answer(cognito, local_api, wrong)) == "NotAuthorizedException"


def test_an_answer_counts_once_and_for_its_own_user_only(cognito: Any, local_api: Api, guest: Run) -> None:
    mine, theirs = new_listener(local_api, guest).email, new_listener(local_api, guest).email
    their_id = cognito.admin_get_user(UserPoolId=local_api.config["userPoolId"], Username=theirs)["Username"]
    a, challenge = start(cognito, local_api, mine)
    posing = {**proof(local_api, a, challenge, PASSWORD), "USERNAME": their_id}
    assert refused(lambda: answer(cognito, local_api, posing)) == "NotAuthorizedException"

    a, challenge = start(cognito, local_api, mine)
    honest = proof(local_api, a, challenge, PASSWORD)
    assert answer(cognito, local_api, honest)["AuthenticationResult"]["AccessToken"]
    assert refused(lambda: answer(cognito, local_api, honest)) == "NotAuthorizedException"


def test_a_degenerate_client_value_is_refused(cognito: Any, local_api: Api, guest: Run) -> None:
    email = new_listener(local_api, guest).email
    for srp_a in ("0", format(cognito_srp.N, "x"), "not-hex"):
        code = refused(
            lambda srp_a=srp_a: cognito.initiate_auth(
                ClientId=local_api.config["userPoolClientId"],
                AuthFlow="USER_SRP_AUTH",
                AuthParameters={"USERNAME": email, "SRP_A": srp_a},
            )
        )
        assert code == "InvalidParameterException"
