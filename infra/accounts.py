"""Accounts: the Cognito user pool, its groups and web client, and the post-confirmation trigger."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.functions import PythonFunction
from infra.nag import acknowledge
from infra.names import Stage
from schema.directives import ADMIN_GROUP, LISTENER_GROUP


class Accounts(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, table: dynamodb.ITableV2) -> None:
        super().__init__(scope, construct_id)
        self.post_confirmation = PythonFunction(
            self,
            "PostConfirmation",
            stage=stage,
            handler="resolvers.handlers.post_confirmation.handler",
            description="A confirmed account joins the listeners and gets its profile",
            environment={"TABLE_NAME": table.table_name},
            memory_size=256,
        ).function
        self.post_confirmation.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[table.table_arn])
        )

        self.user_pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=f"{stage.prefix}-users",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=8, require_lowercase=True, require_uppercase=True, require_digits=True, require_symbols=True
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            lambda_triggers=cognito.UserPoolTriggers(post_confirmation=self.post_confirmation),
            deletion_protection=stage.production,
            removal_policy=RemovalPolicy.RETAIN if stage.production else RemovalPolicy.DESTROY,
        )
        for group, precedence in ((ADMIN_GROUP, 0), (LISTENER_GROUP, 10)):
            cognito.CfnUserPoolGroup(
                self,
                f"{group.title()}Group",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=group,
                precedence=precedence,
            )
        self.web_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name=f"{stage.prefix}-web",
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )
        # The trigger adds the new account to a group. Granting on the pool's ARN through the
        # function's own policy would make pool and function depend on each other; a separate
        # policy attached to the role depends on both without a cycle.
        iam.Policy(
            self,
            "PostConfirmationGroups",
            statements=[
                iam.PolicyStatement(
                    actions=["cognito-idp:AdminAddUserToGroup"], resources=[self.user_pool.user_pool_arn]
                )
            ],
        ).attach_to_role(self.post_confirmation.role)  # type: ignore[arg-type]

        acknowledge(
            self.user_pool,
            "COG2",
            "MFA is optional: listeners choose it; the README asks administrators to turn it on",
        )
        acknowledge(
            self.user_pool,
            "COG8",
            "The Essentials feature plan; the Plus plan's threat protection is a per-deployment cost decision",
        )

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{Stack.of(self).region}.amazonaws.com/{self.user_pool.user_pool_id}"
