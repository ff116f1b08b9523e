"""An EventBridge pattern matcher for the pattern features the remediation rules use
(exact values, prefix, wildcard, exists, nested objects, $or), with EventBridge's
semantics for arrays: a path through an array of objects collects every element's value.

moto's TestEventPattern does not look inside arrays of objects (Security Hub puts the
findings in `detail.findings[]`), so the rule tests use this matcher on real-shaped
events, and test_event_patterns checks that it agrees with moto wherever moto can judge.
"""
from __future__ import annotations

import re
from typing import Any

_MISSING: list[Any] = []


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    return _match(pattern, [event])


def _match(pattern: dict[str, Any], nodes: list[Any]) -> bool:
    for key, rule in pattern.items():
        if key == "$or":
            if not any(_match(branch, nodes) for branch in rule):
                return False
        elif isinstance(rule, dict):
            if not _match(rule, _children(nodes, key)):
                return False
        elif not _leaf(rule, [value for value in _children(nodes, key) if not isinstance(value, dict)]):
            return False
    return True


def _children(nodes: list[Any], key: str) -> list[Any]:
    """Values under `key` in every node, arrays flattened (EventBridge's reading of arrays)."""
    found: list[Any] = []
    for node in nodes:
        if isinstance(node, dict) and key in node:
            value = node[key]
            found.extend(_flatten(value))
    return found


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _flatten(item)]
    return [value]


def _leaf(filters: list[Any], values: list[Any]) -> bool:
    return any(_one(rule, values) for rule in filters)


def _one(rule: Any, values: list[Any]) -> bool:
    if not isinstance(rule, dict):
        return rule in values
    ((name, argument),) = rule.items()
    if name == "exists":
        return bool(values) == argument
    test = _NAMED[name]
    return any(isinstance(value, str) and test(value, argument) for value in values)


def _wildcard(value: str, pattern: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), value, re.S) is not None


_NAMED = {
    "prefix": lambda value, argument: value.startswith(argument),
    "suffix": lambda value, argument: value.endswith(argument),
    "wildcard": _wildcard,
}
