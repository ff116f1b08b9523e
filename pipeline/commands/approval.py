"""`secpipe approval send --via sns|smtp [--summary FILE]...`: one approval email from one or more summary.json."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipeline.approval.base import notifiers

log = logging.getLogger(__name__)
DEFAULT_SUMMARY = Path("secpipe-out/summary.json")


def register(sub: argparse._SubParsersAction) -> None:
    approval = sub.add_parser("approval", help="the manual-approval email")
    actions = approval.add_subparsers(dest="action", required=True, parser_class=type(approval))
    send = actions.add_parser("send", help="send the approval email built from summary.json")
    channels = notifiers()
    send.add_argument("--via", required=True, choices=sorted(channels), help="delivery channel")
    send.add_argument("--summary", type=Path, action="append", default=None,
                      help="summary.json written by `secpipe scan` (default: secpipe-out/summary.json); repeat it "
                           "with each stage's summary.json to send one email for the whole pipeline")
    send.add_argument("--dry-run", action="store_true", help="print the subject and text part instead of sending")
    for channel in channels.values():
        channel.add_arguments(send)
    send.set_defaults(handler=run_send)


def run_send(args: argparse.Namespace) -> int:
    from pipeline.result import load_summary
    from pipeline.summary_merge import merge_summaries
    from reports.email import render_email  # jinja2 and the templates load only when sending

    notifier = notifiers()[args.via].from_args(args)
    paths = args.summary or [DEFAULT_SUMMARY]
    summaries = [load_summary(path) for path in paths]
    # One file is sent as it is (its subject is a contract); several are one pipeline execution.
    email = render_email(summaries[0] if len(summaries) == 1 else merge_summaries(summaries))
    if args.dry_run:
        print(f"Subject: {email.subject}\n\n{email.text}")
        return 0
    outcome = notifier.send(email)
    print(f"secpipe: approval email {outcome}")
    log.info("approval email %s", outcome)
    return 0
