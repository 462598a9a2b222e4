"""Email about new releases: one SNS topic, one email subscription per opted-in listener.

Each publish carries the String.Array attribute `follows` (`["artist:<id>", "genre:<g>"]`)
and each subscription a filter policy listing what its listener follows
(`{"follows": ["artist:<id>", "genre:<g>", ...]}`): SNS matches any shared value, so a
listener gets one email per release whether they follow the artist, the genre or both.
One attribute (not an `artistId`/`genre` pair under `$or`) keeps the policy's complexity
equal to its number of values, which SNS caps at 150: past 150 follows, the policy holds
the 150 most recent ones (the inbox and the real-time feed still cover every follow).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from resolvers import aws_clients
from resolvers.clock import now_iso
from resolvers.data import catalog as catalog_data
from resolvers.data import follows as follows_data
from resolvers.data import table
from resolvers.errors import NotFoundError, ValidationError
from resolvers.observability import logger
from resolvers.settings import settings

# SNS: "the total combination of values in a filter policy must not exceed 150".
FILTER_VALUES_MAX = 150
# The policy of a listener who follows nothing yet: no release is tagged with it.
NOTHING = "nothing"
SUBJECT_MAX = 99


@cache
def _sns() -> Any:
    return aws_clients.client("sns")


def follow_tag(follow: Mapping[str, Any]) -> str:
    return f"artist:{follow['artistId']}" if follow.get("artistId") else f"genre:{follow['genre']}"


def filter_policy(follows: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[str]], int]:
    """The policy for these follows (the newest 150) and how many it leaves out."""
    newest = sorted(follows, key=lambda f: f["followedAt"], reverse=True)
    tags = sorted(follow_tag(f) for f in newest[:FILTER_VALUES_MAX])
    return {"follows": tags or [NOTHING]}, max(0, len(follows) - FILTER_VALUES_MAX)


def _profile(user_id: str) -> dict[str, Any]:
    profile = table.get("PROFILE", user_id)
    if profile is None:
        raise NotFoundError("No profile for this account yet")
    return profile


def _summary(profile: Mapping[str, Any], follows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    _, left_out = filter_policy(follows)
    return {
        "enabled": bool(profile.get("emailSubscriptionArn")),
        "email": profile.get("email") or None,
        "followsCovered": len(follows) - left_out,
        "followsNotCovered": left_out,
    }


def email_settings(user_id: str) -> dict[str, Any]:
    return _summary(_profile(user_id), follows_data.all_follows(user_id))


def set_enabled(user_id: str, enabled: Any) -> dict[str, Any]:
    """Subscribe the listener's address to the topic with their policy, or unsubscribe it.

    On AWS, SNS first mails the address a confirmation link; nothing is delivered until the
    listener follows it. The subscription ARN is known at once (`ReturnSubscriptionArn`).
    """
    if not isinstance(enabled, bool):
        raise ValidationError("enabled: must be true or false")
    profile = _profile(user_id)
    follows = follows_data.all_follows(user_id)
    arn = profile.get("emailSubscriptionArn")
    if enabled and not arn:
        if not profile.get("email"):
            raise ValidationError("The account has no email address")
        policy, _ = filter_policy(follows)
        arn = _sns().subscribe(
            TopicArn=settings().topic_arn,
            Protocol="email",
            Endpoint=profile["email"],
            Attributes={"FilterPolicyScope": "MessageAttributes", "FilterPolicy": json.dumps(policy)},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        profile = catalog_data.update("PROFILE", user_id, {"emailSubscriptionArn": arn}, now_iso())
    elif not enabled and arn:
        _unsubscribe(arn)
        profile = catalog_data.update("PROFILE", user_id, {"emailSubscriptionArn": None}, now_iso())
    return _summary(profile, follows)


def _unsubscribe(arn: str) -> None:
    try:
        _sns().unsubscribe(SubscriptionArn=arn)
    except ClientError as error:
        # A subscription never confirmed (or already removed by its unsubscribe link) is gone anyway.
        if error.response["Error"]["Code"] not in ("NotFound", "InvalidParameter"):
            raise
        logger.info("email subscription already gone", extra={"subscription": arn})


def follows_changed(user_id: str) -> None:
    """Bring the listener's filter policy in line with their follows, if they get email."""
    profile = table.get("PROFILE", user_id)
    arn = (profile or {}).get("emailSubscriptionArn")
    if not arn:
        return
    policy, _ = filter_policy(follows_data.all_follows(user_id))
    _sns().set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=json.dumps(policy)
    )


def _ascii(text: str) -> str:
    """SNS email subjects must be ASCII: accents are dropped, other characters removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip()


def publish(content: Mapping[str, Any]) -> str:
    """One publish per release; SNS delivers it to the subscriptions whose policy matches."""
    kind = content["kind"].lower()
    subject = _ascii(f"New {kind} by {content['artistName']}: {content['title']}")[:SUBJECT_MAX]
    body = (
        f"{content['artistName']} released a new {kind}: {content['title']} ({content['genre']}).\n"
        "Open the app to listen.\n\n"
        "You get this email because you follow this artist or genre; turn it off in your settings."
    )
    tags = [f"artist:{content['artistId']}", f"genre:{content['genre']}"]
    response = _sns().publish(
        TopicArn=settings().topic_arn,
        Subject=subject or "New release",
        Message=body,
        MessageAttributes={
            "follows": {"DataType": "String.Array", "StringValue": json.dumps(tags)},
            "artistId": {"DataType": "String", "StringValue": content["artistId"]},
            "genre": {"DataType": "String", "StringValue": content["genre"]},
            "kind": {"DataType": "String", "StringValue": content["kind"]},
        },
    )
    return response["MessageId"]
