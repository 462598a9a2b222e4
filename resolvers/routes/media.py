"""GraphQL fields of media, each a thin call into `resolvers.media`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import media

router = Router()


@router.resolver(type_name="Mutation", field_name="requestUpload")
def request_upload(input: dict[str, Any]) -> dict[str, Any]:
    return media.request_upload(input)


@router.batch_resolver(type_name="Song", field_name="streamUrl", raise_on_error=True)
def stream_urls(event: list[AppSyncResolverEvent]) -> list[str | None]:
    return media.stream_urls([e.source for e in event])


@router.batch_resolver(type_name="Album", field_name="coverUrl", raise_on_error=True)
def cover_urls(event: list[AppSyncResolverEvent]) -> list[str | None]:
    return media.image_urls([e.source for e in event], "COVER")


@router.batch_resolver(type_name="Artist", field_name="imageUrl", raise_on_error=True)
def image_urls(event: list[AppSyncResolverEvent]) -> list[str | None]:
    return media.image_urls([e.source for e in event], "IMAGE")
