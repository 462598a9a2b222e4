"""The selection set AppSync puts in a Lambda resolver's event (`info.selectionSetList`, `info.selectionSetGraphQL`).

The emulator works each field's selection out once per request (emulator/appsync.py): a page
of items with a BatchInvoke field sends one event per item, all with the same selection.
A toy schema: `Shelf.books` is a Lambda field, `Book.author` a BatchInvoke one.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry

from emulator import appsync
from emulator.auth import COGNITO, Caller
from emulator.lambdas import LocalFunction
from schema.directives import LISTENER
from schema.lambda_field import lambda_field

EVENTS: list[dict[str, Any]] = []


@strawberry.type(directives=[*LISTENER])
class Author:
    id: str
    name: str | None = None


@strawberry.type(directives=[*LISTENER])
class Book:
    id: str

    @lambda_field(auth=LISTENER, batch=True)
    def author(self) -> Author | None:
        """Declared only."""


@strawberry.type
class Query:
    @lambda_field(auth=LISTENER)
    def books(self) -> list[Book]:
        """Declared only."""


def toy_api(event: Any, context: Any) -> Any:
    """Three books; each book's author is `a<n>`."""
    if isinstance(event, list):  # BatchInvoke: one result per event
        EVENTS.extend(event)
        return [{"id": f"a{e['source']['id']}", "name": "N"} for e in event]
    EVENTS.append(event)
    return [{"id": str(n)} for n in range(3)]


def test_every_event_gets_its_own_fields_selection() -> None:
    schema = strawberry.Schema(query=Query)
    appsync.bind(schema, LocalFunction("toy", f"{__name__}.toy_api"))
    caller = Caller(COGNITO, {"sub": "anna", "iss": "local", "cognito:groups": ["users"]})
    document = "query { books { id author { id ...named } } } fragment named on Author { name }"
    EVENTS.clear()
    for _ in range(2):  # a second request of the same (cached) document: the same events
        context = {"caller": caller, "headers": {}, "loaders": {}}
        result = asyncio.run(schema.execute(document, context_value=context))
        assert result.errors is None
        assert result.data == {"books": [{"id": str(n), "author": {"id": f"a{n}", "name": "N"}} for n in range(3)]}
    books = [e["info"] for e in EVENTS if e["info"]["fieldName"] == "books"]
    authors = [e["info"] for e in EVENTS if e["info"]["fieldName"] == "author"]
    assert len(books) == 2 and len(authors) == 6
    for info in books:
        assert info["selectionSetList"] == ["id", "author", "author/id", "author/name"]
        assert "author {" in info["selectionSetGraphQL"] and "...named" in info["selectionSetGraphQL"]
    for info in authors:
        assert info["selectionSetList"] == ["id", "name"]
        assert info["selectionSetGraphQL"] == "{\n  id\n  ...named\n}"
