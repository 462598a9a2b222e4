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
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import GlobalSecondaryIndex, Table

from emulator.moto_fixes.patching import Patch

ItemKey = tuple[DynamoType, DynamoType | None]


class Partitions:
    """One table's items by (index name, index partition key value), and each item's entries."""

    def __init__(self, table: Table) -> None:
        self.by_index: dict[str, dict[DynamoType, dict[ItemKey, Item]]] = {}
        # What each item is indexed under; the pairs are shared by every item of a partition, so
        # they hold no object of the item's own (its attributes are packed between requests).
        self.entries: dict[ItemKey, tuple[tuple[str, DynamoType], ...]] = {}
        self._pairs: dict[tuple[str, DynamoType], tuple[str, DynamoType]] = {}
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
            if not partition:
                del self.by_index[name][value]
                del self._pairs[pair]
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
        if entries:
            self.entries[key] = tuple(entries)

    def items(self, index_name: str, value: DynamoType) -> list[Item]:
        return list(self.by_index.get(index_name, {}).get(value, {}).values())


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


def query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """moto's query over the partition's items only (see the module's docstring)."""
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
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
PUT = Patch(Table, "put_item", put_item)
DELETE = Patch(Table, "delete_item", delete_item)
UPDATE = Patch(DynamoDBBackend, "update_item", update_item)
PATCHES = (QUERY, PUT, DELETE, UPDATE)


def install() -> None:
    for patch in PATCHES:
        patch.install()


def uninstall() -> None:
    for patch in PATCHES:
        patch.uninstall()
