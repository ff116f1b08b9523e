"""`secpipe parse --tool TOOL FILE`: one report -> a JSON array of validated ASFF on stdout."""
from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.context import context_from_environment
from pipeline.errors import ConfigError, ReportError
from pipeline.lazy_arguments import LazyStore

# The parsers (and botocore's model, for validation) are imported by the handler: every
# `secpipe` command builds this parser, and `secpipe --help` should not wait for them.


def _tool_help() -> str:
    from parsers import registry

    return f"auto, or one of: {', '.join(registry.names())}"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="convert one scanner report to ASFF (JSON array on stdout)")
    p.add_argument("--tool", required=True, action=LazyStore, help_text=_tool_help)
    p.add_argument("file", help="the report file")
    add_context_arguments(p)
    p.set_defaults(handler=run)


def add_context_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--account", help="12-digit AWS account id (default: from the environment, else 000000000000)")
    p.add_argument("--region", help="AWS region (default: AWS_REGION, else us-east-1)")
    p.add_argument("--repo", help="repository name (default: from CodeBuild, else 'local')")
    p.add_argument("--branch", help="branch (default: from CodeBuild, else 'main')")
    p.add_argument("--commit", help="commit SHA")


def context_from_args(args: argparse.Namespace):
    if args.account is not None and not (len(args.account) == 12 and args.account.isdigit()):
        raise ConfigError(f"--account must be 12 digits, got {args.account!r}")
    context = context_from_environment().with_overrides(
        account=args.account, region=args.region, repo=args.repo, branch=args.branch, commit=args.commit
    )
    return context


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReportError(name, f"cannot read ({exc.strerror})") from None


def run(args: argparse.Namespace) -> int:
    from parsers import registry
    from pipeline import jsonout
    from pipeline.convert import iter_validated_asff
    from pipeline.gc_pause import paused_gc

    # Arguments are checked before the file is read, and the message names the
    # file like every other parse error, so a log line says which report failed.
    try:
        if args.tool != "auto" and not registry.is_known(args.tool):
            raise ConfigError(f"unknown tool {args.tool!r}; use one of: auto, {', '.join(registry.names())}")
        context = context_from_args(args)
    except ConfigError as exc:
        raise ConfigError(f"{args.file}: {exc}") from None
    # The bytes are not kept here: once the findings exist, the report and its decoded
    # document are let go, and the ASFF phase runs with only the findings alive.
    # One pause over both phases, and the findings let go inside it: the collector, enabled
    # again between them or after them, would first traverse every finding only to find no
    # cycle (a tenth of a second per 20,000 findings, twice).
    with paused_gc():
        findings = registry.parse_report(args.tool, _read(Path(args.file), args.file), args.file)
        # streamed: memory stays that of the findings, not of their ASFF
        jsonout.write_array(iter_validated_asff(findings, context), jsonout.stdout())
        del findings
    return 0
