"""argparse options whose help text and default are computed only when they are needed.

Every `secpipe` command builds the whole parser, so a help text that names what a
registry holds (the parsers, say), or a default defined beside boto3 code, would import
those modules on each start. Here the text is computed when help is printed, and the
default when that subcommand's arguments are parsed.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

_NOT_YET = object()


class LazyStore(argparse._StoreAction):
    """`store`, with `help_text()` called when argparse formats the help, and `default_of()`
    (if given) the first time argparse reads the default.

    Use: parser.add_argument("--tool", action=LazyStore, help_text=lambda: ..., default_of=lambda: ...)
    """

    def __init__(self, *args: Any, help_text: Callable[[], str],
                 default_of: Callable[[], Any] | None = None, **kwargs: Any):
        self._help_text = help_text
        self._default_of = default_of
        self._default: Any = _NOT_YET
        super().__init__(*args, **kwargs)
        if default_of is not None:
            self._default = _NOT_YET  # argparse's __init__ assigned default=None; default_of decides

    @property  # argparse reads action.help; here it is computed on read
    def help(self) -> str:
        return self._help_text()

    @help.setter
    def help(self, _value: str | None) -> None:
        pass  # argparse's __init__ assigns help=None; the text always comes from help_text

    @property
    def default(self) -> Any:
        if self._default is _NOT_YET:
            # Computed once: argparse tells a default from a given value by identity.
            self._default = self._default_of() if self._default_of is not None else None
        return self._default

    @default.setter
    def default(self, value: Any) -> None:
        self._default = value  # set_defaults() and argparse's own __init__
