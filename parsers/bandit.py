"""Bandit JSON (`bandit -f json`): one finding per entry of `results`."""
from __future__ import annotations

import re
from datetime import datetime

from parsers.base import Parser, Report, expect
from parsers.cwe_map import weakness_cwes
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, CodeLocation, Finding
from pipeline.masking import redact

_NUMBERED_LINE = re.compile(r"^(\d+)\s?(.*)$")
# Hard-coded password checks quote the password in their message: it must not travel further.
_HARDCODED_PASSWORD_TESTS = {"B105", "B106", "B107"}
_QUOTED_VALUE = re.compile(r": '(.*)'$", re.DOTALL)


def _reported_secret(result: dict) -> list[str]:
    if result.get("test_id") not in _HARDCODED_PASSWORD_TESTS:
        return []
    match = _QUOTED_VALUE.search(result.get("issue_text") or "")
    return [match.group(1)] if match and match.group(1).strip() else []


def _flagged_lines(code: str | None, line_range: list[int]) -> str | None:
    """Only the flagged lines of bandit's snippet: its context lines change when
    neighbouring code changes, and must not change the finding's identity."""
    if not code:
        return None
    wanted = set(line_range)
    kept = []
    for line in code.splitlines():
        match = _NUMBERED_LINE.match(line)
        if match and int(match.group(1)) in wanted:
            kept.append(match.group(2))
    return "\n".join(kept) or code


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@register
class BanditParser(Parser):
    name = "bandit"
    category = Category.SAST
    formats = "bandit -f json"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        return isinstance(doc, dict) and "results" in doc and "metrics" in doc and "generated_at" in doc

    def recognises(self, report: Report) -> bool:
        # A report trimmed to its results (no metrics) is still bandit's when the entries are.
        doc = report.json() if report.looks_like_json() else None
        results = doc.get("results") if isinstance(doc, dict) else None
        if isinstance(results, list) and results and all(isinstance(r, dict) and "test_id" in r for r in results):
            return True
        return super().recognises(report)

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        expect(report, isinstance(doc, dict) and isinstance(doc.get("results"), list),
               "not a bandit JSON report (no 'results' list)")
        observed = _parse_time(doc.get("generated_at"))
        findings = []
        for result in doc["results"]:
            native = result.get("issue_severity")
            cwe = (result.get("issue_cwe") or {}).get("id")
            line = result.get("line_number")
            line_range = result.get("line_range") or ([line] if line else [])
            secrets = _reported_secret(result)
            finding = Finding(
                tool=self.name,
                rule_id=result["test_id"],
                title=result.get("issue_text") or result["test_name"],
                description=f"{result.get('issue_text', '')} ({result['test_id']}: {result.get('test_name', '')})",
                severity=severity.from_native(self.name, native),
                native_severity=native,
                confidence=result.get("issue_confidence"),
                category=Category.SECRET if secrets else self.category,
                cwes=weakness_cwes(self.name, str(result["test_id"]), [int(cwe)] if cwe else []),
                code_locations=[CodeLocation(
                    path=result["filename"],
                    start_line=line,
                    end_line=max(line_range) if line_range else line,
                    start_column=result.get("col_offset"),
                    snippet=_flagged_lines(result.get("code"), line_range),
                )],
                references=[result["more_info"]] if result.get("more_info") else [],
                remediation_url=result.get("more_info"),
                observed_at=observed,
                extra={"test-name": result.get("test_name", "")},
            )
            findings.append(redact(finding, secrets))
        return findings
