"""Queries read one partition, of the table or of a global secondary index, not the whole table.

moto 5.2.5's `Table.query` starts from `all_items()`, every item of the table sorted, and
then keeps those of the asked partition: each Query cost O(table log table) however small
its partition. Here each table keeps, per global secondary index, its items by index
partition key value, and a query runs moto's own `Table.query` on a view of the table
whose `all_items()` is that partition only (the base table's partition for a table query).
moto's code still checks every key condition, sorts, pages, filters and projects, so the
results are moto's; only the items it looks at change.

The partitions are kept up to date where moto changes items: `Table.put_item`,
`Table.delete_item`, `DynamoDBBackend.update_item` (which changes an item in place, index
keys included) and a rolled-back transaction (`transactions.Snapshot.restore`). A table
made some other way (restored from a backup) gets its partitions built at its first query.
Queries this module does not serve the same way (a local secondary index, no partition
key condition) run moto's code unchanged.

A page reads its page, not its partition. moto sorts the candidates by their attributes,
so a Query of a large index partition (`byKind` `SONG`: every song) decoded every item
of it (compact_items) to return 50: with 1,000 songs, ~1 s of the emulator's CPU per songs
page. Once an index partition has been queried, it also keeps its entries in moto's order
(`Ordered`: index sort key, table keys, all strings), kept in place by the same updates
(an insert is a bisect, a removal a scan of strings). A query whose keys are strings, with
a `Limit`, and at most one sort key condition (=, <, <=, >, >=, BETWEEN, begins_with)
finds where its page starts (after `ExclusiveStartKey`, inside the condition) by bisection
and hands moto's query only the items its walk would reach: the page, and the next item,
at which moto sets `LastEvaluatedKey`. moto then does everything it did before on those.
"""

from __future__ import annotations

import inspect
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, GlobalSecondaryIndex, Table

from emulator.moto_fixes.patching import Patch, Patches

ItemKey = tuple[DynamoType, DynamoType | None]


class Partitions:
    """One table's items by (index name, index partition key value), and each item's entries."""

    def __init__(self, table: Table) -> None:
        self.by_index: dict[str, dict[DynamoType, dict[ItemKey, Item]]] = {}
        # What each item is indexed under; the pairs are shared by every item of a partition, so
        # they hold no object of the item's own (its attributes are packed between requests).
        self.entries: dict[ItemKey, tuple[tuple[str, DynamoType], ...]] = {}
        self._pairs: dict[tuple[str, DynamoType], tuple[str, DynamoType]] = {}
        # Partitions that were queried, in moto's order (built at their first query).
        self.ordered: dict[tuple[str, DynamoType], Ordered | None] = {}
        for index in table.global_indexes:
            self.by_index[index.name] = {}
        for item in table.all_items():
            self.update(table, (item.hash_key, item.range_key))

    def update(self, table: Table, key: ItemKey) -> None:
        """Index the item now at `key` (or its absence) in place of whatever was indexed for it."""
        for pair in self.entries.pop(key, ()):
            name, value = pair
            partition = self.by_index[name][value]
            partition.pop(key, None)
            ordered = self.ordered.get(pair)
            if ordered is not None:
                ordered.remove(key)
            if not partition:
                del self.by_index[name][value]
                del self._pairs[pair]
                self.ordered.pop(pair, None)
        item = table.get_item(*key) if key[0] in table.items else None
        if item is None:
            return
        entries = []
        for index in table.global_indexes:
            value = item.attrs.get(_partition_attribute(index))
            if value is not None:
                pair = self._pairs.setdefault((index.name, value), (index.name, value))
                self.by_index.setdefault(index.name, {}).setdefault(pair[1], {})[key] = item
                entries.append(pair)
                if pair in self.ordered:
                    self._order(pair, index, key, item)
        if entries:
            self.entries[key] = tuple(entries)

    def _order(self, pair: tuple[str, DynamoType], index: GlobalSecondaryIndex, key: ItemKey, item: Item) -> None:
        ordered = self.ordered[pair]
        if ordered is None:
            return
        entry = _entry(index, key, item)
        if entry is False:  # a key that is not a string: this partition is always walked by moto
            self.ordered[pair] = None
        elif entry is not None:
            ordered.add(entry)

    def items(self, index_name: str, value: DynamoType) -> list[Item]:
        return list(self.by_index.get(index_name, {}).get(value, {}).values())

    def in_order(self, index: GlobalSecondaryIndex, value: DynamoType) -> Ordered | None:
        """The partition's entries in moto's order, None when it cannot be ordered here."""
        pair = self._pairs.get((index.name, value))
        if pair is None:
            return Ordered([])
        if pair not in self.ordered:
            entries = [_entry(index, key, item) for key, item in self.by_index[index.name][value].items()]
            strings = all(entry is not False for entry in entries)
            self.ordered[pair] = Ordered([e for e in entries if e]) if strings else None  # type: ignore[misc]
        return self.ordered[pair]


