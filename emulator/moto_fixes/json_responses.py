"""DynamoDB's data responses encoded as the JSON they already are, outside the DynamoDB lock.

moto 5.2.5 encodes every response with its generic `ResponseSerializer`
(`moto/core/serialize.py`). That serializer walks botocore's shape model for every
attribute of every item, and an alias-guessing `AttributePicker` looks up each member.
Profiled with 8 clients on the songs page, it was 80 to 94 % of the local DynamoDB's time.
It also ran under `LOCK`, so DynamoDB answered one request at a time.

DynamoDB's wire format for items is the typed attribute maps themselves, and moto's
handlers already return them as plain dicts (`DynamoResult`; binary values as bytes).
For the data operations (`ENCODED_HERE`), this module:
- runs moto's action under `LOCK` and nothing else. The result is a fresh dict that no
  later request changes (`dynamo_to_dict` builds it);
- encodes the result outside the lock. It walks the output shape only down to the first
  `AttributeValue`, keeping moto's member order, skipping `None` and converting numbers
  and blobs as moto does. An attribute value goes to `json.dumps` untouched, with bytes
  base64-encoded as moto encodes them. So the body is byte for byte moto's.
- leaves errors, headers, the request id and the CRC32 to moto's own code, as
  `BaseResponse.call_action` does.
Every other DynamoDB action (tables, TTL, backups, PartiQL...) runs moto's whole path
under `LOCK`. moto's picker also tries aliases (shape names, snake_case) that its
DynamoDB results never use. tests/unit/test_moto_json_responses.py compares the bodies
with moto's for the calls our code makes.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any

from botocore.model import Shape
from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.core.utils import camelcase_to_underscores, get_service_model
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.utilities import dynamo_to_dict
from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.utilities.aws_headers import amz_crc32, gen_amzn_requestid_long
from werkzeug.exceptions import HTTPException

from emulator.moto_fixes import compact_items
from emulator.moto_fixes.patching import Patch, Patches

# Held by every DynamoDB action in moto, and by whoever reads moto's tables directly: moto's
# requests read and change shared dictionaries ("dictionary changed size during iteration").
LOCK = threading.Lock()

ENCODED_HERE = {
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
}
CONTENT_TYPE = "application/x-amz-json-1.0"  # DynamoDB's JSON protocol version
# Actions that change no table; every other one counts in `changes`.
READ_ONLY = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


class Changes:
    """How many DynamoDB actions that may have changed a table have run (counted under LOCK):
    a snapshot (emulator/persistence.py) reads the tables again only when it moved."""

    count = 0


class _Kept:
    """A recently read item's attributes in a result (compact_items.Decoded): encoded once, its JSON kept."""

    __slots__ = ("entry",)

    def __init__(self, entry: compact_items.Decoded) -> None:
        self.entry = entry

    def json(self) -> str:
        if self.entry.json is None:  # what json.dumps writes for this map in the body: the same bytes
            attrs = self.entry.attrs
            self.entry.json = json.dumps({key: plain(item) for key, item in attrs.items()}, default=_base64)
        return self.entry.json


def plain(value: Any) -> Any:
    """What moto's `dynamo_to_dict` makes of an action's result, without its generic checks per value.

    `DynamoResult` converts every result under the lock; that was 12 % of the emulator's CPU
    with 8 clients on the songs page. Anything but dicts, lists, strings and attribute
    values goes to moto's function. An item among those read last (compact_items.recently_decoded)
    is converted and encoded once: a looped page read the same items again and again."""
    kind = type(value)
    if kind is LimitedSizeDict:
        entry = compact_items.recently_decoded(value)
        if entry is not None:
            return _Kept(entry)
    if kind is DynamoType:
        return _attribute(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, dict) and not hasattr(value, "to_json"):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list) and not hasattr(value, "to_json"):
        return [plain(item) for item in value]
    return dynamo_to_dict(value)


def _attribute(value: DynamoType) -> dict[str, Any]:
    kind, content = value.type, value.value
    if kind == "M":
        return {kind: {key: plain(item) for key, item in content.items()}}
    if kind in ("L", "SS", "NS"):
        return {kind: [plain(item) for item in content]}
    if kind in ("S", "N", "BOOL", "NULL"):
        return {kind: plain(content)}
    return dynamo_to_dict(value)  # B and BS: moto decodes base64 to bytes


def _dynamo_result(result: DynamoResult, value: object) -> None:
    ActionResult.__init__(result, plain(value))


def call_action(handler: DynamoHandler) -> TYPE_RESPONSE:
    """moto's DynamoDB entry point: data actions encoded here, every other one as moto does."""
    action = handler._get_action()
    if action not in ENCODED_HERE:
        return _locked(lambda: ORIGINAL_CALL_ACTION(handler), changes=not action.startswith(("Describe", "List")))
    return _call_data_action(handler, camelcase_to_underscores(action))


