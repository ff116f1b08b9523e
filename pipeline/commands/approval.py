"""`secpipe approval send --via sns|smtp --summary secpipe-out/summary.json`: the approval email."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from pipeline.approval.base import notifiers

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    approval = sub.add_parser("approval", help="the manual-approval email")
    actions = approval.add_subparsers(dest="action", required=True, parser_class=type(approval))
    send = actions.add_parser("send", help="send the approval email built from summary.json")
    channels = notifiers()
    send.add_argument("--via", required=True, choices=sorted(channels), help="delivery channel")
    send.add_argument("--summary", type=Path, default=Path("secpipe-out/summary.json"),
                      help="summary.json written by `secpipe scan` (default: secpipe-out/summary.json)")
    send.add_argument("--dry-run", action="store_true", help="print the subject and text part instead of sending")
    for channel in channels.values():
        channel.add_arguments(send)
    send.set_defaults(handler=run_send)


def run_send(args: argparse.Namespace) -> int:
    from pipeline.result import load_summary
    from reports.email import render_email  # jinja2 and the templates load only when sending

    notifier = notifiers()[args.via].from_args(args)
    email = render_email(load_summary(args.summary))
    if args.dry_run:
        print(f"Subject: {email.subject}\n\n{email.text}")
        return 0
    outcome = notifier.send(email)
    print(f"secpipe: approval email {outcome}")
    log.info("approval email %s", outcome)
    return 0
