"""An argparse option whose help text is computed only when help is printed.

Every `secpipe` command builds the whole parser, so a help text that names what a
registry holds (the parsers, say) would import every implementation on each start.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


class StoreWithLazyHelp(argparse._StoreAction):
    """`store`, with `help_text()` called when argparse formats the help (never otherwise).

    Use: parser.add_argument("--tool", action=StoreWithLazyHelp, help_text=lambda: ...)
    """

    def __init__(self, *args: Any, help_text: Callable[[], str], **kwargs: Any):
        self._help_text = help_text
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]  # argparse reads action.help; here it is computed on read
    def help(self) -> str:
        return self._help_text()

    @help.setter
    def help(self, _value: str | None) -> None:
        pass  # argparse's __init__ assigns help=None; the text always comes from help_text
