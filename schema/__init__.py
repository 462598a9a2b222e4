"""The GraphQL contract, written once in strawberry and exported as AppSync SDL.

`schema` is the strawberry schema the local emulator serves; `schema/schema.graphql`
is generated from it (`python -m schema.export`) and deployed by CDK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.accounts import AccountMutation, AccountQuery
from schema.catalog import CatalogMutation, CatalogQuery
from schema.charts import ChartQuery
from schema.feed import FeedQuery
from schema.filtered_subscription import FilteredSubscription, filtered_subscriptions
from schema.follows import FollowMutation, FollowQuery, FollowSubscription
from schema.imports import ImportQuery
from schema.lambda_field import LambdaField, lambda_fields
from schema.likes import LikeMutation, LikeQuery
from schema.lyrics import LyricsMutation
from schema.media import MediaMutation
from schema.none_field import NoneField, none_fields
from schema.offline import OfflineMutation, OfflineQuery
from schema.play_queue import PlayQueueMutation, PlayQueueQuery, PlayQueueSubscription
from schema.playlists import PlaylistMutation, PlaylistQuery
from schema.plays import PlayMutation, PlayQuery
from schema.ratings import RatingMutation, RatingQuery
from schema.scalars import SCALAR_MAP
from schema.search import SearchQuery
from schema.sharing import SharingMutation, SharingQuery

SDL_PATH = Path(__file__).with_name("schema.graphql")

QUERIES = (
    CatalogQuery,
    SearchQuery,
    ChartQuery,
    FeedQuery,
    RatingQuery,
    FollowQuery,
    OfflineQuery,
    AccountQuery,
    ImportQuery,
    LikeQuery,
    PlaylistQuery,
    SharingQuery,
    PlayQuery,
    PlayQueueQuery,
)
MUTATIONS = (
    CatalogMutation,
    RatingMutation,
    FollowMutation,
    MediaMutation,
    OfflineMutation,
    AccountMutation,
    LikeMutation,
    PlaylistMutation,
    LyricsMutation,
    PlayMutation,
    SharingMutation,
    PlayQueueMutation,
)
Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)
Subscription = merge_types("Subscription", (FollowSubscription, PlayQueueSubscription))


def build_schema(**options: Any) -> strawberry.Schema:
    """A fresh schema instance; the emulator binds its own resolvers and limits to one."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        **options,
    )


schema = build_schema()

LAMBDA_FIELDS: list[LambdaField] = lambda_fields(schema)
NONE_FIELDS: list[NoneField] = none_fields(schema)
FILTERED_SUBSCRIPTIONS: list[FilteredSubscription] = filtered_subscriptions(schema)

__all__ = [
    "FILTERED_SUBSCRIPTIONS",
    "LAMBDA_FIELDS",
    "NONE_FIELDS",
    "SDL_PATH",
    "FilteredSubscription",
    "LambdaField",
    "NoneField",
    "build_schema",
    "schema",
]
