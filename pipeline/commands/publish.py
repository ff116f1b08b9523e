"""`secpipe publish FILE.json`: validated ASFF -> a hub, stale findings archived, suppressions applied."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.context import context_from_environment
from pipeline.errors import ConfigError
from pipeline.sinks import registry
from pipeline.sinks.options import add_hub_arguments, hub_options

if TYPE_CHECKING:
    from pipeline.sinks.base import PublishResult

EPILOG = """\
Scopes and archival: every (repo, branch, tool) named by the findings' ProductFields
(secpipe/repo, secpipe/branch, secpipe/tool) is a scope. Stale findings of a scope
(active in the hub, not in FILE) are archived ONLY with --complete, which says that
FILE holds the complete result of those tools' runs on that repo and branch. A tool
whose complete run found nothing has no finding to name it: declare it with
--scope-tool TOOL (repeatable; repo and branch from --repo/--branch or the findings),
and all its active findings on that repo and branch are archived.

Counts: sent = accepted + failed, over every finding imported (current ones and the
archived copies of stale ones; 'archived' says how many of those). A finding in FILE
that is not valid ASFF (or repeats an Id) is refused by name and the others are
published; with refusals nothing is archived, since a refused finding is not stale.
Exit 1 if any finding was not accepted by the hub (each is named on stderr); exit 2 for
a bad FILE or options, or when FILE held findings that were refused.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="import a JSON array of ASFF findings into a hub",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="JSON array of ASFF findings, as `secpipe parse` prints ('-': standard input)")
    add_hub_arguments(p)
    p.add_argument("--complete", action="store_true",
                   help="FILE is the complete result of its tools' runs: archive their stale findings")
    p.add_argument("--scope-tool", action="append", default=[], metavar="TOOL",
                   help="also cover TOOL's scope on --repo/--branch (a complete run that found nothing)")
    p.add_argument("--repo", help="repo of --scope-tool scopes (default: the findings' repo)")
    p.add_argument("--branch", help="branch of --scope-tool scopes (default: the findings' branch)")
    p.add_argument("--account", help="local hub: account whose findings these are, when FILE has none "
                                      "(default: the findings', else SECPIPE_ACCOUNT, else 000000000000)")
    p.add_argument("--quota", action="store_true", help="in-process local hub: emulate Security Hub's rate limits")
    p.set_defaults(handler=run)


def local_product_arn(findings: Sequence[dict], args: argparse.Namespace) -> str | None:
    """The local hub has no STS: the product is the findings' own, else the context's default."""
    arns = {f["ProductArn"] for f in findings}
    if len(arns) == 1:
        return arns.pop()
    if len(arns) > 1:
        return None  # several products: fine for import, refused below for archival
    if args.account is not None and not (len(args.account) == 12 and args.account.isdigit()):
        raise ConfigError(f"--account must be 12 digits, got {args.account!r}")
    context = context_from_environment().with_overrides(account=args.account, region=args.region)
    return context.default_product_arn


def summary(hub: str, result: PublishResult) -> str:
    return (f"published to {hub}: sent={result.sent} accepted={result.accepted} failed={len(result.failed)} "
            f"archived={result.archived} suppressed={result.suppressed} requests={result.requests} "
            f"throttles={result.throttles}")


def run(args: argparse.Namespace) -> int:
    from pipeline.gc_pause import paused_gc

    # Findings and request bodies make millions of short-lived containers and no cycles: the
    # collector traversing them was a quarter of the command's CPU (the in-process hub's included).
    with paused_gc():
        return _publish(args)


def _publish(args: argparse.Namespace) -> int:
    # Here, not at the top: the validator loads botocore's model, and every command builds this parser.
    from pipeline.sinks.asff_file import load_asff_file
    from pipeline.sinks.finding_summary import summaries_of
    from pipeline.sinks.scopes import derive_scopes

    loaded = load_asff_file(args.file)
    findings = loaded.findings
    for refused in loaded.refused:
        print(f"secpipe: error: {refused}", file=sys.stderr)
    # A refused finding may still be open: archiving "stale" findings would close it unseen.
    complete = args.complete and not loaded.refused
    if args.complete and not complete:
        print("secpipe: --complete ignored: with refused findings in FILE nothing is archived", file=sys.stderr)
    summaries = summaries_of(findings)
    scopes = derive_scopes(summaries, complete, args.scope_tool, args.repo, args.branch)
    product_arn = local_product_arn(summaries, args) if args.hub == "local" else None
    if args.hub == "local" and product_arn is None and any(s.complete for s in scopes):
        raise ConfigError("--complete needs the findings of one product (account and region); FILE mixes several")
    with registry.open_sink(args.hub, hub_options(args, product_arn, quota=args.quota)) as sink:
        result = sink.publish(findings, scopes)
    print(summary(args.hub, result) + (f" refused={len(loaded.refused)}" if loaded.refused else ""))
    if result.ok:
        return 2 if loaded.refused else 0
    for failed in result.failed:
        print(f"secpipe: not accepted: {failed.id}: {failed.error_code}: {failed.error_message}", file=sys.stderr)
    for failed in getattr(result, "unsuppressed", []):
        print(f"secpipe: not suppressed: {failed.id}: {failed.error_code}: {failed.error_message}", file=sys.stderr)
    lost = result.sent - result.accepted
    print(f"secpipe: error: {lost} finding(s) not accepted", file=sys.stderr)
    return 1
