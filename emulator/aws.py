"""The embedded AWS emulation: moto's server on 127.0.0.1, provisioned like the CDK stack.

Our Lambda code reaches it through boto3's standard `AWS_ENDPOINT_URL`, so the code
is the same as on AWS. Where moto stops short of AWS, this module fills in what AWS
does around our code, and nothing else:
- Cognito emails a confirmation code on sign-up and checks it on confirmation (moto
  accepts any code): here the code goes to the local outbox and is checked.
- Cognito checks the password in SRP sign-in, Amplify's default (moto does not): see
  emulator/cognito_flows.py, with the id token's attributes and the refresh and revoke calls.
- Cognito invokes the pool's post-confirmation trigger: here the local Lambda runtime does.
- SNS delivers to email subscriptions (moto drops those publishes): here each publish goes
  to the local outbox for every email subscription whose filter policy matches it.
- DynamoDB serves concurrent requests safely: moto's requests read and change shared
  dictionaries (a write landing while a transaction copied the table broke it, "dictionary
  changed size during iteration", a 500). Here DynamoDB requests run one at a time.
- DynamoDB's cost does not grow with the table and retried transactions are idempotent:
  emulator/moto_fixes/ (docs/emulator-dynamodb.md).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from moto.cognitoidp import models as cognito_models
from moto.cognitoidp import responses as cognito_responses
from moto.cognitoidp.exceptions import CodeMismatchException
from moto.dynamodb import responses as dynamodb_responses
from moto.server import ThreadedMotoServer
from moto.sns import models as sns_models

from emulator import cognito_flows, moto_fixes
from emulator.lambdas import Functions
from emulator.outbox import Outbox
from resolvers.table_layout import create_table_request
from schema.directives import ADMIN_GROUP, LISTENER_GROUP

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
# The emulated account's only credentials: boto3 everywhere in the process signs with them,
# and the API's IAM auth mode verifies SigV4 signatures against them.
LOCAL_ACCESS_KEY = "local"
LOCAL_SECRET_KEY = "local"  # noqa: S105 - a fixed fake secret that guards nothing
TABLE_NAME = "music-local"
POOL_NAME = "music-local-users"
POST_CONFIRMATION = "music-local-post-confirmation"
API_FUNCTION = "music-local-api"
MEDIA_PROCESSOR = "music-local-media-processor"
MEDIA_BUCKET = "music-local-media"
UPLOAD_QUEUE = "music-local-uploads"
CLEANUP_QUEUE = "music-local-cleanup"
CLEANUP = "music-local-cleanup"
NEW_CONTENT_FUNCTION = "music-local-new-content"
NEW_CONTENT_QUEUE = "music-local-new-content"
NEW_CONTENT_TOPIC = "music-local-new-content"
FEED_FUNCTION = "music-local-feed"
FEED_QUEUE = "music-local-feed"
# Failed deliveries come back quickly locally; on AWS the timeout follows the function's.
VISIBILITY_SECONDS = 2
MAX_RECEIVES = 3
# A fixed key, so a local frontend can keep it in its config; it guards nothing on this machine.
LOCAL_API_KEY = "da2-localmusicplatform"


@dataclass(frozen=True)
class FunctionSpec:
    """A function of the stack as the local runtime runs it: the stack's handler and timeout."""

    name: str
    handler: str
    timeout_seconds: int


# The stack's functions; tests/infra/test_timeouts.py checks the timeouts against the template.
FUNCTIONS = (
    FunctionSpec(API_FUNCTION, "resolvers.handlers.api.handler", 10),
    FunctionSpec(POST_CONFIRMATION, "resolvers.handlers.post_confirmation.handler", 10),
    FunctionSpec(MEDIA_PROCESSOR, "resolvers.handlers.media_processor.handler", 300),
    FunctionSpec(CLEANUP, "resolvers.handlers.cleanup.handler", 60),
    FunctionSpec(NEW_CONTENT_FUNCTION, "resolvers.handlers.new_content.handler", 300),
    FunctionSpec(FEED_FUNCTION, "resolvers.handlers.feed.handler", 60),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class LocalStack:
    """What the emulated account holds, as the CDK stack's outputs would say it."""

    endpoint: str
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    api_key: str
    media_bucket: str
    upload_queue_url: str
    cleanup_queue_url: str
    new_content_queue_url: str
    new_content_dlq_url: str
    new_content_topic_arn: str
    feed_queue_url: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.user_pool_id}/.well-known/jwks.json"


