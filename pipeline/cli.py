"""`secpipe` entry point: discovers subcommands and turns user errors into one line."""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from pipeline import commands
from pipeline.errors import SecpipeError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other user error
        self.exit(2, f"secpipe: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="secpipe", description="Security scanning pipeline: scanners -> ASFF -> Security Hub.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"pipeline.commands.{module.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="secpipe: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except SecpipeError as exc:
        print(f"secpipe: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("secpipe: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
