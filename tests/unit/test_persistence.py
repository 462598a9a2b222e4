"""The emulator's data directory, saved from one AWS emulation and restored into a fresh one (in-process moto).

What the integration tests cannot arrange on cue: messages still queued (and one in
flight) at the stop, a code mailed and not used yet, and media restored without S3
notifications, which would make the media processor look at every file again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from emulator import aws, moto_fixes
from emulator.lambdas import Functions
from emulator.outbox import Outbox
from emulator.persistence import LocalState

EMAIL, PASSWORD = "kept@example.com", "Kept-1-password!"


@pytest.fixture(autouse=True)
def local_account(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings EmbeddedAws.start gives the process, without its server: boto3 calls stay in process."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": aws.REGION,
        "AWS_ACCESS_KEY_ID": aws.LOCAL_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": aws.LOCAL_SECRET_KEY,
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
    }.items():
        monkeypatch.setenv(name, value)


def provision(state: LocalState) -> tuple[aws.LocalStack, aws.Cognito]:
    """The stack as the emulator provisions it, for the instance the data directory names."""
    embedded = aws.EmbeddedAws(Outbox(), Functions(), instance=state.instance)
    stack = embedded._provision()
    state.attach(stack, embedded.cognito)
    return stack, embedded.cognito


def messages(queue_url: str) -> list[str]:
    sqs = boto3.client("sqs")
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in received.get("Messages", []))


def build_up(stack: aws.LocalStack, cognito: aws.Cognito) -> dict[str, Any]:
    idp, sqs, s3, sns = (boto3.client(name) for name in ("cognito-idp", "sqs", "s3", "sns"))
    idp.admin_create_user(UserPoolId=stack.user_pool_id, Username=EMAIL, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=stack.user_pool_id, Username=EMAIL, Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=EMAIL, GroupName="users")
    session = idp.initiate_auth(
        ClientId=stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    cognito.restore_codes(stack.user_pool_id, {"pending@example.com": "424242"})  # mailed, not used yet

    for body in ("waiting", "in flight"):
        sqs.send_message(QueueUrl=stack.cleanup_queue_url, MessageBody=body)
    sqs.receive_message(QueueUrl=stack.cleanup_queue_url, MaxNumberOfMessages=1)  # one being processed now
    sqs.send_message(QueueUrl=stack.new_content_dlq_url, MessageBody="poison")
    s3.put_object(Bucket=stack.media_bucket, Key="audio/song-1/take-1", Body=b"RIFF", ContentType="audio/wav")
    assert "ObjectCreated" in str(messages(stack.upload_queue_url)), "S3 told the media processor of the upload"
    sqs.purge_queue(QueueUrl=stack.upload_queue_url)  # which has dealt with it
    subscription = sns.subscribe(
        TopicArn=stack.new_content_topic_arn,
        Protocol="email",
        Endpoint=EMAIL,
        Attributes={"FilterPolicy": json.dumps({"follows": ["genre:jazz"]})},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return {"refreshToken": session["RefreshToken"], "subscription": subscription}


def test_a_fresh_emulation_gets_back_sessions_queues_media_and_subscriptions(tmp_path: Path) -> None:
    saved = LocalState(tmp_path)
    with mock_aws():
        before, cognito = provision(saved)
        made = build_up(before, cognito)
        assert saved.save()
        assert not saved.save(), "nothing changed: nothing written"

    restored = LocalState(tmp_path)
    assert restored.exists and restored.instance == saved.instance
    with mock_aws():
        after, cognito = provision(restored)
        assert (after.user_pool_id, after.user_pool_client_id) == (before.user_pool_id, before.user_pool_client_id)
        restored.restore()

        idp = boto3.client("cognito-idp")
        refreshed = idp.initiate_auth(
            ClientId=after.user_pool_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": made["refreshToken"]},
        )["AuthenticationResult"]
        assert refreshed["IdToken"]
        assert cognito.pending_codes(after.user_pool_id) == {"pending@example.com": "424242"}

        assert messages(after.cleanup_queue_url) == ["in flight", "waiting"], "in flight at the stop: delivered again"
        assert messages(after.new_content_dlq_url) == ["poison"]
        assert "ObjectCreated" not in str(messages(after.upload_queue_url)), "restored media is not processed again"
        kept = boto3.client("s3").get_object(Bucket=after.media_bucket, Key="audio/song-1/take-1")
        assert (kept["Body"].read(), kept["ContentType"]) == (b"RIFF", "audio/wav")

        sns = boto3.client("sns")
        attributes = sns.get_subscription_attributes(SubscriptionArn=made["subscription"])["Attributes"]
        assert (attributes["Endpoint"], json.loads(attributes["FilterPolicy"])) == (EMAIL, {"follows": ["genre:jazz"]})


def test_without_a_data_directory_each_start_has_its_own_user_pool() -> None:
    pools = []
    for _ in range(2):
        with mock_aws():
            pools.append(aws.EmbeddedAws(Outbox(), Functions())._provision().user_pool_id)
    assert pools[0] != pools[1]


def test_the_table_is_read_again_only_after_a_dynamodb_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot check decodes every item of the table: it does so only when an action may have changed it."""
    reads: list[int] = []
    all_items = Table.all_items
    monkeypatch.setattr(Table, "all_items", lambda table: reads.append(1) or all_items(table))
    state = LocalState(tmp_path)
    moto_fixes.install()
    try:
        with mock_aws():
            stack, _ = provision(state)
            dynamodb = boto3.client("dynamodb")
            dynamodb.put_item(TableName=stack.table_name, Item={"PK": {"S": "A"}, "SK": {"S": "1"}})
            assert state.save()
            reads.clear()
            dynamodb.get_item(TableName=stack.table_name, Key={"PK": {"S": "A"}, "SK": {"S": "1"}})
            assert not state.save()
            assert reads == [], "a read changes nothing: the table was not read again"
            dynamodb.put_item(TableName=stack.table_name, Item={"PK": {"S": "B"}, "SK": {"S": "1"}})
            assert state.save()
            assert reads
    finally:
        moto_fixes.uninstall()
    assert sorted(item["PK"]["S"] for item in json.loads((tmp_path / "table.json").read_text())) == ["A", "B"]