class Cognito:
    """Confirmation codes by mail and the post-confirmation trigger, around moto's Cognito."""

    def __init__(self, outbox: Outbox, functions: Functions) -> None:
        self.outbox = outbox
        self.functions = functions
        self._codes: dict[tuple[str, str], str] = {}

    def install(self) -> None:
        emulation = self
        original_sign_up = cognito_models.CognitoIdpBackend.sign_up
        original_confirm = cognito_models.CognitoIdpBackend.confirm_sign_up
        original_admin_confirm = cognito_models.CognitoIdpBackend.admin_confirm_sign_up
        original_confirm_response = cognito_responses.CognitoIdpResponse.confirm_sign_up

        def sign_up(backend: Any, client_id: str, username: str, password: str, attributes: Any) -> Any:
            user, details = original_sign_up(backend, client_id, username, password, attributes)
            emulation._mail_code(user)
            return user, details

        def confirm_response(response: Any) -> Any:
            backend = response._get_region_agnostic_backend()._find_backend_for_clientid(
                response._get_param("ClientId")
            )
            pool = next(p for p in backend.user_pools.values() if response._get_param("ClientId") in p.clients)
            user = backend.admin_get_user(pool.id, response._get_param("Username"))
            if emulation._codes.get((pool.id, user.username)) != response._get_param("ConfirmationCode"):
                raise CodeMismatchException("Invalid verification code provided, please try again.")
            return original_confirm_response(response)

        def confirm(backend: Any, client_id: str, username: str) -> str:
            result = original_confirm(backend, client_id, username)
            pool = next(p for p in backend.user_pools.values() if client_id in p.clients)
            emulation._confirmed(pool, backend.admin_get_user(pool.id, username))
            return result

        def admin_confirm(backend: Any, user_pool_id: str, username: str) -> str:
            result = original_admin_confirm(backend, user_pool_id, username)
            emulation._confirmed(
                backend.describe_user_pool(user_pool_id), backend.admin_get_user(user_pool_id, username)
            )
            return result

        cognito_models.CognitoIdpBackend.sign_up = sign_up
        cognito_models.CognitoIdpBackend.confirm_sign_up = confirm
        cognito_models.CognitoIdpBackend.admin_confirm_sign_up = admin_confirm
        cognito_responses.CognitoIdpResponse.confirm_sign_up = confirm_response

    def pending_codes(self, pool_id: str) -> dict[str, str]:
        """Codes mailed and not used yet, by username: a restart keeps them (emulator/persistence.py)."""
        return {username: code for (pool, username), code in list(self._codes.items()) if pool == pool_id}

    def restore_codes(self, pool_id: str, codes: dict[str, str]) -> None:
        self._codes.update({(pool_id, username): code for username, code in codes.items()})

    def _mail_code(self, user: Any) -> None:
        code = f"{secrets.randbelow(10**6):06d}"
        self._codes[(user.user_pool_id, user.username)] = code
        email = user.attribute_lookup.get("email", user.username)
        self.outbox.send(email, "Your verification code", f"Your confirmation code is {code}", code=code)

    def _confirmed(self, pool: Any, user: Any) -> None:
        self._codes.pop((pool.id, user.username), None)
        # The code went to the address, so Cognito marks the auto-verified attributes verified (moto does not).
        verified = [
            {"Name": f"{name}_verified", "Value": "true"}
            for name in pool.extended_config.get("AutoVerifiedAttributes", [])
            if name in user.attribute_lookup
        ]
        if verified:
            user.update_attributes(verified)
        arn = pool.extended_config.get("LambdaConfig", {}).get("PostConfirmation")
        if not arn:
            return
        event = {
            "version": "1",
            "region": REGION,
            "userPoolId": pool.id,
            "userName": user.username,
            "triggerSource": "PostConfirmation_ConfirmSignUp",
            "callerContext": {"clientId": next(iter(pool.clients), None)},
            "request": {"userAttributes": {**user.attribute_lookup, "cognito:user_status": "CONFIRMED"}},
            "response": {},
        }
        self.functions.get(arn).invoke(event)


class SnsEmail:
    """SNS email delivery around moto: a publish reaches the outbox of each matching email subscription.

    Generic SNS behaviour, nothing about our topics: the subscription's filter policy
    (moto's own matcher) decides, `email` gets the message text with the subject,
    `email-json` the JSON notification. Subscriptions are confirmed at once locally; on AWS
    the address first gets a confirmation link.
    """

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def install(self) -> None:
        emulation = self
        original_publish = sns_models.Subscription.publish

        def publish(subscription: Any, message: str, message_id: str, subject: str | None = None, **more: Any) -> None:
            if subscription.protocol not in ("email", "email-json"):
                return original_publish(subscription, message, message_id, subject, **more)
            attributes = more.get("message_attributes")
            matcher = subscription._filter_policy_matcher
            if matcher is None or matcher.matches(attributes, message):
                emulation._mail(subscription, message, message_id, subject, more.get("message_structure"))
            return None

        sns_models.Subscription.publish = publish

    def _mail(
        self, subscription: Any, message: str, message_id: str, subject: str | None, structure: str | None
    ) -> None:
        if structure == "json":
            message = subscription._parse_message_structure(message, subscription.protocol)
        if subscription.protocol == "email-json":
            message = json.dumps(subscription.get_post_data(message, message_id, subject), indent=2)
        self.outbox.send(
            subscription.endpoint,
            subject or "AWS Notification Message",
            message,
            via="sns",
            topicArn=subscription.topic.arn,
            subscriptionArn=subscription.arn,
            messageId=message_id,
        )


