"""AppSync's execution model, locally, on the strawberry schema.

Every field of every object type is rebound generically:
- its auth directives (field, else type, else default mode) are checked first;
- a field marked `lambda_field` invokes the API function with an AppSync-shaped event,
  batched per response level through a DataLoader when it is a BatchInvoke field;
- any other field returns the parent's property of the same name, as AppSync does.
Errors come back in AppSync's shape, with `errorType`, and never with a traceback.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import strawberry
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, GraphQLResolveInfo, InlineFragmentNode, print_ast
from strawberry.dataloader import DataLoader

from emulator.auth import Caller, allows, auth_directives
from emulator.lambdas import LambdaError, LocalFunction
from schema.lambda_field import LambdaField, lambda_fields
from schema.limits import MAX_BATCH_SIZE

log = logging.getLogger("emulator")


class FieldUnauthorized(Exception):
    """A field's auth directives refuse the caller; AppSync's errorType is `Unauthorized`."""


def bind(schema: strawberry.Schema, api: LocalFunction) -> None:
    """Rebind the resolvers of `schema` to AppSync's behaviour, invoking `api` for Lambda fields."""
    marked = {(f.type_name, f.field_name): f for f in lambda_fields(schema)}
    names = schema.config.name_converter
    for type_def in schema.schema_converter.type_map.values():
        definition = type_def.definition
        if not isinstance(definition, strawberry.types.base.StrawberryObjectDefinition) or definition.is_input:
            continue
        graphql_type = schema._schema.type_map[definition.name]
        type_auth = auth_directives(definition.directives or [])
        for strawberry_field in definition.fields:
            name = names.get_graphql_name(strawberry_field)
            lambda_field = marked.get((definition.name, name))
            resolve = partial(_invoke, api, lambda_field) if lambda_field else _property(name)
            directives = auth_directives(strawberry_field.directives or []) or type_auth
            graphql_type.fields[name].resolve = _guarded(directives, definition.name, name, resolve)


def _property(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        return source.get(name) if isinstance(source, Mapping) else None

    return resolve


def _guarded(
    directives: list[object], type_name: str, field_name: str, resolve: Callable[..., Any]
) -> Callable[..., Any]:
    def guarded(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        if not allows(directives, info.context["caller"]):
            raise FieldUnauthorized(f"Not Authorized to access {field_name} on type {type_name}")
        return resolve(source, info, **arguments)

    return guarded


async def _invoke(
    api: LocalFunction, field: LambdaField, source: Any, info: GraphQLResolveInfo, **arguments: Any
) -> Any:
    event = resolver_event(source, info, arguments)
    if not field.batch:
        return await asyncio.to_thread(api.invoke, event)
    loaders: dict[tuple[str, str], DataLoader] = info.context["loaders"]
    key = (field.type_name, field.field_name)
    if key not in loaders:
        loaders[key] = DataLoader(partial(_batch_invoke, api), cache=False, max_batch_size=MAX_BATCH_SIZE)
    return await loaders[key].load(event)


async def _batch_invoke(api: LocalFunction, events: list[dict[str, Any]]) -> list[Any]:
    results = await asyncio.to_thread(api.invoke, events)
    if not isinstance(results, list) or len(results) != len(events):
        raise LambdaError("BatchInvokeError", "A batch resolver must return one result per event")
    return results


def resolver_event(source: Any, info: GraphQLResolveInfo, arguments: dict[str, Any]) -> dict[str, Any]:
    """The event AppSync sends a Lambda resolver (the context of infra/lambda_resolver.js)."""
    caller: Caller = info.context["caller"]
    node = info.field_nodes[0]
    return {
        "arguments": _as_json(arguments),
        "identity": caller.identity(),
        "source": source,
        "info": {
            "fieldName": info.field_name,
            "parentTypeName": info.parent_type.name,
            "variables": _as_json(info.variable_values),
            "selectionSetList": _selection_list(node, info),
            "selectionSetGraphQL": print_ast(node.selection_set) if node.selection_set else "",
        },
        "request": {"headers": dict(info.context["headers"]), "domainName": None},
        "prev": None,
        "stash": {},
    }


def _as_json(value: Any) -> Any:
    """Arguments as AppSync sends them: strawberry parses enum values into Python enums."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def _selection_list(node: FieldNode, info: GraphQLResolveInfo, prefix: str = "") -> list[str]:
    paths: list[str] = []
    for selection in node.selection_set.selections if node.selection_set else []:
        if isinstance(selection, FieldNode):
            path = prefix + selection.name.value
            paths.append(path)
            paths.extend(_selection_list(selection, info, path + "/"))
        elif isinstance(selection, InlineFragmentNode):
            paths.extend(_selection_list(selection, info, prefix))  # type: ignore[arg-type]
        elif isinstance(selection, FragmentSpreadNode):
            paths.extend(_selection_list(info.fragments[selection.name.value], info, prefix))  # type: ignore[arg-type]
    return list(dict.fromkeys(paths))


def appsync_error(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error as AppSync words it: `errorType` and a message safe to show."""
    original = error.original_error
    if error.path is None:  # the request itself: syntax, unknown fields, arguments or scalars out of shape
        error_type, message = "ValidationError", error.message
    elif isinstance(original, LambdaError):
        error_type, message = original.error_type, original.message
    elif isinstance(original, FieldUnauthorized):
        error_type, message = "Unauthorized", str(original)
    elif original is None:
        error_type, message = "ExecutionError", error.message
    else:
        log.error("emulator failure resolving %s", error.path, exc_info=original)
        error_type, message = "InternalError", "Internal error in the local emulator"
    return {
        "path": error.path,
        "data": None,
        "errorType": error_type,
        "errorInfo": None,
        "locations": [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations or []],
        "message": message,
    }