# moto names a key condition's comparison by its symbol (KeyConditionExpression) or its name (KeyConditions).
SYMBOLS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
# An index entry in moto's query order: (index sort key, table partition key, table sort key, item key).
Entry = tuple[str, str, str, ItemKey]


def _string(value: DynamoType | None) -> str | bool | None:
    """The string a key attribute holds; None when missing; False when it is not a string."""
    if value is None:
        return None
    return value.value if value.type == "S" and isinstance(value.value, str) else False


def _entry(index: GlobalSecondaryIndex, key: ItemKey, item: Item) -> Entry | bool | None:
    """The item's entry; None when moto's query leaves it out (no index sort key); False when not strings."""
    sort_key = _string(item.attrs.get(_sort_attribute(index)))
    hash_key, range_key = _string(key[0]), _string(key[1])
    if sort_key is False or not isinstance(hash_key, str) or not isinstance(range_key, str):
        return False
    return None if sort_key is None else (sort_key, hash_key, range_key, key)  # type: ignore[return-value]


class Ordered:
    """One index partition's entries, sorted as moto's query sorts its items."""

    def __init__(self, entries: list[Entry]) -> None:
        entries.sort(key=lambda entry: entry[:3])
        self.entries = entries

    def add(self, entry: Entry) -> None:
        insort(self.entries, entry, key=lambda e: e[:3])

    def remove(self, key: ItemKey) -> None:
        hash_key, range_key = _string(key[0]), _string(key[1])
        for position, entry in enumerate(self.entries):
            if entry[2] == range_key and entry[1] == hash_key:
                del self.entries[position]
                return

    def bounds(self, comparison: str | None, values: list[str]) -> tuple[int, int] | None:
        """Where the entries a sort key condition accepts lie (they are contiguous); None: not served here."""
        entries, count = self.entries, len(self.entries)
        sort_key: Callable[[Entry], str] = lambda entry: entry[0]  # noqa: E731
        if comparison is None:
            return 0, count
        if comparison == "BEGINS_WITH":
            prefix = values[0]
            start = bisect_left(entries, prefix, key=lambda entry: entry[0][: len(prefix)])
            return start, bisect_right(entries, prefix, key=lambda entry: entry[0][: len(prefix)])
        first = bisect_left(entries, values[0], key=sort_key)
        after = bisect_right(entries, values[-1], key=sort_key)
        ranges = {
            "EQ": (first, after),
            "LT": (0, first),
            "LE": (0, after),
            "GT": (after, count),
            "GE": (first, count),
            "BETWEEN": (first, max(first, after)),
        }
        return ranges.get(SYMBOLS.get(comparison, comparison))

    def window(
        self, block: tuple[int, int], start_after: tuple[str, str, str] | None, limit: int, forward: bool
    ) -> list[Entry]:
        """The entries moto's walk reaches: up to `limit` in the block from the start key, then the next one."""
        entries = self.entries
        low, high = block
        if forward:
            if start_after is not None:
                low = max(low, bisect_right(entries, start_after, key=lambda entry: entry[:3]))
            if high - low > limit:
                return entries[low : low + limit + 1]
            return entries[low:high] + (entries[high : high + 1] if high - low == limit else [])
        if start_after is not None:
            high = min(high, bisect_left(entries, start_after, key=lambda entry: entry[:3]))
        if high - low > limit:
            return entries[high - limit - 1 : high]
        return (entries[low - 1 : low] if high - low == limit and low > 0 else []) + entries[low:high]


ATTRIBUTE = "_emulator_partitions"


def partitions(table: Table) -> Partitions:
    if ATTRIBUTE not in table.__dict__:
        setattr(table, ATTRIBUTE, Partitions(table))
    return table.__dict__[ATTRIBUTE]


