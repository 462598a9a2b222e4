"""Marks the fields that AppSync resolves by invoking the API Lambda.

One declaration feeds both runtimes: the CDK stack creates exactly one resolver for
each marked field, and the local emulator resolves each marked field by invoking the
same handler with an AppSync-shaped event. Unmarked fields resolve, as in AppSync,
to the property of the parent object with the field's name.

The decorated function only declares the field: its signature gives the arguments,
its return annotation the type, its docstring the description. Its body never runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry

LAMBDA = "lambda"


@dataclass(frozen=True)
class LambdaField:
    """A field resolved by Lambda; `batch` fields use AppSync BatchInvoke."""

    type_name: str
    field_name: str
    batch: bool


def lambda_field(*, auth: Sequence[object] = (), batch: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Lambda-resolved field, with its auth directives."""

    def declare(resolver: Callable[..., Any]) -> Any:
        return strawberry.field(
            resolver=resolver,
            directives=list(auth),
            description=(resolver.__doc__ or "").strip() or None,
            metadata={LAMBDA: {"batch": batch}},
        )

    return declare


def lambda_fields(schema: strawberry.Schema) -> list[LambdaField]:
    """Every Lambda-resolved field of the schema, in a stable order."""
    found = []
    for type_def in schema.schema_converter.type_map.values():
        definition = type_def.definition
        for field in getattr(definition, "fields", []):
            marker = field.metadata.get(LAMBDA) if field.metadata else None
            if marker is not None:
                name = schema.config.name_converter.get_graphql_name(field)
                found.append(LambdaField(definition.name, name, marker["batch"]))
    return sorted(found, key=lambda f: (f.type_name, f.field_name))
