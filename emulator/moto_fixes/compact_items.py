"""Items at rest keep their attributes as one compressed string, not one object per attribute.

moto 5.2.5's `Item.attrs` is a dict of `DynamoType` objects: one object, with its own
dict and strings, per attribute and per element of a map or list. A song item (35
attributes, 1.6 KB of DynamoDB JSON) held 11 KB that way, and the emulator's heap grew
by 13.4 KB per createSong (tracemalloc), its RSS 15 % between 2,000 and 4,000 songs.

Here an item that no request is using holds its attributes pickled and zlib-compressed
(`_packed`, under 500 bytes for that song). moto's code still reads and writes
`item.attrs`: the first access unpickles it (`_attrs`), the item keeps that dict, so
moto's in-place updates land in it. When the DynamoDB request ends, an item that was only
read drops its decoded form (its bytes still hold it: a Query decodes a whole partition,
packing it all again tripled its time); one that was written (new attributes, or one of
moto's two in-place changes, marked below) is pickled again. Pickle gives back exactly
what moto held (bytes, sets, numbers, the attributes' order), so moto's answers do not
change. A copy of a packed item (moto copies items for query results, updates,
transactions) shares its bytes instead of decoding them.

The encoding runs at the end of each DynamoDB action, inside the lock that serializes them
(`json_responses._locked`, the one place moto's DynamoDB model is used; `aws.DYNAMODB_LOCK`).
Code that reads moto's tables directly (persistence) decodes the items it reads; they are
packed again by `settle()`, or at the end of the next request.
"""

from __future__ import annotations

import copy
import io
import pickle
import weakref
import zlib
from collections import OrderedDict
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing.executors import UpdateExpressionExecutor

from emulator.moto_fixes.patching import Patch, Patches

# An item's two slots, always both set, in this order (so items share their attribute
# layout and Python keeps no dict per item). Packed only: at rest. Both: decoded to be read,
# the bytes still its content. Decoded only: written, to be packed again.
PACKED = "_packed"
DECODED = "_attrs"


def dynamo_type(kind: str, value: Any) -> DynamoType:
    """A DynamoType as moto held it, without its constructor's conversions (the value is already converted)."""
    made = DynamoType.__new__(DynamoType)
    made.type = kind
    made.value = value
    return made


def _reduce(value: DynamoType) -> tuple[Any, tuple[str, Any]]:
    return dynamo_type, (value.type, value.value)


def _pickled(attrs: dict[str, DynamoType]) -> bytes:
    """Pickle, with each DynamoType as (type, value): half the time and no dict per object when loaded."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {DynamoType: _reduce}
    pickler.dump(attrs)
    return out.getvalue()


# Preset for zlib: what every pickled item starts with (the function that rebuilds a DynamoType).
PRESET = _pickled({"": DynamoType({"S": ""}), "n": DynamoType({"N": "0"})})

# Items decoded or written since the last settle(); weak, so query results and copies die as before.
_in_use: list[weakref.ref[Item]] = []


SIZE_BYTES = 4  # the packed form starts with the item's size, as moto's `Item.size()` counts it


def pack(attrs: Any) -> bytes | None:
    """moto's attributes pickled and compressed, after their size; None for anything but moto's own attribute dict.

    The size is kept because moto asks for it twice per item a Query or Scan walks, and counting
    it walks every attribute: with 250 songs per page that was more time than decoding them."""
    if type(attrs) is not LimitedSizeDict:
        return None
    size = sum(bytesize(key) + value.size() for key, value in attrs.items())
    compressor = zlib.compressobj(9, zdict=PRESET)
    return size.to_bytes(SIZE_BYTES, "big") + compressor.compress(_pickled(dict(attrs))) + compressor.flush()


def unpack(packed: bytes) -> LimitedSizeDict:
    """moto's attributes back (without re-checking the item's size, as moto's own copy does)."""
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    pickled = zlib.decompressobj(zdict=PRESET).decompress(memoryview(packed)[SIZE_BYTES:])
    dict.__init__(attrs, pickle.loads(pickled))  # noqa: S301 - our own bytes, made in this process
    return attrs


# Items kept decoded across requests: the most recently read, by their bytes. A page read again and
# again (the songs page reads ahead 250 songs through its filter) decoded the same items each
# time: a fifth of the emulator's CPU with 8 clients. Decoded attributes are only ever read
# (moto's in-place changes work on a fresh decode, `_changing`), so one decode serves every
# item and copy with those bytes. Bounded: ~11 KB per song item.
RECENT_ITEMS = 512


class Decoded:
    """A recently read item's attributes, and their JSON once a response has encoded them (json_responses)."""

    __slots__ = ("attrs", "json")

    def __init__(self, attrs: LimitedSizeDict) -> None:
        self.attrs = attrs
        self.json: str | None = None


_recent: OrderedDict[bytes, Decoded] = OrderedDict()
_recent_attrs: dict[int, Decoded] = {}  # the same entries, by the id of their attributes


def _decoded(packed: bytes) -> LimitedSizeDict:
    """The attributes `packed` holds, decoded once while they are among the most recently read."""
    entry = _recent.get(packed)
    if entry is not None:
        _recent.move_to_end(packed)
        return entry.attrs
    entry = Decoded(unpack(packed))
    _recent[packed] = entry
    _recent_attrs[id(entry.attrs)] = entry
    if len(_recent) > RECENT_ITEMS:
        _, oldest = _recent.popitem(last=False)
        del _recent_attrs[id(oldest.attrs)]
    return entry.attrs


