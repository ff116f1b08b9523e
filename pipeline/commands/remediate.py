"""`secpipe remediate list|run|rollback`: the remediation engine from the command line.

AWS clients honour botocore's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, so
the same command runs against moto and AWS; --endpoint-url names the Security Hub
(or local hub, `secpipe hub serve`) the outcomes are written to.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.errors import SecpipeError
from pipeline.lazy_arguments import LazyStore

EXIT_OK, EXIT_FAILED = 0, 1


class RemediateInputError(SecpipeError):
    """The FILE given to `remediate run` cannot be read as JSON (exit 2)."""


def _default_role_name() -> str:
    # Beside the boto3 code that assumes it: imported only when `remediate` reads its arguments.
    from pipeline.remediation.member import DEFAULT_ROLE_NAME

    return DEFAULT_ROLE_NAME


def _default_records_dir() -> Path:
    from pipeline.remediation.records import DEFAULT_RECORDS_DIR

    return DEFAULT_RECORDS_DIR


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remediate", help="fix CIS findings in member accounts: plan, apply, verify, record")
    actions = p.add_subparsers(dest="remediate_command", required=True)

    listing = actions.add_parser("list", help="the controls secpipe can fix, with their CIS numbers and IAM actions")
    listing.add_argument("--json", action="store_true", help="a JSON array instead of one line per control")
    listing.set_defaults(handler=run_list)

    run = actions.add_parser("run", help="remediate the findings in FILE and write the outcomes to the hub")
    run.add_argument("file", metavar="FILE",
                     help="a JSON array of ASFF findings, one finding, or a Security Hub EventBridge event")
    run.add_argument("--dry-run", action="store_true", help="plan and record only; change nothing, write nothing back")
    run.add_argument("--json", action="store_true", help="a JSON array of outcomes instead of one line per finding")
    run.add_argument("--endpoint-url", metavar="HUB_URL",
                     help="the Security Hub endpoint (or a local hub) the outcomes go to")
    run.add_argument("--role-name", action=LazyStore, default_of=_default_role_name, metavar="NAME",
                     help_text=lambda: f"the role assumed in each member account (default {_default_role_name()})")
    run.add_argument("--records", type=Path, action=LazyStore, default_of=_default_records_dir, metavar="DIR",
                     help_text=lambda: f"where run records go, for rollback (default {_default_records_dir()})")
    run.set_defaults(handler=run_run)

    back = actions.add_parser("rollback", help="restore the pre-state captured in one run record")
    back.add_argument("record", metavar="RECORD.json", type=Path)
    back.add_argument("--role-name", metavar="NAME", help="the member role (default: the one the run used)")
    back.set_defaults(handler=run_rollback)


def run_list(args: argparse.Namespace) -> int:
    from pipeline.remediation.registry import PLAYBOOKS

    rows: list[dict[str, Any]] = [{"control_id": p.meta.control_id, "title": p.meta.title, "cis": p.meta.cis_numbers(),
             "iam_actions": list(p.iam_actions()), "destructive": p.meta.destructive} for p in PLAYBOOKS.all()]
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for row in rows:
        cis = "; ".join(f"{version} {', '.join(numbers)}" for version, numbers in row["cis"].items() if numbers)
        kind = "destructive" if row["destructive"] else "changes"
        print(f"{row['control_id']:<14} {kind:<11} {row['title']} (CIS {cis or 'none'})")
    return EXIT_OK


def run_run(args: argparse.Namespace) -> int:
    from pipeline.remediation.engine import Engine, EngineOptions
    from pipeline.remediation.events import findings_from_document
    from pipeline.remediation.member import MemberSessions
    from pipeline.remediation.outcome import OutcomeKind
    from pipeline.remediation.writeback import OutcomeWriter

    findings, custom_action = findings_from_document(_read_json(args.file))
    session = _base_session()
    engine = Engine(EngineOptions(dry_run=args.dry_run, role_name=args.role_name, records_dir=args.records),
                    MemberSessions(session, args.role_name))
    # A dry run writes nothing back; otherwise outcomes go to the hub while the others are worked on.
    writer = None if args.dry_run else OutcomeWriter(_hub_client(session, args.endpoint_url))
    try:
        outcomes = engine.run(findings, custom_action=custom_action, on_outcome=writer.add if writer else None)
    except BaseException:
        if writer is not None:
            _close_quietly(writer)
        raise
    if args.json:
        _print_json([outcome.to_json() for outcome in outcomes])
    else:
        for outcome in outcomes:
            print(_line(outcome), flush=False)
    sys.stdout.flush()
    if writer is not None:
        writer.close()  # waits for the hub; names any finding it did not take (exit 1)
    return EXIT_FAILED if any(o.outcome is OutcomeKind.FAILED for o in outcomes) else EXIT_OK


def _close_quietly(writer: Any) -> None:
    """The run itself failed (bad input): its error is the one to report, not the write-back's."""
    try:
        writer.close()
    except Exception:
        pass


def run_rollback(args: argparse.Namespace) -> int:
    from pipeline.remediation.member import MemberSessions
    from pipeline.remediation.records import read_record, rollback

    record = read_record(args.record)
    sessions = MemberSessions(_base_session(), args.role_name or record.role_name)
    try:
        print(rollback(args.record, sessions))
    except SecpipeError:
        raise
    except Exception as exc:  # the member account refused: say what and where, without a traceback
        print(f"secpipe: rollback of {args.record} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _line(outcome: Any) -> str:
    detail = " ".join(outcome.detail.split())
    return (f"{outcome.outcome.value:<17} {outcome.control_id or '-':<13} {outcome.account} {outcome.region} "
            f"{outcome.resource} [{outcome.finding_id}]: {detail}")


def _read_json(name: str) -> Any:
    try:
        text = Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise RemediateInputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise RemediateInputError(f"{name}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RemediateInputError(f"{name}: not JSON ({exc})") from None


def _base_session():
    """The caller's session (the security or service account); the region only matters for STS and the hub."""
    from pipeline.aws import AwsSettings, make_session
    from pipeline.context import DEFAULT_REGION
    from pipeline.errors import ConfigError

    try:
        return make_session(AwsSettings())
    except ConfigError:
        return make_session(AwsSettings(region=DEFAULT_REGION))


def _hub_client(session: Any, endpoint_url: str | None) -> Any:
    from pipeline.aws import SINGLE_ATTEMPT, make_client

    # writeback counts and retries every throttle itself, so botocore makes one attempt.
    return make_client(session, "securityhub", endpoint_url=endpoint_url, retries=SINGLE_ATTEMPT)


def _print_json(value: Any) -> None:
    from pipeline import jsonout

    jsonout.write_value(value, jsonout.stdout())
