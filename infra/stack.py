"""The Cloud Music Platform stack: it only composes the constructs and states its outputs."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.accounts import Accounts
from infra.api import MusicApi
from infra.catalog_table import CatalogTable
from infra.feed import Feed
from infra.functions import PythonFunction
from infra.lyrics import Lyrics
from infra.media import Media
from infra.names import Stage
from infra.operations import Operations
from infra.plays import PlayCounts
from infra.releases import Releases
from infra.web_hosting import WebHosting


class MusicStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: Stage, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        operations = Operations(self, "Operations", stage=stage)
        catalog = CatalogTable(self, "Catalog", stage=stage)
        table = catalog.table
        accounts = Accounts(self, "Accounts", stage=stage, table=table)
        web = WebHosting(self, "Web", stage=stage, access_logs=operations.access_logs)
        # Browsers upload and play from the web client's origin (any origin in dev, for local frontends).
        media = Media(
            self,
            "Media",
            stage=stage,
            catalog=catalog,
            access_logs=operations.access_logs,
            web_origins=[web.url] if stage.production else ["*"],
        )
        releases = Releases(self, "Releases", stage=stage, catalog=catalog)
        # A song's first READY is a release: the processor queues it for the fan-out.
        media.processor.add_environment("NEW_CONTENT_QUEUE_URL", releases.queue.queue_url)
        releases.queue.grant_send_messages(media.processor)
        feed = Feed(self, "Feed", stage=stage, catalog=catalog)
        # Counted plays reach the songs' counts through a queue: a hit song cannot take a write per play.
        plays = PlayCounts(self, "Plays", stage=stage, catalog=catalog)
        api_function = PythonFunction(
            self,
            "ApiFunction",
            stage=stage,
            handler="resolvers.handlers.api.handler",
            description="Resolves every Lambda-backed GraphQL field",
            environment={
                "TABLE_NAME": table.table_name,
                "USER_POOL_ID": accounts.user_pool.user_pool_id,
                "USER_POOL_CLIENT_ID": accounts.web_client.user_pool_client_id,
                "MEDIA_BUCKET": media.bucket.bucket_name,
                "CLEANUP_QUEUE_URL": media.cleanup.queue_url,
                "NEW_CONTENT_TOPIC_ARN": releases.topic.topic_arn,
                "FEED_QUEUE_URL": feed.queue.queue_url,
                "PLAYS_QUEUE_URL": plays.queue.queue_url,
                "SHARE_BASE_URL": web.url,  # share links open the web client at /s/<token>
            },
            memory_size=1024,
        )
        catalog.grant_read_write(api_function.role)
        # Presigned URLs carry the signer's rights: uploads (PutObject) and streams (GetObject).
        media.bucket_objects(api_function.role, "s3:PutObject", "s3:GetObject")
        media.cleanup.grant_send_messages(api_function.role)
        releases.grant_email_subscriptions(api_function.role)
        feed.grant_changes(api_function.role)
        # transcribeLyrics starts jobs (and the processor may, with AUTO_TRANSCRIBE_LYRICS).
        lyrics = Lyrics(self, "Lyrics", stage=stage, catalog=catalog, bucket=media.bucket)
        lyrics.grant_start(api_function.role)
        lyrics.grant_start(media.processor.role)  # type: ignore[arg-type]
        media.processor.add_environment("AUTO_TRANSCRIBE_LYRICS", str(stage.auto_transcribe_lyrics).lower())
        plays.grant_plays(api_function.role)
        api = MusicApi(
            self,
            "Api",
            stage=stage,
            user_pool=accounts.user_pool,
            web_client=accounts.web_client,
            api_function=api_function.function,
        )

        fan_out = releases.fan_out(api.api)

        operations.watch_function("ApiFunction", api_function.function)
        operations.watch_function("FanOut", fan_out.function)
        operations.watch_queue("NewContentDlq", releases.dead_letters)
        operations.watch_function("PostConfirmation", accounts.post_confirmation)
        operations.watch_function("MediaProcessor", media.processor)
        operations.watch_function("Cleanup", media.cleaner)
        operations.watch_queue("UploadsDlq", media.dead_letters)
        operations.watch_queue("CleanupDlq", media.cleanup_dead_letters)
        operations.watch_function("FeedRefresh", feed.function.function)
        operations.watch_queue("FeedDlq", feed.dead_letters)
        operations.watch_function("PlayTally", plays.function.function)
        operations.watch_queue("PlaysDlq", plays.dead_letters)
        operations.watch_api(api.api)
        operations.watch_function("Lyrics", lyrics.function.function)
        operations.watch_queue("LyricsDlq", lyrics.dead_letters)

        self._outputs(api, accounts=accounts, web=web, operations=operations, catalog=catalog, media=media)

    def _outputs(
        self,
        api: MusicApi,
        *,
        accounts: Accounts,
        web: WebHosting,
        operations: Operations,
        catalog: CatalogTable,
        media: Media,
    ) -> None:
        """What a client, an operator and the deploy scripts read from the stack."""
        CfnOutput(self, "GraphqlUrl", value=api.api.graphql_url)
        CfnOutput(self, "RealtimeUrl", value=api.realtime_url)
        # AppSync's key id is the key itself (the `x-api-key` header). It only admits the guest
        # fields (register, confirm, login) and ships inside the web client anyway: not a secret.
        CfnOutput(
            self,
            "ApiKey",
            value=api.api.api_key or "",
            description="The guest API key (x-api-key); each deploy moves its expiry a year ahead",
        )
        CfnOutput(self, "UserPoolId", value=accounts.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=accounts.web_client.user_pool_client_id)
        CfnOutput(self, "Region", value=self.region)
        CfnOutput(self, "WebUrl", value=web.url)
        CfnOutput(self, "WebBucket", value=web.bucket.bucket_name, description="deploy the web client's build here")
        CfnOutput(self, "AlarmTopicArn", value=operations.alarm_topic.topic_arn, description="subscribe operators")
        CfnOutput(self, "TableName", value=catalog.table.table_name)
        CfnOutput(self, "MediaBucket", value=media.bucket.bucket_name)
