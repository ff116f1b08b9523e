"""One generic registry: named things (parsers, tool runners, report formats, hubs, playbooks).

Each kind of thing has one `Registry`; modules register their implementation with
`@REGISTRY.register` (classes are instantiated once) or `REGISTRY.add(name, obj)`.
A registry may name the package whose modules it imports on first lookup, so that
adding a module is all it takes to add an implementation. Looking up one name first
imports only the module named like it (`cfn-lint` -> `cfn_lint`), when that module
registers it: `secpipe parse --tool sarif` need not import every parser at start-up.
Every unknown name raises the same error, naming what is known.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from pipeline.errors import ConfigError

T = TypeVar("T")


class UnknownName(ConfigError):
    """A name that no implementation of this kind is registered under (CLI exit 2)."""

    def __init__(self, kind: str, name: str, known: Iterable[str]):
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {kind} {name!r}; use one of: {', '.join(self.known)}")


class Registry(Generic[T]):
    def __init__(self, kind: str, *, package: str | None = None, skip_modules: Iterable[str] = (),
                 name_of: Callable[[T], str] = lambda item: item.name):  # type: ignore[attr-defined]
        self.kind = kind
        self._package = package
        self._skip = set(skip_modules)
        self._name_of = name_of
        self._items: dict[str, T] = {}
        self._loaded = package is None

    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: registers one instance of `cls` under its name."""
        self.add(cls())
        return cls

    def add(self, item: T, name: str | None = None) -> T:
        key = name if name is not None else self._name_of(item)
        existing = self._items.get(key)
        if existing is not None and type(existing) is not type(item):
            raise RuntimeError(f"two {self.kind}s are named {key!r}")
        self._items[key] = item
        return item

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        assert self._package is not None
        package = importlib.import_module(self._package)
        for module in pkgutil.iter_modules(package.__path__):
            if module.name in self._skip or module.name.startswith("_"):
                continue
            importlib.import_module(f"{self._package}.{module.name}")

    def _from_own_module(self, name: str) -> T | None:
        """The item `name` as registered so far, after importing the package's module named like it
        if there is one; None when that does not register it (the whole package then decides)."""
        if name not in self._items and not self._loaded:
            assert self._package is not None
            module = name.replace("-", "_")
            if (module.isidentifier() and not module.startswith("_") and module not in self._skip
                    and importlib.util.find_spec(f"{self._package}.{module}") is not None):
                importlib.import_module(f"{self._package}.{module}")
        return self._items.get(name)

    def get(self, name: str) -> T:
        item = self._from_own_module(name)
        if item is not None:
            return item
        self._load()
        try:
            return self._items[name]
        except KeyError:
            raise UnknownName(self.kind, name, self._items) from None

    def find(self, name: str) -> T | None:
        item = self._from_own_module(name)
        if item is not None:
            return item
        self._load()
        return self._items.get(name)

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def all(self) -> list[T]:
        self._load()
        return [self._items[name] for name in sorted(self._items)]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str) and self._from_own_module(name) is not None:
            return True
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self.all())

    def __len__(self) -> int:
        self._load()
        return len(self._items)
