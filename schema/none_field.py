"""Marks the fields AppSync resolves with a NONE data source, and declares subscriptions.

A NONE data source runs no code: its resolver hands back one of the field's arguments
as the result (`payload`, here the `input` argument). `publishNewContent` is such a
field: the backend calls it only so that AppSync pushes its result to the
subscriptions that name it in `@aws_subscribe`. The CDK stack attaches one NONE
resolver to each marked field; the local emulator resolves it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry

from schema.directives import Subscribe

NONE = "none"


@dataclass(frozen=True)
class NoneField:
    """A field on a NONE data source; its result is the argument named `payload`."""

    type_name: str
    field_name: str
    payload: str


def none_field(*, auth: Sequence[object], payload: str = "input") -> Callable[[Callable[..., Any]], Any]:
    """Declare a NONE-resolved field (its body never runs), with its auth directives."""

    def declare(resolver: Callable[..., Any]) -> Any:
        return strawberry.field(
            resolver=resolver,
            directives=list(auth),
            description=(resolver.__doc__ or "").strip() or None,
            metadata={NONE: {"payload": payload}},
        )

    return declare


def subscription_field(*, mutations: Sequence[str], auth: Sequence[object]) -> Callable[[Callable[..., Any]], Any]:
    """Declare a subscription fed by these mutations' results (`@aws_subscribe`).

    The declaration's arguments filter as AppSync filters: a non-null argument must equal
    the result's field of the same name. Its auth directives apply to the subscriber.
    """

    def declare(resolver: Callable[..., Any]) -> Any:
        return strawberry.subscription(
            resolver=resolver,
            directives=[*auth, Subscribe(mutations=list(mutations))],
            description=(resolver.__doc__ or "").strip() or None,
        )

    return declare


def none_fields(schema: strawberry.Schema) -> list[NoneField]:
    """Every NONE-resolved field of the schema, in a stable order."""
    found = []
    for type_def in schema.schema_converter.type_map.values():
        definition = type_def.definition
        for field in getattr(definition, "fields", []):
            marker = field.metadata.get(NONE) if field.metadata else None
            if marker is not None:
                name = schema.config.name_converter.get_graphql_name(field)
                found.append(NoneField(definition.name, name, marker["payload"]))
    return sorted(found, key=lambda f: (f.type_name, f.field_name))
