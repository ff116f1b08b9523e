"""CLI subcommands: one module each, discovered by `pipeline.cli`.

A command module defines `register(subparsers) -> None`, which adds its parser
and sets `handler=` (a function taking the parsed args and returning an exit code).
"""
