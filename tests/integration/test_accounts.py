"""A guest registers, confirms with the mailed code, signs in and reads their profile."""

from __future__ import annotations

import uuid

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.integration.conftest import Api, Run, client, sign_in

REGISTER = """mutation($email: AWSEmail!, $password: String!, $name: String!) {
  register(email: $email, password: $password, displayName: $name) { userConfirmed deliveryMedium destination }
}"""
CONFIRM = "mutation($email: AWSEmail!, $code: String!) { confirmRegistration(email: $email, code: $code) }"
PASSWORD = "Listen-2-music"


def error_type(raised: pytest.ExceptionInfo[TransportQueryError]) -> str:
    return raised.value.errors[0]["errorType"]


def test_register_confirm_login_refresh_me(local_api: Api, guest: Run) -> None:
    email = f"fan-{uuid.uuid4().hex[:8]}@example.com"
    registered = guest(REGISTER, email=email, password=PASSWORD, name="Fan")["register"]
    assert registered["userConfirmed"] is False

    with pytest.raises(TransportQueryError) as raised:
        sign_in(guest, email, PASSWORD)
    assert error_type(raised) == "UnauthorizedError"

    with pytest.raises(TransportQueryError) as raised:
        guest(CONFIRM, email=email, code="000000" if local_api.outbox(email)[-1]["code"] != "000000" else "111111")
    assert error_type(raised) == "ValidationError"

    code = local_api.outbox(email)[-1]["code"]
    assert guest(CONFIRM, email=email, code=code)["confirmRegistration"] is True

    session = sign_in(guest, email, PASSWORD)
    me = client(local_api.url, {"authorization": session["idToken"]})("{ me { id email displayName groups } }")["me"]
    assert (me["email"], me["displayName"], me["groups"]) == (email, "Fan", ["users"])

    refreshed = guest(
        "mutation($t: String!) { refreshSession(refreshToken: $t) { idToken } }", t=session["refreshToken"]
    )
    again = client(local_api.url, {"authorization": refreshed["refreshSession"]["idToken"]})("{ me { id } }")
    assert again["me"]["id"] == me["id"]


def test_account_errors(guest: Run) -> None:
    email = f"dup-{uuid.uuid4().hex[:8]}@example.com"
    guest(REGISTER, email=email, password=PASSWORD, name="Dup")
    with pytest.raises(TransportQueryError) as raised:
        guest(REGISTER, email=email, password=PASSWORD, name="Dup")
    assert error_type(raised) == "ConflictError"

    with pytest.raises(TransportQueryError) as raised:
        guest(REGISTER, email="not-an-email", password=PASSWORD, name="X")
    assert error_type(raised) == "ValidationError"

    with pytest.raises(TransportQueryError) as raised:
        guest(REGISTER, email=f"weak-{uuid.uuid4().hex[:8]}@example.com", password="short", name="X")
    assert error_type(raised) == "ValidationError"

    with pytest.raises(TransportQueryError) as raised:
        sign_in(guest, "admin@example.com", "wrong-Password1")
    assert error_type(raised) == "UnauthorizedError"
