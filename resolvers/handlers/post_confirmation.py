"""Cognito post-confirmation trigger: the new account joins the listeners and gets a profile."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from resolvers import accounts
from resolvers.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("triggerSource") == "PostConfirmation_ConfirmSignUp":
        accounts.on_confirmed(event["userPoolId"], event["userName"], event["request"]["userAttributes"])
    return event
