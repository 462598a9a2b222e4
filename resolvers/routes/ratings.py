"""GraphQL fields of ratings, each a thin call into `resolvers.ratings`; the caller is the token's subject."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import ratings
from resolvers.routes.identity import signed_in_user, user_id
from resolvers.routes.selection import selects

router = Router()


def _caller() -> str:
    """Ratings belong to a signed-in listener: the id comes from the token, never from arguments."""
    return signed_in_user(router, "Sign in to rate songs")


@router.resolver(type_name="Mutation", field_name="rateSong")
def rate_song(songId: str, stars: int) -> dict[str, Any]:
    return ratings.rate_song(_caller(), songId, stars)


@router.resolver(type_name="Mutation", field_name="removeRating")
def remove_rating(songId: str) -> bool:
    return ratings.remove_rating(_caller(), songId)


@router.resolver(type_name="Query", field_name="myRatings")
def my_ratings(limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    return ratings.my_ratings(_caller(), limit, nextToken, with_songs=selects(router, "items/song"))


@router.batch_resolver(type_name="Song", field_name="myRating", raise_on_error=True)
def my_rating(event: list[AppSyncResolverEvent]) -> list[int | None]:
    return ratings.my_stars([(user_id(e.identity), e.source["id"]) for e in event])
