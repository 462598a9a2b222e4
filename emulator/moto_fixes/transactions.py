"""TransactWriteItems that saves, for rollback, only the items it touches.

moto 5.2.5 deep-copies every table a transaction names before it starts (once per
action: a createSong of 7 actions copied the whole table 7 times), so each transaction
cost time and memory in proportion to the table, and a cancelled one swapped in the copy,
a new `Table` object (stream iterators held on the old one went stale).

This is moto's `DynamoDBBackend.transact_write_items` with that one change: before an
action runs, the item it names is deep-copied (or noted as absent); on rollback those
items are put back in place, in the same table, and the table's stream loses the records
the rolled-back writes added, as it did when the whole table was swapped back. Checks,
the order they run in, cancellation reasons and the exceptions raised are moto's. The
items put back are indexed again (emulator/moto_fixes/indexes.py).
"""

from __future__ import annotations

import copy
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from emulator.moto_fixes import indexes
from emulator.moto_fixes.patching import Patch

MAX_ACTIONS = 100


class Snapshot:
    """The items a transaction touched as they were before it, to put them back on rollback."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, DynamoType, DynamoType | None], tuple[Table, Item | None]] = {}
        self._stream_lengths: dict[str, tuple[Table, int]] = {}

    def keep(self, backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> None:
        """Save the item at `key` (None when absent), once, before the first write to it."""
        table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        where = (table.name, hash_key, range_key)
        if where in self._items:
            return
        current = table.get_item(hash_key, range_key)
        self._items[where] = (table, copy.deepcopy(current))
        if table.stream_shard is not None and table.name not in self._stream_lengths:
            self._stream_lengths[table.name] = (table, len(table.stream_shard.items))

    def restore(self) -> None:
        """Every touched item as it was; the stream records of the undone writes dropped."""
        for (_, hash_key, range_key), (table, before) in self._items.items():
            _put_back(table, hash_key, range_key, before)
            indexes.reindex(table, hash_key, range_key)
        for table, length in self._stream_lengths.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, before: Item | None) -> None:
    if range_key is None:
        if before is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = before
        return
    partition = table.items[hash_key]
    if before is None:
        partition.pop(range_key, None)
    else:
        partition[range_key] = before
    if not partition:
        del table.items[hash_key]


def _action_key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    attrs = op["Item"]
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:  # noqa: PLR0912, PLR0915 - moto's, kept as it is
    """moto's, saving the touched items instead of whole tables (see the module's docstring)."""
    if len(transact_items) > MAX_ACTIONS:
        raise TooManyTransactionsException()
    snapshot = Snapshot()
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")
            key = _action_key(self, op_type, op)
            check_unicity(table_name, key)

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression, expression_attribute_names, expression_attribute_values
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type != "ConditionCheck":
                snapshot.keep(self, table_name, key)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            snapshot.restore()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:  # moto's: any other failure becomes that action's reason
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        snapshot.restore()
        raise TransactionCanceledException(errors)


PATCH = Patch(DynamoDBBackend, "transact_write_items", transact_write_items)
install, uninstall = PATCH.install, PATCH.uninstall
