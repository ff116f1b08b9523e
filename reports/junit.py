"""junit.xml for CodeBuild report groups: one testsuite per tool.

Each tool run is a testcase (error when the tool failed or could not check
everything: never a silent pass); each finding is a testcase that fails when it
counts against the gate, is skipped when suppressed, and passes otherwise (it is
reported, below the threshold). Text is stripped of characters XML 1.0 forbids.
"""
from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET

from pipeline.finding import Finding
from pipeline.result import Item, ScanResult
from pipeline.tools.base import ToolRun
from reports.registry import register

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MESSAGE_MAX = 1024


def xml_text(value: object, limit: int | None = None) -> str:
    text = _NOT_XML.sub("", str(value))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _finding_body(item: Item) -> str:
    f = item.finding
    lines = [f"{f.severity.name} {f.tool} {f.rule_id}: {f.title}", f"Id: {item.id}", f"Stage: {item.stage.value}"]
    if item.location:
        lines.append(f"Location: {item.location}")
    if f.vulnerability_ids:
        lines.append("Vulnerabilities: " + ", ".join(f.vulnerability_ids))
    for c in f.cvss:
        lines.append(f"CVSS {c.version}: {c.score if c.score is not None else ''} {c.vector or ''}".rstrip())
    for p in f.packages:
        lines.append(f"Package: {p.name} {p.version or ''} fixed in {p.fixed_version or 'no fixed version'}")
    if f.cwes:
        lines.append("CWE: " + ", ".join(f"CWE-{c}" for c in f.cwes))
    if f.description:
        lines += ["", f.description]
    if f.remediation:
        lines += ["", "Remediation: " + f.remediation]
    if f.remediation_url:
        lines.append(f.remediation_url)
    lines += f.references
    return xml_text("\n".join(lines))


def _run_case(suite: ET.Element, run: ToolRun) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"secpipe.{xml_text(run.tool)}",
                         name=xml_text(f"{run.tool} run ({run.stage.value})"), time=f"{run.duration_s:.3f}")
    if not run.status.complete:
        # Not installed/configured, failed or partial: CodeBuild must show it, not count it as green.
        ET.SubElement(case, "error", message=xml_text(f"{run.status.value}: {run.detail}", MESSAGE_MAX),
                      type=run.status.name).text = xml_text(run.detail or run.status.value)
    elif run.detail:
        ET.SubElement(case, "system-out").text = xml_text(run.detail)


def _finding_case(suite: ET.Element, item: Item) -> None:
    """Fails, is skipped or passes as the gate's verdict says; the verdict's reason is the message."""
    f: Finding = item.finding
    name = f"[{f.severity.name}] {f.rule_id}: {f.title}" + (f" ({item.location})" if item.location else "")
    case = ET.SubElement(suite, "testcase", classname=xml_text(f"{f.tool}.{item.stage.value}.{f.rule_id}"),
                         name=xml_text(name, 512), time="0")
    if not item.verdict.standing.is_open:
        ET.SubElement(case, "skipped", message=xml_text(f"{item.verdict.standing.value}: {item.verdict.reason}",
                                                        MESSAGE_MAX))
    elif item.verdict.counts:
        ET.SubElement(case, "failure", message=xml_text(f"{f.severity.name}: {f.title}", MESSAGE_MAX),
                      type=f.severity.name).text = _finding_body(item) + xml_text(f"\nGate: {item.verdict.reason}")
    else:
        ET.SubElement(case, "system-out").text = _finding_body(item)


def build_junit(result: ScanResult) -> ET.Element:
    items = result.items()
    runs = {run.tool: run for run in result.runs}
    tools = list(runs) + sorted({i.finding.tool for i in items} - set(runs))
    root = ET.Element("testsuites", name=xml_text(f"secpipe {result.context.repo}@{result.context.branch}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    timestamp = result.started_at.replace(tzinfo=None, microsecond=0).isoformat()
    for index, tool in enumerate(tools):
        run = runs.get(tool)
        suite = ET.SubElement(root, "testsuite", name=xml_text(tool), id=str(index), package="secpipe",
                              hostname=xml_text(socket.gethostname() or "localhost"), timestamp=timestamp,
                              time=f"{run.duration_s if run else 0.0:.3f}")
        ET.SubElement(suite, "properties")
        if run is not None:
            _run_case(suite, run)
        for item in (i for i in items if i.finding.tool == tool):
            _finding_case(suite, item)
        ET.SubElement(suite, "system-out")
        ET.SubElement(suite, "system-err")
        counts = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
            "skipped": len(suite.findall("testcase/skipped")),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{(result.finished_at - result.started_at).total_seconds():.3f}")
    return root


@register("junit", "junit.xml")
def render_junit(result: ScanResult) -> str:
    root = build_junit(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