def _locked(action: Callable[[], Any], *, changes: bool = True) -> Any:
    """The one place where moto's DynamoDB model is used: whatever must run inside the lock goes here,
    including packing again the items the action used (compact_items)."""
    with LOCK:
        try:
            return action()
        finally:
            if changes:
                Changes.count += 1
            compact_items.settle()


@amz_crc32
def _call_data_action(handler: DynamoHandler, action: str) -> TYPE_RESPONSE:
    """`BaseResponse.call_action` for one data action, with the lock around the action only."""
    handler.body = getattr(handler, "params", {})  # what moto's DynamoHandler.call_action sets
    headers = handler.response_headers
    try:
        handler._authenticate_and_authorize_normal_action("*")
        result = _locked(getattr(handler, action), changes=handler._get_action() not in READ_ONLY)
    except ServiceException as error:
        status, error_headers, body = handler.serialized(ActionResult(error))
        status, headers, body = BaseResponse._transform_response(headers, (body, {**error_headers, "status": status}))
    except HTTPException as error:  # moto's DynamoDB errors (JsonRESTError): body and status as they are
        error_headers: dict[str, Any] = {**dict(error.get_headers() or []), "status": error.code}
        status, headers, body = BaseResponse._transform_response(headers, (error.description, error_headers))
    else:
        status, body = _encode_result(handler, action, result)
        headers = {"Content-Type": CONTENT_TYPE, **headers}
    if not isinstance(body, str) or "<RequestId>" in body:
        headers, body = BaseResponse._enrich_response(headers, body)
    else:  # the same, without its regex for XML bodies: over a 400 KB JSON page it cost 5 % of the CPU
        if "status" in headers:
            headers["status"] = str(headers["status"])
        gen_amzn_requestid_long(headers)
    return status, headers, body


def _encode_result(handler: DynamoHandler, action: str, result: ActionResult) -> tuple[int, str]:
    if isinstance(result, EmptyResult) or not isinstance(result, ActionResult):
        raise TypeError(f"DynamoDB {action} returned {type(result).__name__}: encode it with moto's serializer")
    shape = _output_shape(handler._get_action())
    kept: list[str] = []
    token = f"@kept-{secrets.token_hex(8)}-"  # no item holds it: random per response
    body = json.dumps(_encode(result.result, shape, (token, kept)), default=_base64)
    if kept:  # each kept item's JSON in place of its token
        body = re.sub(f'"{token}(\\d+)"', lambda match: kept[int(match[1])], body)
    return 200, body


@cache
def _output_shape(operation: str) -> Shape:
    shape = get_service_model("dynamodb").operation_model(operation).output_shape
    assert shape is not None
    return shape


def _encode(value: Any, shape: Shape, kept: tuple[str, list[str]]) -> Any:
    """`value` as moto's JSON serializer writes it for `shape`, attribute values passed through;
    a kept item as a token, for its JSON (`kept`: the token, and the JSON of each kept item)."""
    if type(value) is _Kept:
        token, texts = kept
        texts.append(value.json())
        return f"{token}{len(texts) - 1}"
    kind = shape.type_name
    if kind == "structure":
        if shape.name == "AttributeValue":
            return value  # DynamoDB JSON already; bytes are base64-encoded by json.dumps's default
        encoded = {}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            member_value = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
            if member_value is not None:
                encoded[name] = _encode(member_value, member, kept)
        return encoded
    if kind == "map":
        return {key: _encode(item, shape.value, kept) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "list":
        return [_encode(item, shape.member, kept) for item in value]  # type: ignore[attr-defined]
    if kind not in SCALARS:
        raise TypeError(f"no JSON encoding here for a {kind} ({shape.name}): encode it with moto's serializer")
    return SCALARS[kind](value)


def _string(value: Any) -> Any:
    value = value.value if isinstance(value, Enum) else value
    return value if value in (None, {}, []) else str(value)


def _base64(value: Any) -> str:
    """Bytes as moto's serializer writes a blob (binary attribute values come back as bytes)."""
    if isinstance(value, str):
        value = value.encode()
    if not isinstance(value, bytes):
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return base64.b64encode(value).decode()


SCALARS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "integer": int,
    "long": int,
    "float": float,
    "double": float,
    "boolean": lambda value: value,
    "blob": _base64,
}

PATCHES = Patches(Patch(DynamoHandler, "call_action", call_action), Patch(DynamoResult, "__init__", _dynamo_result))
ORIGINAL_CALL_ACTION = PATCHES[0].original


install, uninstall = PATCHES.install, PATCHES.uninstall
