"""GraphQL fields of likes, each a thin call into `resolvers.likes`; the caller is the token's subject."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import likes
from resolvers.routes.identity import signed_in_user, user_id
from resolvers.routes.selection import selects

router = Router()


def _caller() -> str:
    return signed_in_user(router, "Sign in to like songs, albums and artists")


@router.resolver(type_name="Mutation", field_name="like")
def like(input: dict[str, Any]) -> dict[str, Any]:
    return likes.like(_caller(), input)


@router.resolver(type_name="Mutation", field_name="unlike")
def unlike(input: dict[str, Any]) -> bool:
    return likes.unlike(_caller(), input)


@router.resolver(type_name="Query", field_name="myLikes")
def my_likes(kind: str, limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    with_items = selects(router, f"items/{likes.FIELD_OF.get(kind, 'song')}")
    return likes.my_likes(_caller(), kind, limit, nextToken, with_items=with_items)


@router.batch_resolver(type_name="Song", field_name="liked", raise_on_error=True)
def song_liked(event: list[AppSyncResolverEvent]) -> list[bool]:
    return likes.liked("SONG", [(user_id(e.identity), e.source["id"]) for e in event])


@router.batch_resolver(type_name="Album", field_name="liked", raise_on_error=True)
def album_liked(event: list[AppSyncResolverEvent]) -> list[bool]:
    return likes.liked("ALBUM", [(user_id(e.identity), e.source["id"]) for e in event])


@router.batch_resolver(type_name="Artist", field_name="liked", raise_on_error=True)
def artist_liked(event: list[AppSyncResolverEvent]) -> list[bool]:
    return likes.liked("ARTIST", [(user_id(e.identity), e.source["id"]) for e in event])