def reindex(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    if ATTRIBUTE in table.__dict__:  # else built from the items at the first query
        table.__dict__[ATTRIBUTE].update(table, (hash_key, range_key))


def _partition_attribute(index: GlobalSecondaryIndex) -> str:
    return next(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH")


def _sort_attribute(index: GlobalSecondaryIndex) -> str | None:
    return next((key["AttributeName"] for key in index.schema if key["KeyType"] == "RANGE"), None)


class _PartitionView:
    """The table as moto's query sees it, with `all_items()` narrowed to the candidates."""

    def __init__(self, table: Table, candidates: list[Item]) -> None:
        self._table = table
        self._candidates = candidates

    def all_items(self) -> list[Item]:
        return self._candidates

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


def _candidates(table: Table, hash_key: DynamoType | None, index_name: str | None, conditions: Any) -> Any:
    """The items the query can match, or None when moto's walk over every item must run."""
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if table.has_range_key else [partition]
    index = next((i for i in table.global_indexes if i.name == index_name), None)
    if index is None:
        return None
    attribute = _partition_attribute(index)
    value = next((v for name, v in conditions or [] if name == attribute), None)
    if value is None:
        return None
    return partitions(table).items(index_name, value)


def _page(table: Table, asked: inspect.BoundArguments) -> list[Item] | None:
    """The items moto's walk over an ordered index partition reaches, or None (see the module's docstring)."""
    query = asked.arguments
    index = next((i for i in table.global_indexes if i.name == query.get("index_name")), None)
    if index is None or not _served(table, index, query):
        return None
    value = query["hash_key_conditions"][0][1]
    ordered = partitions(table).in_order(index, value)
    values = [_string(value) for value in query.get("range_objs") or []]
    block = ordered.bounds(query.get("range_comparison"), values) if ordered is not None else None  # type: ignore[arg-type]
    start = _start_key(table, index, value, query.get("exclusive_start_key"))
    if ordered is None or block is None or start is False:
        return None
    window = ordered.window(block, start, query["limit"], query.get("scan_index_forward") is not False)  # type: ignore[arg-type]
    by_key = partitions(table).by_index[index.name].get(value, {})
    items = [by_key[entry[3]] for entry in window]
    # A short page ends where the condition does; moto's walk goes on over the items that follow,
    # and its 1 MB page limit could stop it at one of them. Only near that size is moto left to walk.
    if len(window) <= query["limit"] and sum(item.size() for item in items) > RESULT_SIZE_LIMIT // 2:
        return None
    return items


def _served(table: Table, index: GlobalSecondaryIndex, query: dict[str, Any]) -> bool:
    """A query on one string partition key and at most one string sort key condition, with a Limit."""
    conditions = query.get("hash_key_conditions") or []
    ranges = query.get("range_key_conditions") or []
    sort_attribute = _sort_attribute(index)
    limit = query.get("limit")
    return (
        len(index.schema) == 2
        and table.range_key_attr is not None
        and not query.get("filter_kwargs")
        and sort_attribute is not None
        and len(conditions) == 1
        and conditions[0][0] == _partition_attribute(index)
        and isinstance(limit, int)
        and limit >= 1
        and len(ranges) <= 1
        and all(condition[0] == sort_attribute for condition in ranges)
        and all(isinstance(_string(value), str) for value in query.get("range_objs") or [])
    )


def _start_key(
    table: Table, index: GlobalSecondaryIndex, value: DynamoType, start: Any
) -> tuple[str, str, str] | bool | None:
    """ExclusiveStartKey as an entry's sort key; False when it is not one this partition's entries compare with."""
    if start is None:
        return None
    attributes = (_partition_attribute(index), _sort_attribute(index), table.hash_key_attr, table.range_key_attr)
    raw = [start.get(name) for name in attributes]
    if not all(isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) for v in raw):
        return False
    if raw[0]["S"] != _string(value):
        return False
    return raw[1]["S"], raw[2]["S"], raw[3]["S"]


def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto's query over the partition's items only, or a page's (see the module's docstring)."""
    asked = SIGNATURE.bind(self, hash_key, *args, **kwargs)
    asked.arguments.setdefault("filter_kwargs", {})
    page = _page(self, asked)
    if page is not None:
        return QUERY.original(_PartitionView(self, page), hash_key, *args, **kwargs)
    index_name = asked.arguments.get("index_name")
    candidates = _candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
    target = self if candidates is None else _PartitionView(self, candidates)
    return QUERY.original(target, hash_key, *args, **kwargs)


def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    item = PUT.original(self, item_attrs, *args, **kwargs)
    reindex(self, item.hash_key, item.range_key)
    return item


def delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    item = DELETE.original(self, hash_key, range_key)
    reindex(self, hash_key, range_key)
    return item


def update_item(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Item:
    item = UPDATE.original(self, table_name, *args, **kwargs)
    reindex(self.get_table(table_name), item.hash_key, item.range_key)
    return item


QUERY = Patch(Table, "query", query)
SIGNATURE = inspect.signature(QUERY.original)
PUT = Patch(Table, "put_item", put_item)
DELETE = Patch(Table, "delete_item", delete_item)
UPDATE = Patch(DynamoDBBackend, "update_item", update_item)
PATCHES = Patches(QUERY, PUT, DELETE, UPDATE)


install, uninstall = PATCHES.install, PATCHES.uninstall
