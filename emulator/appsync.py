"""AppSync's execution model, locally, on the strawberry schema.

Every field of every object type is rebound generically:
- its auth directives (field, else type, else default mode) are checked first;
- a field marked `lambda_field` invokes the API function with an AppSync-shaped event,
  batched per response level through a DataLoader when it is a BatchInvoke field;
- a field marked `none_field` (a NONE data source) returns its payload argument;
- a subscription field with `@aws_subscribe(mutations: [...])` streams the results of
  those mutations whose fields match its non-null arguments (emulator/subscriptions.py),
  its auth directives applying to the subscriber; when schema/filtered_subscription.py
  marks it, its Lambda's enhanced filter applies too, and the mutations that invalidate
  it end the caller's subscriptions (emulator/enhanced.py); subscribers whose execution of an
  event cannot differ share one (emulator/shared_events.py);
- any other field returns the parent's property of the same name, as AppSync does.
Errors come back in AppSync's shape, with `errorType`, and never with a traceback.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    print_ast,
)
from strawberry.dataloader import DataLoader

from emulator import enhanced, shared_events
from emulator.auth import Caller, allows, auth_directives
from emulator.lambdas import Function, LambdaError
from emulator.subscriptions import Subscriptions
from schema.directives import Subscribe
from schema.filtered_subscription import filtered_subscriptions, invalidations
from schema.lambda_field import LambdaField, lambda_fields
from schema.limits import MAX_BATCH_SIZE, RESOLVER_COUNT_LIMIT
from schema.none_field import none_fields

log = logging.getLogger("emulator")


class FieldUnauthorized(Exception):
    """A field's auth directives refuse the caller; AppSync's errorType is `Unauthorized`."""


class UnsupportedOperation(Exception):
    """An operation sent where AppSync does not serve it (a subscription over HTTP)."""


class ResolverLimitExceeded(Exception):
    """The request invoked more resolvers than the API's resolverCountLimit (schema/limits.py);
    AppSync's errorType is `ResolverExecutionLimitReached`."""


def bind(schema: strawberry.Schema, api: Function) -> Subscriptions:
    """Rebind the resolvers of `schema` to AppSync's behaviour, invoking `api` for Lambda fields.

    Returns the API's subscriptions, fed by the mutations that `@aws_subscribe` names.
    """
    marked = {(f.type_name, f.field_name): f for f in lambda_fields(schema)}
    payloads = {(f.type_name, f.field_name): f.payload for f in none_fields(schema)}
    names = schema.config.name_converter
    roots = schema._schema
    subscriptions = Subscriptions()
    schema.execution_context_class = shared_events.SharedEventExecution  # one execution per distinct outcome
    triggers = _subscribed_mutations(schema)
    filtered = {(f.type_name, f.field_name) for f in filtered_subscriptions(schema)}
    invalidated = invalidations(filtered_subscriptions(schema))
    for type_def in schema.schema_converter.type_map.values():
        definition = type_def.definition
        if not isinstance(definition, strawberry.types.base.StrawberryObjectDefinition) or definition.is_input:
            continue
        graphql_type = roots.type_map[definition.name]
        type_auth = auth_directives(definition.directives or [])
        for strawberry_field in definition.fields:
            name = names.get_graphql_name(strawberry_field)
            directives = auth_directives(strawberry_field.directives or []) or type_auth
            subscribe = next((d for d in strawberry_field.directives or [] if isinstance(d, Subscribe)), None)
            if roots.subscription_type is graphql_type and subscribe:
                if (definition.name, name) in filtered:
                    source = partial(_subscribe_filtered, subscriptions, api, name, list(subscribe.mutations))
                else:
                    source = partial(_subscribe, subscriptions, name, list(subscribe.mutations))
                graphql_type.fields[name].subscribe = _guarded(directives, definition.name, name, source)
                graphql_type.fields[name].resolve = _event
                continue
            lambda_field = marked.get((definition.name, name))
            if lambda_field:
                resolve = _counted(partial(_invoke, api, lambda_field))
            elif (definition.name, name) in payloads:
                resolve = _counted(_none(payloads[(definition.name, name)]))
            else:
                resolve = _property(name)
            if roots.mutation_type is graphql_type and name in triggers:
                resolve = _publishing(subscriptions, name, resolve)
            if roots.mutation_type is graphql_type and name in invalidated:
                resolve = enhanced.invalidating(subscriptions, invalidated[name], resolve)
            graphql_type.fields[name].resolve = _guarded(directives, definition.name, name, resolve)
    return subscriptions


def _subscribed_mutations(schema: strawberry.Schema) -> set[str]:
    """The mutations some subscription names in `@aws_subscribe`."""
    subscription = schema.subscription.__strawberry_definition__ if schema.subscription else None
    return {
        mutation
        for field in (subscription.fields if subscription else [])
        for directive in field.directives or []
        if isinstance(directive, Subscribe)
        for mutation in directive.mutations
    }


