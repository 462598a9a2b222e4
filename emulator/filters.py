"""AppSync's enhanced subscription filters, locally: the rules a filter must follow, and its meaning.

A subscription resolver sets a filter with `extensions.setSubscriptionFilter(filter)`, and
a subscription invalidation filter with `extensions.setSubscriptionInvalidationFilter`;
both have one shape:

    {"filterGroup": [{"filters": [{"fieldName": "a.b", "operator": "eq", "value": 1}, ...]}, ...]}

An event matches when ANY group matches, and a group matches when ALL its filters do.
`fieldName` may name a nested field with dots. AppSync refuses a filter past its limits
(below); `check` refuses it the same way, so a resolver that builds one fails locally too.
Nothing here knows a subscription: the emulator applies it to any resolver that sets one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

MAX_FILTER_GROUPS = 10
MAX_FILTERS_PER_GROUP = 5
MAX_IN_VALUES = 5  # `in` and `notIn`
MAX_CONTAINS_ANY_VALUES = 20
MAX_FIELD_DEPTH = 5  # `a.b.c.d.e`
MAX_FIELD_NAME_LENGTH = 256

_MISSING = object()


class FilterError(ValueError):
    """A filter AppSync would refuse; the message names the rule it breaks."""


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value is not None


def _number_or_string(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _ordered(left: Any, right: Any) -> bool:
    """Both numbers, or both strings: the only pairs that le/lt/ge/gt/between compare."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    return numbers or (isinstance(left, str) and isinstance(right, str))


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return left == right


def _contains(field: Any, value: Any) -> bool:
    """A list contains an element; a string contains a substring (AppSync's `contains`)."""
    if isinstance(field, list):
        return any(_equal(element, value) for element in field)
    return isinstance(field, str) and isinstance(value, str) and value in field


def _between(field: Any, bounds: list[Any]) -> bool:
    low, high = bounds
    return _ordered(field, low) and _ordered(field, high) and low <= field <= high


# operator -> whether the event's value of the field (left) matches the filter's value (right)
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _equal,
    "ne": lambda field, value: not _equal(field, value),
    "le": lambda field, value: _ordered(field, value) and field <= value,
    "lt": lambda field, value: _ordered(field, value) and field < value,
    "ge": lambda field, value: _ordered(field, value) and field >= value,
    "gt": lambda field, value: _ordered(field, value) and field > value,
    "contains": _contains,
    "notContains": lambda field, value: not _contains(field, value),
    "beginsWith": lambda field, value: isinstance(field, str) and field.startswith(value),
    "in": lambda field, values: any(_equal(field, value) for value in values),
    "notIn": lambda field, values: not any(_equal(field, value) for value in values),
    "between": _between,
    "containsAny": lambda field, values: any(_contains(field, value) for value in values),
}
OPERATORS = frozenset(_OPERATORS)
# The operators that still match an event without the field (a null is not equal to, in, nor containing the value).
_MATCH_MISSING = frozenset({"ne", "notIn", "notContains"})


def check(spec: Any) -> dict[str, Any]:
    """The filter, if AppSync would take it; otherwise FilterError naming the broken rule."""
    if not isinstance(spec, Mapping) or not isinstance(spec.get("filterGroup"), list):
        raise FilterError("A subscription filter is an object with a filterGroup list")
    groups = spec["filterGroup"]
    if not 1 <= len(groups) <= MAX_FILTER_GROUPS:
        raise FilterError(f"A subscription filter has 1 to {MAX_FILTER_GROUPS} filter groups, not {len(groups)}")
    for group in groups:
        filters = group.get("filters") if isinstance(group, Mapping) else None
        if not isinstance(filters, list) or not 1 <= len(filters) <= MAX_FILTERS_PER_GROUP:
            count = len(filters) if isinstance(filters, list) else "no"
            raise FilterError(f"A filter group has 1 to {MAX_FILTERS_PER_GROUP} filters, not {count}")
        for condition in filters:
            _check_condition(condition)
    return dict(spec)


def _check_condition(condition: Any) -> None:
    if not isinstance(condition, Mapping):
        raise FilterError("A filter is an object with fieldName, operator and value")
    name, operator, value = condition.get("fieldName"), condition.get("operator"), condition.get("value", _MISSING)
    if not isinstance(name, str) or not name or len(name) > MAX_FIELD_NAME_LENGTH:
        raise FilterError(f"fieldName must be a field name of 1 to {MAX_FIELD_NAME_LENGTH} characters")
    if name.count(".") + 1 > MAX_FIELD_DEPTH:
        raise FilterError(f"fieldName {name!r} is nested deeper than {MAX_FIELD_DEPTH} levels")
    if operator not in OPERATORS:
        raise FilterError(f"Unknown filter operator {operator!r}; AppSync's are {', '.join(sorted(OPERATORS))}")
    if value is _MISSING:
        raise FilterError(f"The {operator} filter on {name} has no value")
    _check_value(operator, name, value)


def _check_value(operator: str, name: str, value: Any) -> None:
    """What each operator compares with: one scalar, or a list of a bounded size."""
    if operator in ("in", "notIn"):
        _check_list(operator, name, value, 1, MAX_IN_VALUES)
    elif operator == "containsAny":
        _check_list(operator, name, value, 1, MAX_CONTAINS_ANY_VALUES)
    elif operator == "between":
        _check_list(operator, name, value, 2, 2)
        if not _ordered(*value):
            raise FilterError(f"between on {name} takes two numbers or two strings")
    elif operator in ("eq", "ne"):
        if not _scalar(value):
            raise FilterError(f"{operator} on {name} takes a string, a number or a boolean")
    elif operator == "beginsWith" and not isinstance(value, str):
        raise FilterError(f"beginsWith on {name} takes a string")
    elif not _number_or_string(value):
        raise FilterError(f"{operator} on {name} takes a number or a string")


def _check_list(operator: str, name: str, value: Any, least: int, most: int) -> None:
    if not isinstance(value, list) or not all(_scalar(v) for v in value):
        raise FilterError(f"{operator} on {name} takes a list of values")
    if not least <= len(value) <= most:
        size = f"exactly {most}" if least == most else f"{least} to {most}"
        raise FilterError(f"{operator} on {name} takes {size} values, not {len(value)}")


def field_value(event: Mapping[str, Any], name: str) -> Any:
    """The event's value at a dotted field name, or _MISSING when any step is absent or null."""
    value: Any = event
    for step in name.split("."):
        if not isinstance(value, Mapping) or value.get(step) is None:
            return _MISSING
        value = value[step]
    return value


def matches(spec: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether an event passes a (checked) filter: any group, all of its filters."""
    return any(all(_holds(condition, event) for condition in group["filters"]) for group in spec["filterGroup"])


def _holds(condition: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    value = field_value(event, condition["fieldName"])
    if value is _MISSING:
        return condition["operator"] in _MATCH_MISSING
    return _OPERATORS[condition["operator"]](value, condition["value"])