def recently_decoded(attrs: Any) -> Decoded | None:
    """The entry of attributes decoded by `_decoded` and still kept: attributes no request changes."""
    entry = _recent_attrs.get(id(attrs))
    return entry if entry is not None and entry.attrs is attrs else None


def _hold(item: Item, packed: bytes | None, attrs: LimitedSizeDict | None) -> None:
    setattr(item, PACKED, packed)
    setattr(item, DECODED, attrs)


def _get_attrs(item: Item) -> LimitedSizeDict:
    attrs = getattr(item, DECODED, None)
    if attrs is not None:
        return attrs
    packed = getattr(item, PACKED, None)
    # An item made before install() still has moto's own `attrs`.
    attrs = _decoded(packed) if packed is not None else item.__dict__.pop("attrs")
    _hold(item, packed, attrs)
    _in_use.append(weakref.ref(item))
    return attrs


def _set_attrs(item: Item, attrs: LimitedSizeDict) -> None:
    if getattr(item, DECODED, None) is None:
        _in_use.append(weakref.ref(item))
    _hold(item, None, attrs)


def _changing(item: Item) -> None:
    """moto is about to change the item's attributes in place: its bytes no longer hold them.

    Its decoded attributes may be shared with copies of it (`_deepcopy`): it changes a fresh
    decode of its bytes instead."""
    packed = getattr(item, PACKED, None)
    if packed is None:
        _hold(item, None, _get_attrs(item))
        return
    _hold(item, None, unpack(packed))
    _in_use.append(weakref.ref(item))


def update_with_attribute_updates(self: Item, attribute_updates: dict[str, Any]) -> None:
    _changing(self)
    ATTRIBUTE_UPDATES.original(self, attribute_updates)


def execute(self: UpdateExpressionExecutor, node: Any = None) -> None:
    _changing(self.item)
    EXECUTE.original(self, node)


def _deepcopy(self: Item, memo: dict[int, Any]) -> Item:
    """A packed item is copied packed (its bytes are shared: they never change); else moto's copy.

    When it is decoded too (only read so far), the copy shares the decoded attributes as well:
    a Query copies every result and then reads the copies (filter, encoding), which decoded each
    item twice. Shared attributes are never changed in place: moto's two in-place changes
    (`_changing`) work on a fresh decode of the bytes."""
    packed = getattr(self, PACKED, None)
    if packed is None:
        return DEEPCOPY.original(self, memo)
    result = Item.__new__(Item)
    memo[id(self)] = result
    result.hash_key = copy.deepcopy(self.hash_key, memo)
    result.range_key = copy.deepcopy(self.range_key, memo)
    decoded = getattr(self, DECODED, None)
    _hold(result, packed, decoded)
    if decoded is not None:
        _in_use.append(weakref.ref(result))
    return result


def size(self: Item) -> int:
    """moto's `Item.size()`; a packed item's was counted when it was packed (its bytes hold those attributes)."""
    packed = getattr(self, PACKED, None)
    if packed is None:
        return SIZE.original(self)
    return int.from_bytes(packed[:SIZE_BYTES], "big")


def settle() -> None:
    """Pack again every item decoded or written since the last call (moto's lock held, or no request running)."""
    while _in_use:
        item = _in_use.pop()()
        attrs = getattr(item, DECODED, None)
        if attrs is None:
            continue
        packed = getattr(item, PACKED, None)  # only read: its bytes are still its content
        if packed is None:
            packed = pack(attrs)
        if packed is not None:  # else it stays decoded, as moto keeps it
            _hold(item, packed, None)


DEEPCOPY = Patch(Item, "__deepcopy__", _deepcopy)
# The only two places moto 5.2.5 changes a stored item's attributes in place (UpdateItem).
ATTRIBUTE_UPDATES = Patch(Item, "update_with_attribute_updates", update_with_attribute_updates)
EXECUTE = Patch(UpdateExpressionExecutor, "execute", execute)
SIZE = Patch(Item, "size", size)
PATCHES = Patches(DEEPCOPY, ATTRIBUTE_UPDATES, EXECUTE, SIZE)
ATTRS_PROPERTY = property(_get_attrs, _set_attrs)


def install() -> None:
    if "attrs" not in Item.__dict__:
        Item.attrs = ATTRS_PROPERTY  # type: ignore[method-assign,assignment]
    PATCHES.install()


def uninstall() -> None:
    """moto as released, its tables' items decoded first (moto reads `attrs` from each item's own dict)."""
    if Item.__dict__.get("attrs") is not ATTRS_PROPERTY:
        return
    decoded = [(item, _own_attrs(item)) for item in _every_item()]
    _in_use.clear()
    _recent.clear()
    _recent_attrs.clear()
    del Item.attrs
    for item, attrs in decoded:
        item.attrs = attrs
        delattr(item, PACKED)
        delattr(item, DECODED)
    PATCHES.uninstall()


def _own_attrs(item: Item) -> LimitedSizeDict:
    """The item's attributes in a dict of its own (moto changes them in place), not one shared with its copies."""
    packed = getattr(item, PACKED, None)
    return unpack(packed) if packed is not None else _get_attrs(item)


def _every_item() -> list[Item]:
    items = []
    for account in dynamodb_backends.values():
        for backend in account.values():
            for table in backend.tables.values():
                items.extend(table.all_items())
    return items