def _none(payload: str) -> Callable[..., Any]:
    """A NONE data source: the result is the payload argument, as JSON (enums by name)."""

    def resolve(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        return _as_json(arguments[payload])

    return resolve


def _subscribe(
    subscriptions: Subscriptions,
    name: str,
    mutations: list[str],
    source: Any,
    info: GraphQLResolveInfo,
    **arguments: Any,
) -> Any:
    caller: Caller = info.context["caller"]
    stream = subscriptions.register(name, mutations, _as_json(arguments), caller.describe())
    ready = info.context.get("subscribed")
    if ready is not None:
        ready.set()  # the protocol may acknowledge the subscription now (AppSync's start_ack)
    return stream


def _subscribe_filtered(  # noqa: PLR0917 - bound by partial, then called as a GraphQL subscribe resolver
    subscriptions: Subscriptions,
    api: Function,
    name: str,
    mutations: list[str],
    source: Any,
    info: GraphQLResolveInfo,
    **arguments: Any,
) -> Any:
    """A subscription whose Lambda resolver returns its enhanced filter (emulator/enhanced.py)."""
    event = resolver_event(source, info, arguments)
    return enhanced.subscribe(
        subscriptions,
        api,
        name,
        mutations,
        event=event,
        caller=info.context["caller"],
        subscribed=info.context.get("subscribed"),
    )


def _event(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    """A subscription field's value for one event: the mutation result the stream delivered."""
    if source is None:  # executed as a query: a subscription posted over HTTP
        raise UnsupportedOperation("Subscriptions are served over websockets, on this same URL")
    return source


def _publishing(subscriptions: Subscriptions, name: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    """After the mutation resolves, its result (as it selected it) goes to the matching subscribers."""

    def publishing(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        result = resolve(source, info, **arguments)
        if not inspect.isawaitable(result):
            subscriptions.publish(name, _selected(result, info.field_nodes[0].selection_set, info))
            return result

        async def published() -> Any:
            value = await result
            subscriptions.publish(name, _selected(value, info.field_nodes[0].selection_set, info))
            return value

        return published()

    return publishing


def _selected(value: Any, selection_set: SelectionSetNode | None, info: GraphQLResolveInfo) -> Any:
    """A raw result cut down to the fields a selection set names (by name, not alias)."""
    if selection_set is None or value is None:
        return _as_json(value)
    if isinstance(value, list):
        return [_selected(v, selection_set, info) for v in value]
    if not isinstance(value, Mapping):
        return _as_json(value)
    selected: dict[str, Any] = {}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and not selection.name.value.startswith("__"):
            name = selection.name.value
            selected[name] = _selected(value.get(name), selection.selection_set, info)
        elif isinstance(selection, InlineFragmentNode):
            selected |= _selected(value, selection.selection_set, info)
        elif isinstance(selection, FragmentSpreadNode):
            selected |= _selected(value, info.fragments[selection.name.value].selection_set, info)
    return selected


def _counted(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """A field with a resolver: each execution (each item of a batch too) counts towards the
    request's resolverCountLimit, as on AppSync; past it, the field fails."""

    def counted(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        info.context["resolvers"] = info.context.get("resolvers", 0) + 1
        if info.context["resolvers"] > RESOLVER_COUNT_LIMIT:
            raise ResolverLimitExceeded(f"This request invoked more than {RESOLVER_COUNT_LIMIT} resolvers")
        return resolve(source, info, **arguments)

    return counted


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


async def _invoke(api: Function, field: LambdaField, source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    event = resolver_event(source, info, arguments)
    if not field.batch:
        return await asyncio.to_thread(api.invoke, event)
    loaders: dict[tuple[str, str], DataLoader] = info.context["loaders"]
    key = (field.type_name, field.field_name)
    if key not in loaders:
        loaders[key] = DataLoader(partial(_batch_invoke, api), cache=False, max_batch_size=MAX_BATCH_SIZE)
    return await loaders[key].load(event)


async def _batch_invoke(api: Function, events: list[dict[str, Any]]) -> list[Any]:
    results = await asyncio.to_thread(api.invoke, events)
    if not isinstance(results, list) or len(results) != len(events):
        raise LambdaError("BatchInvokeError", "A batch resolver must return one result per event")
    return results


def resolver_event(source: Any, info: GraphQLResolveInfo, arguments: dict[str, Any]) -> dict[str, Any]:
    """The event AppSync sends a Lambda resolver (the context of infra/lambda_resolver.js)."""
    caller: Caller = info.context["caller"]
    shared_events.mark_identity_read(info.context)
    selection_list, selection_text = _selection(info)
    return {
        "arguments": _as_json(arguments),
        "identity": caller.identity(),
        "source": source,
        "info": {
            "fieldName": info.field_name,
            "parentTypeName": info.parent_type.name,
            "variables": _as_json(info.variable_values),
            "selectionSetList": list(selection_list),
            "selectionSetGraphQL": selection_text,
        },
        "request": {"headers": dict(info.context["headers"]), "domainName": None},
        "prev": None,
        "stash": {},
    }


def _selection(info: GraphQLResolveInfo) -> tuple[list[str], str]:
    """The field's selection set as a list of paths and as GraphQL text, worked out once per request:
    a page of 50 songs with artist and album sends 100 BatchInvoke events with the same two selections
    (printing and walking them was a tenth of the emulator's CPU)."""
    node = info.field_nodes[0]
    made: dict[int, tuple[FieldNode, list[str], str]] = info.context.setdefault("selections", {})
    known = made.get(id(node))
    if known is None or known[0] is not node:
        text = print_ast(node.selection_set) if node.selection_set else ""
        known = made[id(node)] = (node, _selection_list(node, info), text)
    return known[1], known[2]


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
    elif isinstance(original, UnsupportedOperation):
        error_type, message = "UnsupportedOperation", str(original)
    elif isinstance(original, ResolverLimitExceeded):
        error_type, message = "ResolverExecutionLimitReached", str(original)
    elif isinstance(original, enhanced.SubscriptionFilterRejected):
        error_type, message = "ValidationError", str(original)
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