def test_the_media_index_is_what_list_objects_says(tmp_path: Path) -> None:
    """Read from moto's bucket, as ListObjectsV2 would answer it (ETag quoted, size in bytes)."""
    state = LocalState(tmp_path)
    with mock_aws():
        stack, _ = provision(state)
        s3 = boto3.client("s3")
        for n in range(3):
            s3.put_object(Bucket=stack.media_bucket, Key=f"audio/{n}", Body=b"x" * (n + 1), ContentType="audio/wav")
        s3.delete_object(Bucket=stack.media_bucket, Key="audio/1")
        listed = s3.list_objects_v2(Bucket=stack.media_bucket)["Contents"]
        assert state._media_index() == {e["Key"]: {"etag": e["ETag"], "size": e["Size"]} for e in listed}
        assert sorted(state._media_index()) == ["audio/0", "audio/2"]


def test_the_table_comes_back_item_for_item_and_its_indexes_answer_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restored into moto's model directly (not through the API): queries on the table, on a
    string-keyed and on a number-keyed index give the same items in the same order."""
    songs = [
        {
            "PK": {"S": f"SONG#{n:03}"},
            "SK": {"S": "SONG"},
            "GSI1PK": {"S": "SONG"},
            "GSI1SK": {"S": f"2026-01-{n % 28 + 1:02}#{n:03}"},
            "playCount": {"N": str(n * 7 % 50)},
            "title": {"S": f"Song {n}"},
            "audio": {"M": {"sizeBytes": {"N": "17051"}, "tags": {"L": [{"S": "a"}, {"N": "1"}]}}},
        }
        for n in range(120)
    ]
    queries = {
        "table": {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "SONG#007"}}},
        "byKind": {"IndexName": "byKind", "KeyConditionExpression": "GSI1PK = :pk", "ScanIndexForward": False},
        "byPlays": {"IndexName": "byPlays", "KeyConditionExpression": "GSI1PK = :pk", "ScanIndexForward": False},
    }

    def answers(stack: aws.LocalStack) -> dict[str, Any]:
        dynamodb = boto3.client("dynamodb")
        found = {}
        for name, query in queries.items():
            values = query.get("ExpressionAttributeValues", {":pk": {"S": "SONG"}})
            request = {**query, "TableName": stack.table_name, "ExpressionAttributeValues": values}
            found[name] = dynamodb.query(**request)["Items"]
        found["scan"] = sorted(dynamodb.scan(TableName=stack.table_name)["Items"], key=lambda item: item["PK"]["S"])
        return found

    saved = LocalState(tmp_path)
    with mock_aws():
        moto_fixes.install()
        try:
            before, _ = provision(saved)
            dynamodb = boto3.client("dynamodb")
            for song in songs:
                dynamodb.put_item(TableName=before.table_name, Item=song)
            expected = answers(before)
            assert saved.save()
        finally:
            moto_fixes.uninstall()
    assert len(expected["byPlays"]) == len(songs) and len(expected["scan"]) == len(songs)

    restored = LocalState(tmp_path)
    with mock_aws():
        moto_fixes.install()
        try:
            after, _ = provision(restored)
            restored.restore()
            assert answers(after) == expected
            with monkeypatch.context() as unread:
                unread.setattr(Table, "all_items", lambda table: pytest.fail("the restored table was decoded again"))
                restored.save()  # the first snapshot after a start takes the restored text
        finally:
            moto_fixes.uninstall()
    kept = json.loads((tmp_path / "table.json").read_text())
    assert sorted(kept, key=lambda item: item["PK"]["S"]) == expected["scan"]
