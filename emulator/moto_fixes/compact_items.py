"""Items at rest keep their attributes as one compressed string, not one object per attribute.

moto 5.2.5's `Item.attrs` is a dict of `DynamoType` objects: one object, with its own
strings, per attribute and per element of a map or list. A song item (35 attributes)
held 11 KB that way for 1.6 KB of DynamoDB JSON, so the emulator's memory grew by
12.6 KB per createSong (tracemalloc), 15 % between 2,000 and 4,000 songs.

Here an item that no request is using holds its attributes as zlib-compressed DynamoDB
JSON (`_packed`, ~430 bytes for that song). moto's code still reads and writes
`item.attrs`: the first access decodes it into moto's own structure (`_attrs`), which
the item keeps, so moto's in-place updates land in it; when the DynamoDB request ends,
every item decoded or written during it is encoded again and its objects let go.
Nothing else changes: the decoded attributes are exactly what moto built (same types,
same order), and an item holding a value JSON cannot carry unchanged (bytes, a Python
set, a number that is not a string) simply stays decoded, as moto keeps it.

The encoding runs at the end of moto's `DynamoHandler.call_action`, so it must run inside
whatever serializes DynamoDB requests (the emulator's `aws.DYNAMODB_LOCK`: install these
fixes before wrapping `call_action` in the lock). Code that reads moto's tables directly
(persistence) decodes the items it reads; they are encoded again by `settle()`, or at the
end of the next request.
"""

from __future__ import annotations

import copy
import json
import weakref
import zlib
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.responses import DynamoHandler

from emulator.moto_fixes.patching import Patch

DECODED = "_attrs"
PACKED = "_packed"
SCALARS = {"S": str, "N": str, "B": str, "BOOL": bool, "NULL": bool}
SETS = frozenset({"SS", "NS", "BS"})

# Items decoded or written since the last settle(); weak, so query results and copies die as before.
_in_use: list[weakref.ref[Item]] = []


class _NotJson(Exception):
    """A value JSON would not give back as moto holds it."""


def _plain(value: Any) -> Any:
    """A DynamoType as DynamoDB JSON, only when `DynamoType(json)` rebuilds it exactly."""
    if type(value) is not DynamoType:
        raise _NotJson
    kind, inner = value.type, value.value
    if kind == "M" and type(inner) is dict:
        if not all(type(name) is str for name in inner):
            raise _NotJson
        return {"M": {name: _plain(child) for name, child in inner.items()}}
    if kind == "L" and type(inner) is list:
        return {"L": [_plain(child) for child in inner]}
    if kind in SETS and type(inner) is list and all(type(member) is str for member in inner):
        return {kind: inner}
    if kind in SCALARS and type(inner) is SCALARS[kind]:
        return {kind: inner}
    raise _NotJson


def pack(attrs: Any) -> bytes | None:
    """moto's attributes as compressed DynamoDB JSON, or None when they must stay as they are."""
    if type(attrs) is not LimitedSizeDict:
        return None
    try:
        plain = {name: _plain(value) for name, value in attrs.items() if type(name) is str}
    except _NotJson:
        return None
    if len(plain) != len(attrs):
        return None
    return zlib.compress(json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode(), 1)


def unpack(packed: bytes) -> LimitedSizeDict:
    """moto's attributes back, built as moto builds them (without re-checking the item's size)."""
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attrs)
    for name, value in json.loads(zlib.decompress(packed)).items():
        dict.__setitem__(attrs, name, DynamoType(value))
    return attrs


def _get_attrs(item: Item) -> LimitedSizeDict:
    state = item.__dict__
    attrs = state.get(DECODED)
    if attrs is not None:
        return attrs
    if PACKED in state:
        attrs = unpack(state.pop(PACKED))
    else:  # made before install(): moto's own attribute
        attrs = state.pop("attrs")
    state[DECODED] = attrs
    _in_use.append(weakref.ref(item))
    return attrs


def _set_attrs(item: Item, attrs: LimitedSizeDict) -> None:
    state = item.__dict__
    state.pop(PACKED, None)
    if DECODED not in state:
        _in_use.append(weakref.ref(item))
    state[DECODED] = attrs


def _deepcopy(self: Item, memo: dict[int, Any]) -> Item:
    """A packed item is copied packed (its bytes are shared: they never change); else moto's copy."""
    packed = self.__dict__.get(PACKED)
    if packed is None:
        return DEEPCOPY.original(self, memo)
    result = Item.__new__(Item)
    memo[id(self)] = result
    result.hash_key = copy.deepcopy(self.hash_key, memo)
    result.range_key = copy.deepcopy(self.range_key, memo)
    result.__dict__[PACKED] = packed
    return result


def settle() -> None:
    """Encode again every item decoded or written since the last call (moto's lock held, or no request running)."""
    while _in_use:
        item = _in_use.pop()()
        if item is None:
            continue
        state = item.__dict__
        attrs = state.get(DECODED)
        if attrs is None:
            continue
        packed = pack(attrs)
        if packed is not None:  # else it stays decoded, as moto keeps it
            state[PACKED] = packed
            del state[DECODED]


def call_action(handler: DynamoHandler) -> Any:
    """moto's request handling; the items it used are encoded again before the next request."""
    try:
        return CALL.original(handler)
    finally:
        settle()


DEEPCOPY = Patch(Item, "__deepcopy__", _deepcopy)
CALL = Patch(DynamoHandler, "call_action", call_action)
ATTRS_PROPERTY = property(_get_attrs, _set_attrs)


def install() -> None:
    if "attrs" not in Item.__dict__:
        Item.attrs = ATTRS_PROPERTY  # type: ignore[method-assign,assignment]
    DEEPCOPY.install()
    CALL.install()


def uninstall() -> None:
    """moto as released, its tables' items decoded first (moto reads `attrs` from each item's own dict)."""
    if Item.__dict__.get("attrs") is not ATTRS_PROPERTY:
        return
    for item in _every_item():
        item.__dict__["attrs"] = _get_attrs(item)
        del item.__dict__[DECODED]
    _in_use.clear()
    del Item.attrs
    DEEPCOPY.uninstall()
    CALL.uninstall()


def _every_item() -> list[Item]:
    items = []
    for account in dynamodb_backends.values():
        for backend in account.values():
            for table in backend.tables.values():
                items.extend(table.all_items())
    return items
