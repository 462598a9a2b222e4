"""Bulk import: look catalog items up by the import keys an importer gave them (admin only)."""

from __future__ import annotations

import enum

import strawberry
from strawberry import ID

from schema.directives import ADMIN
from schema.lambda_field import lambda_field


@strawberry.enum(description="The kind of catalog item an import key names.")
class ImportKind(enum.Enum):
    ARTIST = "ARTIST"
    ALBUM = "ALBUM"
    SONG = "SONG"


@strawberry.type(description="A catalog item created with this import key.")
class ImportedItem:
    import_key: str
    id: ID


@strawberry.type
class ImportQuery:
    @lambda_field(auth=ADMIN)
    def imported_items(self, kind: ImportKind, import_keys: list[str]) -> list[ImportedItem]:
        """The items of this kind created with any of these import keys (at most 100); keys never used are left out."""
