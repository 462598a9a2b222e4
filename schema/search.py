"""Search: find artists, albums, songs and PUBLIC playlists by the start of the words of their names."""

from __future__ import annotations

import strawberry

from schema.catalog import Album, Artist, Song
from schema.directives import LISTENER
from schema.lambda_field import lambda_field
from schema.playlists import Playlist


@strawberry.type(description="What a search found, by kind, each in the order of the matching word.")
class SearchResult:
    artists: list[Artist]
    albums: list[Album]
    songs: list[Song]
    playlists: list[Playlist] = strawberry.field(description="PUBLIC ones, anyone's (a PRIVATE one is never found).")


@strawberry.type
class SearchQuery:
    @lambda_field(auth=LISTENER)
    def search(self, query: str, limit: int | None = strawberry.UNSET) -> SearchResult:
        """Names with a word starting with each query word, ignoring case and accents; `limit` in all."""
