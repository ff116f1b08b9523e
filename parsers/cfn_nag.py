"""cfn-nag JSON (`cfn_nag_scan --output-format json`).

One finding per (violation x logical resource): cfn-nag lists the resources a
rule fired on in `logical_resource_ids`, with the matching lines at the same
index of `line_numbers`. A violation without any resource (a template-level
rule) is still one finding.
"""
from __future__ import annotations

from itertools import zip_longest
from typing import Any

from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Finding, IacLocation


def _template_path(filename: str) -> str:
    # cfn_nag_scan prints paths as given on its command line, usually "./x.yaml".
    while filename.startswith("./"):
        filename = filename[2:]
    return filename


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


@register
class CfnNagParser(Parser):
    name = "cfn-nag"
    category = Category.IAC
    formats = "cfn_nag_scan --output-format json"
    prints_bare_empty_list = True

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        return (isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict)
                and "filename" in doc[0] and isinstance(doc[0].get("file_results"), dict))

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        expect(report, isinstance(doc, list), "not a cfn-nag JSON report (expected a list of template results)")
        findings: list[Finding] = []
        for entry in doc:
            expect(report, isinstance(entry, dict) and isinstance(entry.get("file_results"), dict)
                   and isinstance(entry.get("filename"), str),
                   "not a cfn-nag JSON report (an entry lacks 'filename' or 'file_results')")
            template = _template_path(entry["filename"])
            for violation in entry["file_results"].get("violations") or []:
                findings.extend(self._violation_findings(template, violation))
        return findings

    def _violation_findings(self, template: str, violation: dict[str, Any]) -> list[Finding]:
        resources = violation.get("logical_resource_ids") or []
        lines = violation.get("line_numbers") or []
        element_types = violation.get("element_types") or []
        pairs = list(zip_longest(resources, lines, element_types)) or [(None, None, None)]
        native = violation.get("type")
        message = violation.get("message") or violation.get("name") or violation["id"]
        findings = []
        for logical_id, line, element_type in pairs:
            where = f"resource {logical_id}" if logical_id else "the template"
            at_line = f" at line {_line(line)}" if _line(line) else ""
            findings.append(Finding(
                tool=self.name,
                rule_id=violation["id"],
                title=message,
                description=f"{message} ({violation['id']} {violation.get('name', '')}: {where} in {template}{at_line})",
                severity=severity.from_native(self.name, native),
                native_severity=native,
                category=self.category,
                iac_location=IacLocation(template=template, logical_id=logical_id, line=_line(line)),
                extra={k: v for k, v in {"rule-name": violation.get("name"), "element-type": element_type}.items() if v},
            ))
        return findings
