"""`secpipe findings list|show|update`: review findings in the local hub or Security Hub."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from pipeline import jsonout
from pipeline.finding import Severity
from pipeline.sinks import registry
from pipeline.sinks.connection import HubConnection
from pipeline.sinks.options import add_hub_arguments, hub_options
from pipeline.sinks.review import RECORD_STATES, WORKFLOW_STATUSES, FindingQuery, FindingReview

TITLE_WIDTH = 70
#: `findings list` prints tab-separated rows (for cut/awk) under this header.
LIST_COLUMNS = ("ID", "SEVERITY", "WORKFLOW", "RECORD", "TOOL", "LOCATION", "TITLE")


def location_of(finding: dict[str, Any]) -> str:
    """file:line, template#resource or URL, from the ProductFields to_asff writes; '-' when none."""
    fields = finding.get("ProductFields") or {}
    if fields.get("secpipe/file"):
        line = fields.get("secpipe/line")
        return f"{fields['secpipe/file']}:{line}" if line else fields["secpipe/file"]
    if fields.get("secpipe/template"):
        logical = fields.get("secpipe/logical-id")
        return f"{fields['secpipe/template']}#{logical}" if logical else fields["secpipe/template"]
    return fields.get("secpipe/url") or "-"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("findings", help="list, show and update findings in a hub")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))

    ls = actions.add_parser("list", help="findings matching the filters (active ones by default)")
    add_hub_arguments(ls, allow_none=False)
    ls.add_argument("--severity", action="append", default=[], type=_severity,
                    help="severity label (repeatable: any of them)")
    ls.add_argument("--tool")
    ls.add_argument("--repo")
    ls.add_argument("--branch")
    ls.add_argument("--workflow", type=str.upper, choices=WORKFLOW_STATUSES)
    ls.add_argument("--record-state", type=str.upper, choices=(*RECORD_STATES, "ALL"), default="ACTIVE")
    ls.add_argument("--limit", type=int, default=1000, help="at most this many (default 1000)")
    ls.add_argument("--json", action="store_true", help="print the ASFF findings as a JSON array")
    ls.set_defaults(handler=run_list)

    show = actions.add_parser("show", help="one finding in detail")
    add_hub_arguments(show, allow_none=False)
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    update = actions.add_parser("update", help="set the workflow status (with a note) of findings")
    add_hub_arguments(update, allow_none=False)
    update.add_argument("ids", nargs="+", metavar="ID")
    update.add_argument("--workflow", required=True, type=str.upper, choices=WORKFLOW_STATUSES)
    update.add_argument("--note", help="why (at most 512 characters); recorded with UpdatedBy=secpipe")
    update.set_defaults(handler=run_update)


def _review(connection: HubConnection) -> FindingReview:
    return FindingReview(connection.client, rate_limited=connection.rate_limited)


def _severity(text: str) -> str:
    try:
        return Severity.parse(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run_list(args: argparse.Namespace) -> int:
    query = FindingQuery(severities=tuple(args.severity), tool=args.tool, repo=args.repo, branch=args.branch,
                         workflow=args.workflow, record_state=None if args.record_state == "ALL" else args.record_state)
    with registry.connect(args.hub, hub_options(args)) as connection:
        found = _review(connection).list(query, max(1, args.limit))
    if args.json:
        _print_json(found)
        return 0
    print("\t".join(LIST_COLUMNS))
    for finding in found:
        fields = finding.get("ProductFields") or {}
        title = finding.get("Title", "")
        title = title if len(title) <= TITLE_WIDTH else title[:TITLE_WIDTH - 1] + "…"
        print("\t".join([finding["Id"], finding.get("Severity", {}).get("Label", "?"),
                         (finding.get("Workflow") or {}).get("Status", "NEW"), finding.get("RecordState", "?"),
                         fields.get("secpipe/tool", "-"), location_of(finding), title]))
    print(f"{len(found)} finding(s)", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with registry.connect(args.hub, hub_options(args)) as connection:
        finding = _review(connection).get(args.id)
    if args.json:
        _print_json(finding)
        return 0
    for line in describe(finding):
        print(line)
    return 0


def run_update(args: argparse.Namespace) -> int:
    with registry.connect(args.hub, hub_options(args)) as connection:
        report = _review(connection).update(args.ids, args.workflow, args.note)
    print(f"updated {len(report.updated)} finding(s) to {args.workflow}")
    for failed in report.failed:
        print(f"secpipe: not updated: {failed.id}: {failed.error_code}: {failed.error_message}", file=sys.stderr)
    return 1 if report.failed else 0


def describe(finding: dict[str, Any]) -> list[str]:
    fields = finding.get("ProductFields") or {}
    lines = [
        f"Id:        {finding['Id']}",
        f"Title:     {finding.get('Title', '')}",
        f"Severity:  {finding.get('Severity', {}).get('Label', '?')} "
        f"(tool says {finding.get('Severity', {}).get('Original', '?')})",
        f"Workflow:  {(finding.get('Workflow') or {}).get('Status', 'NEW')}    Record: {finding.get('RecordState', '?')}",
        f"Tool:      {fields.get('secpipe/tool', '-')}  rule {fields.get('secpipe/rule', '-')}",
        f"Repo:      {fields.get('secpipe/repo', '-')}@{fields.get('secpipe/branch', '-')}",
        f"Updated:   {finding.get('UpdatedAt', '?')}",
    ]
    for resource in finding.get("Resources") or []:
        lines.append(f"Resource:  {resource.get('Type')} {resource.get('Id')}")
    for vulnerability in finding.get("Vulnerabilities") or []:
        lines.append(f"Vuln:      {vulnerability.get('Id')}")
    recommendation = (finding.get("Remediation") or {}).get("Recommendation") or {}
    if recommendation:
        lines.append(f"Fix:       {recommendation.get('Text', '')} {recommendation.get('Url', '')}".rstrip())
    note = finding.get("Note")
    if note:
        lines.append(f"Note:      {note.get('Text')} ({note.get('UpdatedBy')}, {note.get('UpdatedAt', '?')})")
    lines += ["", finding.get("Description", "")]
    return lines


def _print_json(value: Any) -> None:
    jsonout.write_value(value, jsonout.stdout())
