"""GraphQL fields of lyrics, each a thin call into `resolvers.lyrics`; admins manage, listeners read."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers import lyrics
from resolvers.routes.identity import is_admin

router = Router()


@router.resolver(type_name="Mutation", field_name="setLyrics")
def set_lyrics(songId: str, text: str, language: str | None = None) -> dict[str, Any]:
    return lyrics.set_lyrics(songId, text, language)


@router.resolver(type_name="Mutation", field_name="clearLyrics")
def clear_lyrics(songId: str) -> dict[str, Any]:
    return lyrics.clear_lyrics(songId)


@router.resolver(type_name="Mutation", field_name="transcribeLyrics")
def transcribe_lyrics(songId: str, language: str | None = None) -> dict[str, Any]:
    return lyrics.transcribe_lyrics(songId, language)


@router.batch_resolver(type_name="Song", field_name="lyrics", raise_on_error=True)
def song_lyrics(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    return lyrics.shown_lyrics([e.source for e in event], admin=[is_admin(e.identity) for e in event])
