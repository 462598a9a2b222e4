"""AppSync's enhanced subscription filters (emulator/filters.py): each operator, the OR of
groups and the AND within one, nested fields, and the limits AppSync puts on a filter."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import filters

EVENT = {
    "title": "Blue Train",
    "plays": 42,
    "rating": 4.5,
    "explicit": False,
    "audiences": ["ARTIST#a1", "GENRE#jazz"],
    "artist": {"name": "John Coltrane", "label": {"country": "US"}},
    "albumId": None,
}


def one(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"filterGroup": [{"filters": [{"fieldName": field, "operator": operator, "value": value}]}]}


def passes(field: str, operator: str, value: Any, event: dict[str, Any] = EVENT) -> bool:
    return filters.matches(filters.check(one(field, operator, value)), event)


@pytest.mark.parametrize(
    ("field", "operator", "matching", "not_matching"),
    [
        ("title", "eq", "Blue Train", "Giant Steps"),
        ("plays", "eq", 42.0, 43),
        ("explicit", "eq", False, 0),
        ("title", "ne", "Giant Steps", "Blue Train"),
        ("plays", "le", 42, 41),
        ("plays", "lt", 43, 42),
        ("rating", "ge", 4.5, 4.6),
        ("plays", "gt", 41, 42),
        ("title", "gt", "Blue", "Zebra"),
        ("title", "contains", "Train", "train"),
        ("audiences", "contains", "GENRE#jazz", "GENRE#rock"),
        ("title", "notContains", "Steps", "Blue"),
        ("audiences", "notContains", "GENRE#rock", "ARTIST#a1"),
        ("title", "beginsWith", "Blue", "Train"),
        ("plays", "in", [1, 42], [1, 2, 3]),
        ("title", "notIn", ["Giant Steps"], ["Blue Train"]),
        ("plays", "between", [40, 42], [43, 50]),
        ("title", "between", ["A", "C"], ["C", "Z"]),
        ("audiences", "containsAny", ["ARTIST#zz", "GENRE#jazz"], ["ARTIST#zz", "GENRE#rock"]),
        ("title", "containsAny", ["Red", "Train"], ["Red", "Steps"]),
        ("artist.name", "beginsWith", "John", "Miles"),
        ("artist.label.country", "eq", "US", "UK"),
    ],
)
def test_each_operator_matches_and_refuses(field: str, operator: str, matching: Any, not_matching: Any) -> None:
    assert passes(field, operator, matching)
    assert not passes(field, operator, not_matching)


def test_values_of_another_type_never_compare() -> None:
    assert not passes("plays", "gt", "1")
    assert not passes("title", "lt", 100)
    assert not passes("plays", "beginsWith", "4")


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        *[("eq", "x", False), ("ne", "x", True), ("in", ["x"], False), ("notIn", ["x"], True)],
        *[("contains", "x", False), ("notContains", "x", True), ("containsAny", ["x"], False)],
    ],
)
def test_a_missing_or_null_field_matches_only_the_negative_operators(operator: str, value: Any, expected: bool) -> None:
    for field in ("albumId", "nothing", "artist.nothing.deeper", "title.length"):
        assert passes(field, operator, value) is expected, field


def test_groups_are_ored_and_the_filters_of_a_group_anded() -> None:
    jazz = {"fieldName": "audiences", "operator": "contains", "value": "GENRE#jazz"}
    popular = {"fieldName": "plays", "operator": "gt", "value": 100}
    by_a1 = {"fieldName": "audiences", "operator": "containsAny", "value": ["ARTIST#a1"]}
    rock = {"fieldName": "audiences", "operator": "contains", "value": "GENRE#rock"}

    def match(*groups: list[dict[str, Any]]) -> bool:
        spec = {"filterGroup": [{"filters": group} for group in groups]}
        return filters.matches(filters.check(spec), EVENT)

    assert match([jazz])
    assert not match([jazz, popular]), "one filter of the group fails: the group does not match"
    assert match([jazz, popular], [by_a1]), "another group matches"
    assert not match([jazz, popular], [rock], [by_a1, rock]), "no group matches"


def _groups(count: int) -> dict[str, Any]:
    return {"filterGroup": [{"filters": [{"fieldName": "plays", "operator": "eq", "value": n}]} for n in range(count)]}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "filterGroup"),
        ({"filterGroup": []}, "1 to 10 filter groups, not 0"),
        (_groups(11), "1 to 10 filter groups, not 11"),
        ({"filterGroup": [{"filters": []}]}, "1 to 5 filters, not 0"),
        ({"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq", "value": 1}] * 6}]}, "not 6"),
        (one("plays", "like", 1), "Unknown filter operator 'like'"),
        (one("", "eq", 1), "fieldName"),
        (one("a.b.c.d.e.f", "eq", 1), "deeper than 5 levels"),
        (one("x" * 257, "eq", 1), "fieldName"),
        ({"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq"}]}]}, "has no value"),
        (one("plays", "in", [1, 2, 3, 4, 5, 6]), "in on plays takes 1 to 5 values, not 6"),
        (one("plays", "notIn", []), "notIn on plays takes 1 to 5 values, not 0"),
        (one("audiences", "containsAny", [str(n) for n in range(21)]), "1 to 20 values, not 21"),
        (one("plays", "between", [1]), "exactly 2 values"),
        (one("plays", "between", [1, "z"]), "two numbers or two strings"),
        (one("plays", "eq", [1]), "a string, a number or a boolean"),
        (one("plays", "gt", True), "a number or a string"),
        (one("title", "beginsWith", 1), "takes a string"),
    ],
)
def test_filters_past_appsyncs_rules_are_refused(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(filters.FilterError, match=message):
        filters.check(spec)


def test_the_largest_filter_appsync_takes_is_taken() -> None:
    widest = {"fieldName": "audiences", "operator": "containsAny", "value": [f"ARTIST#{n}" for n in range(19)]}
    last = {"fieldName": "audiences", "operator": "containsAny", "value": ["ARTIST#a1"]}
    groups = [{"filters": [widest] * 5} for _ in range(9)] + [{"filters": [widest] * 4 + [last]}]
    spec = filters.check({"filterGroup": groups})
    assert not filters.matches({"filterGroup": groups[:9]}, EVENT)
    assert not filters.matches(spec, EVENT), "the last group ANDs a filter that fails"
    groups[-1] = {"filters": [last]}
    assert filters.matches(filters.check({"filterGroup": groups}), EVENT)
