"""Accounts through the API handler and the post-confirmation trigger."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from emulator.lambdas import LambdaContext
from resolvers.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from resolvers.handlers import post_confirmation
from tests.unit.conftest import appsync_event, invoke

EMAIL = "ana@example.com"
PASSWORD = "Sup3r-secret!"


def guest(field: str, **arguments: Any) -> Any:
    return invoke(appsync_event("Mutation", field, arguments, groups=None))


def confirm(aws: dict[str, str]) -> dict[str, Any]:
    cognito = boto3.client("cognito-idp")
    cognito.admin_confirm_sign_up(UserPoolId=aws["user_pool_id"], Username=EMAIL)
    user = cognito.admin_get_user(UserPoolId=aws["user_pool_id"], Username=EMAIL)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    event = {
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "userPoolId": aws["user_pool_id"],
        "userName": user["Username"],
        "request": {"userAttributes": attributes},
        "response": {},
    }
    assert post_confirmation.handler(event, LambdaContext("post-confirmation")) == event
    return attributes


def test_register_confirm_login_me(aws: dict[str, str]) -> None:
    assert guest("register", email=EMAIL, password=PASSWORD, displayName="Ana")["userConfirmed"] is False
    with pytest.raises(UnauthorizedError, match="not confirmed"):
        guest("login", email=EMAIL, password=PASSWORD)
    attributes = confirm(aws)
    session = guest("login", email=EMAIL, password=PASSWORD)
    assert session["idToken"] and session["refreshToken"] and session["expiresIn"] > 0
    refreshed = guest("refreshSession", refreshToken=session["refreshToken"])
    assert refreshed["idToken"]

    me = appsync_event("Query", "me", groups=("users",))
    me["identity"]["sub"] = attributes["sub"]
    profile = invoke(me)
    assert (profile["email"], profile["displayName"], profile["groups"]) == (EMAIL, "Ana", ["users"])
    groups = boto3.client("cognito-idp").admin_list_groups_for_user(UserPoolId=aws["user_pool_id"], Username=EMAIL)
    assert [g["GroupName"] for g in groups["Groups"]] == ["users"]


def test_trigger_is_safe_to_repeat(aws: dict[str, str]) -> None:
    guest("register", email=EMAIL, password=PASSWORD, displayName="Ana")
    confirm(aws)
    confirm(aws)
    items = boto3.client("dynamodb").scan(TableName="music-test")["Items"]
    assert len(items) == 1


def test_account_errors_are_typed(aws: dict[str, str]) -> None:
    guest("register", email=EMAIL, password=PASSWORD, displayName="Ana")
    with pytest.raises(ConflictError, match="already exists"):
        guest("register", email=EMAIL, password=PASSWORD, displayName="Ana")
    with pytest.raises(ValidationError, match="displayName"):
        guest("register", email="bo@example.com", password=PASSWORD, displayName="  ")
    confirm(aws)
    with pytest.raises(UnauthorizedError, match="Incorrect email or password"):
        guest("login", email=EMAIL, password="wrong-Passw0rd")
    with pytest.raises(UnauthorizedError, match="Incorrect email or password"):
        guest("login", email="nobody@example.com", password=PASSWORD)


def test_me_without_a_profile_is_not_found(aws: dict[str, str]) -> None:
    with pytest.raises(NotFoundError):
        invoke(appsync_event("Query", "me", groups=("users",)))
