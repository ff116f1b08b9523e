"""Checks that a Finding holds the types it declares, field by field.

A parser copies values out of a report it does not control: a rule id that is a
number, a line that is a string, a file name that is an object. Caught here, the
report is refused with one line naming the field; missed, the value fails deep
inside identity or ASFF building as a traceback. The declared annotations of the
dataclasses in `pipeline.finding` are the only description of what is allowed.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from pipeline import finding as model

#: A check returns None when the value fits, else what is wrong with it: " is int, expected str"
#: for the value itself, ".path is ..." or "[2] is ..." for a part of it, so paths compose.
Check = Callable[[Any], "str | None"]


def problem(finding: model.Finding) -> str | None:
    """What is wrong with the first field of `finding` that does not hold its declared type."""
    wrong = _dataclass_check(model.Finding)(finding)
    return wrong.lstrip(". ") if wrong else None


def _kind(value: Any) -> str:
    return type(value).__name__


def _exact(expected: type) -> Check:
    # bool is an int to Python but never a line number or a score to a report reader.
    def check(value: Any) -> str | None:
        if isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool):
            return None
        return f" is {_kind(value)}, expected {expected.__name__}"
    return check


def _number() -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        return f" is {_kind(value)}, expected a number"
    return check


def _optional(inner: Check) -> Check:
    def check(value: Any) -> str | None:
        return None if value is None else inner(value)
    return check


def _list_of(inner: Check, plain: frozenset[type]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return f" is {_kind(value)}, expected a list"
        for index, item in enumerate(value):
            if type(item) in plain:
                continue
            wrong = inner(item)
            if wrong:
                return f"[{index}]{wrong}"
        return None
    return check


def _dict_of(key: Check, item: Check, plain_keys: frozenset[type], plain_items: frozenset[type]) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, dict):
            return f" is {_kind(value)}, expected an object"
        for k, v in value.items():
            if type(k) in plain_keys and type(v) in plain_items:
                continue
            wrong = key(k) or item(v)
            if wrong:
                return f"[{k!r}]{wrong}"
        return None
    return check


def _check_for(annotation: Any) -> Check:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        check = _check_for(inner[0])
        return _optional(check) if type(None) in args else check
    if origin is list:
        return _list_of(_check_for(args[0]), _plain_types(args[0]))
    if origin is dict:
        return _dict_of(_check_for(args[0]), _check_for(args[1]), _plain_types(args[0]), _plain_types(args[1]))
    if annotation is float:
        return _number()
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _dataclass_check(annotation)
    if isinstance(annotation, type):  # str, int, bool, datetime, the enums
        return _exact(annotation)
    raise TypeError(f"unsupported annotation {annotation!r}")


def _plain_types(annotation: Any) -> frozenset[type]:
    """The exact types a value of this annotation may have and need no further look (str for
    `str | None`, float for `float`, ...): checked with one set lookup, which keeps this off the
    parse profile. Exact classes only: bool is not int here, and an int where a float is declared
    takes the slower check that accepts it."""
    args = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else (annotation,)
    return frozenset(a for a in args if isinstance(a, type) and not dataclasses.is_dataclass(a) and not typing.get_args(a))


def _container(annotation: Any) -> type | None:
    """list or dict for a `list[...]` or `dict[...]` field, whose empty value needs no further look."""
    origin = typing.get_origin(annotation)
    return origin if origin in (list, dict) else None


@cache
def _dataclass_check(cls: type) -> Check:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, _plain_types(hints[f.name]), _container(hints[f.name]), _check_for(hints[f.name]))
              for f in dataclasses.fields(cls)]

    def check(value: Any) -> str | None:
        if not isinstance(value, cls):
            return f" is {_kind(value)}, expected {cls.__name__}"
        for name, plain, container, field_check in fields:
            item = getattr(value, name)
            kind = type(item)
            if kind in plain or (kind is container and not item):
                continue
            wrong = field_check(item)
            if wrong:
                return f".{name}{wrong}"
        return None
    return check