# Held by every DynamoDB request in moto, and by whoever reads moto's tables directly.
DYNAMODB_LOCK = threading.Lock()


def serialize_dynamodb() -> None:
    """One DynamoDB request at a time in moto (see the module's docstring)."""
    original = dynamodb_responses.DynamoHandler.call_action
    if getattr(original, "serialized", False):
        return

    def call_action(handler: Any) -> Any:
        with DYNAMODB_LOCK:
            return original(handler)

    call_action.serialized = True  # type: ignore[attr-defined]
    dynamodb_responses.DynamoHandler.call_action = call_action  # type: ignore[method-assign]


class EmbeddedAws:
    """Starts moto on 127.0.0.1 and provisions the table, user pool and API key."""

    def __init__(
        self, outbox: Outbox, functions: Functions, port: int | None = None, instance: str | None = None
    ) -> None:
        self.port = port or free_port()
        self.outbox = outbox
        self.functions = functions
        # The user pool and app client ids derive from it: the same instance, the same ids, so
        # tokens issued before a restart with a data directory stay valid (moto signs with one key).
        self.instance = instance or uuid.uuid4().hex
        self.cognito = Cognito(outbox, functions)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.stack: LocalStack | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalStack:
        # Credentials and region for boto3 everywhere in this process, our Lambda code included.
        os.environ.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_ACCESS_KEY_ID=LOCAL_ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=LOCAL_SECRET_KEY,
            MOTO_ALLOW_NONEXISTENT_REGION="true",
            MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY="HASH",
            MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY="HASH",
        )
        os.environ.pop("AWS_PROFILE", None)
        self.cognito.install()
        cognito_flows.install()
        SnsEmail(self.outbox).install()
        # Fixes first: the lock must wrap them (compact_items encodes items at the end of each request).
        moto_fixes.install()
        serialize_dynamodb()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        self._server.start()
        self.stack = self._provision()
        os.environ.update(
            MEDIA_BUCKET=self.stack.media_bucket,
            CLEANUP_QUEUE_URL=self.stack.cleanup_queue_url,
            TABLE_NAME=self.stack.table_name,
            USER_POOL_ID=self.stack.user_pool_id,
            USER_POOL_CLIENT_ID=self.stack.user_pool_client_id,
            NEW_CONTENT_QUEUE_URL=self.stack.new_content_queue_url,
            NEW_CONTENT_TOPIC_ARN=self.stack.new_content_topic_arn,
            FEED_QUEUE_URL=self.stack.feed_queue_url,
        )
        return self.stack

    def stop(self) -> None:
        self._server.stop()

    def _provision(self) -> LocalStack:
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**create_table_request(TABLE_NAME))
        cognito = boto3.client("cognito-idp")
        pool = cognito.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                }
            },
            LambdaConfig={"PostConfirmation": self.functions.arn(POST_CONFIRMATION)},
            UserPoolTags={"emulator-instance": self.instance},
        )["UserPool"]
        for group in (ADMIN_GROUP, LISTENER_GROUP):
            cognito.create_group(UserPoolId=pool["Id"], GroupName=group)
        client = cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        queue, dead_letters = self._queue_with_dlq(NEW_CONTENT_QUEUE)
        return LocalStack(
            endpoint=self.endpoint,
            table_name=TABLE_NAME,
            user_pool_id=pool["Id"],
            user_pool_client_id=client["ClientId"],
            api_key=LOCAL_API_KEY,
            media_bucket=MEDIA_BUCKET,
            upload_queue_url=self._provision_media(),
            cleanup_queue_url=self._queue_with_dlq(CLEANUP_QUEUE)[0],
            new_content_queue_url=queue,
            new_content_dlq_url=dead_letters,
            new_content_topic_arn=boto3.client("sns").create_topic(Name=NEW_CONTENT_TOPIC)["TopicArn"],
            feed_queue_url=self._queue_with_dlq(FEED_QUEUE)[0],
        )

    def _queue_with_dlq(self, name: str) -> tuple[str, str]:
        """A queue whose poison messages move to `<name>-dlq` after MAX_RECEIVES deliveries; both URLs."""
        sqs = boto3.client("sqs")
        dead = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue = sqs.create_queue(
            QueueName=name,
            Attributes={
                "VisibilityTimeout": str(VISIBILITY_SECONDS),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(MAX_RECEIVES)}),
            },
        )["QueueUrl"]
        return queue, dead

    def _provision_media(self) -> str:
        """The media bucket, readable from a browser on another origin, notifying the upload queue."""
        queue = self._queue_with_dlq(UPLOAD_QUEUE)[0]
        queue_arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=MEDIA_BUCKET)
        s3.put_bucket_cors(
            Bucket=MEDIA_BUCKET,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": ["*"],
                        "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag", "Content-Length", "Content-Range", "Accept-Ranges"],
                        "MaxAgeSeconds": 3000,
                    }
                ]
            },
        )
        s3.put_bucket_notification_configuration(
            Bucket=MEDIA_BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        return queue
