"""Accounts: sign-up, confirmation and sign-in through Cognito, and the caller's profile."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from resolvers import aws_clients
from resolvers.clock import now_iso
from resolvers.data import accounts as accounts_data
from resolvers.data import table
from resolvers.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from resolvers.settings import settings
from resolvers.validation import text

# The Cognito groups of schema/directives.py (only resolvers/ ships to Lambda; tests keep them equal).
LISTENER_GROUP = "users"
ADMIN_GROUP = "admin"
DISPLAY_NAME_MAX = 60
PASSWORD_MAX = 256

# Cognito's error codes, as the caller should see them.
_ERRORS: dict[str, tuple[type[Exception], str | None]] = {
    "UsernameExistsException": (ConflictError, "An account with this email already exists"),
    "InvalidPasswordException": (ValidationError, None),
    "InvalidParameterException": (ValidationError, None),
    "CodeMismatchException": (ValidationError, "code: the confirmation code is wrong"),
    "ExpiredCodeException": (ValidationError, "code: the confirmation code has expired; register again"),
    "UserNotFoundException": (UnauthorizedError, "Incorrect email or password"),
    "NotAuthorizedException": (UnauthorizedError, "Incorrect email or password"),
    "UserNotConfirmedException": (
        UnauthorizedError,
        "The account is not confirmed yet: confirm it with the emailed code",
    ),
    "TooManyRequestsException": (ConflictError, "Too many attempts; try again later"),
    "LimitExceededException": (ConflictError, "Too many attempts; try again later"),
}


@cache
def _cognito() -> Any:
    return aws_clients.client("cognito-idp")


def _call(
    operation: str, overrides: Mapping[str, tuple[type[Exception], str | None]] | None = None, **request: Any
) -> dict[str, Any]:
    """Call Cognito, turning its error codes into the domain's typed errors."""
    try:
        return getattr(_cognito(), operation)(**request)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        known = {**_ERRORS, **(overrides or {})}
        if code not in known:
            raise
        kind, message = known[code]
        raise kind(message or error.response["Error"].get("Message", code)) from None


def _password(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > PASSWORD_MAX:
        raise ValidationError(f"password: 1 to {PASSWORD_MAX} characters")
    return value


def register(email: str, password: Any, display_name: Any) -> dict[str, Any]:
    name = text(display_name, "displayName", max_length=DISPLAY_NAME_MAX)
    response = _call(
        "sign_up",
        ClientId=settings().client_id,
        Username=email.strip().lower(),
        Password=_password(password),
        UserAttributes=[{"Name": "email", "Value": email.strip().lower()}, {"Name": "name", "Value": name}],
    )
    delivery = response.get("CodeDeliveryDetails") or {}
    return {
        "userConfirmed": bool(response.get("UserConfirmed")),
        "deliveryMedium": delivery.get("DeliveryMedium"),
        "destination": delivery.get("Destination"),
    }


def confirm(email: str, code: Any) -> bool:
    code = text(code, "code", max_length=10)
    _call(
        "confirm_sign_up",
        # Cognito says NotAuthorized for an account that is already confirmed.
        overrides={
            "UserNotFoundException": (NotFoundError, "No account waits for confirmation with this email"),
            "NotAuthorizedException": (ConflictError, "The account is already confirmed"),
        },
        ClientId=settings().client_id,
        Username=email.strip().lower(),
        ConfirmationCode=code,
    )
    return True


def _session(result: Mapping[str, Any], refresh_token: str | None = None) -> dict[str, Any]:
    return {
        "idToken": result["IdToken"],
        "accessToken": result["AccessToken"],
        "refreshToken": result.get("RefreshToken", refresh_token),
        "expiresIn": result["ExpiresIn"],
        "tokenType": result.get("TokenType", "Bearer"),
    }


def login(email: str, password: Any) -> dict[str, Any]:
    response = _call(
        "initiate_auth",
        ClientId=settings().client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email.strip().lower(), "PASSWORD": _password(password)},
    )
    if "AuthenticationResult" not in response:
        raise UnauthorizedError(
            f"Sign-in needs a further step this API does not offer: {response.get('ChallengeName')}"
        )
    return _session(response["AuthenticationResult"])


def refresh(refresh_token: Any) -> dict[str, Any]:
    if not isinstance(refresh_token, str) or not refresh_token.strip():
        raise ValidationError("refreshToken: is required")
    response = _call(
        "initiate_auth",
        ClientId=settings().client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return _session(response["AuthenticationResult"])


def me(user_id: str, groups: list[str]) -> dict[str, Any]:
    profile = table.get("PROFILE", user_id)
    if profile is None:
        raise NotFoundError("No profile for this account yet")
    return {**profile, "groups": groups}


def on_confirmed(pool_id: str, username: str, attributes: Mapping[str, str]) -> None:
    """A confirmed account joins the listeners and gets its profile; safe to repeat."""
    _call("admin_add_user_to_group", UserPoolId=pool_id, Username=username, GroupName=LISTENER_GROUP)
    accounts_data.put_profile(
        {
            "id": attributes["sub"],
            "email": attributes.get("email", ""),
            "displayName": attributes.get("name") or attributes.get("email", "").split("@")[0],
            "createdAt": now_iso(),
        }
    )
