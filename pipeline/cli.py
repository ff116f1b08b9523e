"""`secpipe` entry point: discovers subcommands and turns user errors into one line."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

from pipeline import commands
from pipeline.errors import SecpipeError

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # one line, exit 2, like every other user error
        self.exit(2, f"secpipe: error: {message}\n")


def version() -> str:
    from importlib import metadata  # a tenth of a second (it loads the email package): only for --version

    try:
        return metadata.version("secpipe")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """--version, looked up when asked for rather than each time the parser is built."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str = "show the version and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"secpipe {version()}")  # on stdout, as argparse's own version action prints it
        parser.exit()


def _add_verbosity(parser: argparse.ArgumentParser, default: Any) -> None:
    """-v/-q before or after the subcommand; after it, SUPPRESS keeps the one given before."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="store_true", default=default, help="log progress details to stderr")
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="print only results and errors (no progress, no findings table)")


def _command_named(argv: Sequence[str], commands_known: Sequence[str]) -> str | None:
    """The subcommand the arguments name, when they name one: the first word that is not an option
    (secpipe's own options take no value), if it is a command. None for `--help`, an unknown word
    or no command, which need the whole parser to answer."""
    for word in argv:
        if word in ("-h", "--help", "--"):
            return None
        if not word.startswith("-"):
            return word if word in commands_known else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; given the arguments, only the subcommand they name is imported and built.

    Each command module imports what its handler needs to be described (scan and findings
    a third of the start-up between them), so `secpipe parse` building all of them would pay
    for every other command at every start. A subcommand's parser is the same either way:
    its arguments, help and errors do not depend on its siblings.
    """
    parser = _Parser(prog="secpipe", description="Security scanning pipeline: scanners -> ASFF -> Security Hub.")
    parser.add_argument("--version", action=_VersionAction)
    _add_verbosity(parser, default=False)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    names = sorted(module.name for module in pkgutil.iter_modules(commands.__path__))
    named = _command_named(argv, names) if argv is not None else None
    for name in names if named is None else [named]:
        importlib.import_module(f"pipeline.commands.{name}").register(sub)
    for subparser in _subcommands(parser):
        _add_verbosity(subparser, default=argparse.SUPPRESS)
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every (nested) subcommand's parser: `secpipe tools list -v` as well as `secpipe scan -v`."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases map to the same parser
                found.append(child)
                found.extend(_subcommands(child))
    return found


class _PipeGone:
    """Shared by stdout's text and binary layers: once the reader has gone, both drop output."""

    def __init__(self, fileno: int | None):
        self.fileno = fileno
        self.gone = False

    def drop(self) -> None:
        self.gone = True
        if self.fileno is None:
            return
        try:  # later writes (and the interpreter's flush at exit) go nowhere instead of failing
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.fileno)
            os.close(devnull)
        except OSError:
            pass


class _PipeSafeStream:
    """stdout (text, or its binary buffer) that survives a reader going away (`secpipe ... | head`):
    output is dropped, the command goes on, and its exit code stays its result. A failure must
    not turn into exit 0, nor a success into a traceback."""

    def __init__(self, stream: Any, pipe: _PipeGone | None = None):
        self._stream = stream
        self._pipe = pipe or _PipeGone(_fileno(stream))

    def write(self, data: Any) -> int:
        if self._pipe.gone:
            return len(data)
        try:
            return self._stream.write(data)
        except BrokenPipeError:
            self._pipe.drop()
            return len(data)

    def flush(self) -> None:
        if self._pipe.gone:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._pipe.drop()

    @property
    def buffer(self) -> _PipeSafeStream:
        return _PipeSafeStream(self._stream.buffer, self._pipe)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _fileno(stream: Any) -> int | None:
    try:
        return int(stream.fileno())
    except (AttributeError, OSError, ValueError):  # io.StringIO and friends have none
        return None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    level = logging.INFO if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(level=level, format="secpipe: %(message)s")
    if not isinstance(sys.stdout, _PipeSafeStream):
        sys.stdout = _PipeSafeStream(sys.stdout)
    try:
        code = int(args.handler(args) or 0)
    except SecpipeError as exc:
        print(f"secpipe: error: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        print("secpipe: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
