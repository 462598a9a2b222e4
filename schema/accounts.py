"""Accounts: registration, sign-in and the caller's own profile (Cognito underneath)."""

from __future__ import annotations

import strawberry
from strawberry import ID

from schema.directives import GUEST, LISTENER, ApiKey
from schema.lambda_field import lambda_field
from schema.scalars import AWSDateTime, AWSEmail


@strawberry.type
class User:
    id: ID
    email: AWSEmail
    display_name: str
    groups: list[str]
    created_at: AWSDateTime


@strawberry.type(directives=[ApiKey()], description="Where the confirmation code was sent.")
class Registration:
    user_confirmed: bool
    delivery_medium: str | None
    destination: str | None


@strawberry.type(directives=[ApiKey()], description="Cognito tokens; send `idToken` as the Authorization header.")
class AuthSession:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int
    token_type: str


@strawberry.type
class AccountQuery:
    @lambda_field(auth=LISTENER)
    def me(self) -> User:
        """The signed-in caller's profile."""


@strawberry.type
class AccountMutation:
    @lambda_field(auth=GUEST)
    def register(self, email: AWSEmail, password: str, display_name: str) -> Registration:
        """Create an account; a confirmation code is sent to the email address."""

    @lambda_field(auth=GUEST)
    def confirm_registration(self, email: AWSEmail, code: str) -> bool:
        """Confirm an account with the emailed code; the account joins the listeners."""

    @lambda_field(auth=GUEST)
    def login(self, email: AWSEmail, password: str) -> AuthSession:
        """Sign in with email and password."""

    @lambda_field(auth=GUEST)
    def refresh_session(self, refresh_token: str) -> AuthSession:
        """New id and access tokens for a refresh token (the refresh token itself is not renewed)."""
