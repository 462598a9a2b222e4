"""emulator/moto_fixes/model_registry.py: moto lets go of DynamoDB items nobody holds any more."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from emulator.moto_fixes import model_registry


@pytest.fixture(params=["moto", "fixed"])
def variant(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "fixed":
        model_registry.install()
    try:
        yield request.param
    finally:
        model_registry.uninstall()


def test_an_item_nobody_holds_is_freed_only_with_the_fix(variant: str) -> None:
    item = Item(DynamoType({"S": "SONG#1"}), DynamoType({"S": "SONG"}), {"title": {"S": "Static"}})
    freed = weakref.ref(item)
    del item
    gc.collect()
    assert (freed() is None) == (variant == "fixed")


def test_items_are_made_as_before(variant: str) -> None:
    item = Item(DynamoType({"S": "SONG#1"}), None, {"title": {"S": "Static"}, "n": {"N": "3"}})
    assert item.to_json() == {"Attributes": {"title": {"S": "Static"}, "n": {"N": "3"}}}
