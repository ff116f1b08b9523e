from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import ReportError
from pipeline.finding import Severity
from pipeline.gate import decide
from pipeline.policy import Policy, Threshold
from pipeline.result import TOP_FINDINGS, ScanResult, load_summary, location_text, summary_dict, write_summary
from pipeline.stages import Stage
from tests.reports.conftest import make_result, many_findings


def test_counts_leave_out_suppressed_and_use_the_tool_stage(scan_result: ScanResult) -> None:
    by_severity = scan_result.counts_by_severity()
    assert list(by_severity) == [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFORMATIONAL]
    assert by_severity == {Severity.CRITICAL: 2, Severity.HIGH: 1, Severity.MEDIUM: 1, Severity.LOW: 1,
                           Severity.INFORMATIONAL: 0}
    assert scan_result.suppressed_count == 1
    by_stage = scan_result.counts_by_stage()
    # The secret finding came from semgrep, a SAST run: it counts under SAST.
    assert by_stage[Stage.SAST][Severity.CRITICAL] == 1 and by_stage[Stage.SAST][Severity.LOW] == 0
    assert by_stage[Stage.DAST][Severity.CRITICAL] == 1
    by_tool = scan_result.counts_by_tool()
    assert list(by_tool)[:2] == ["pip-audit", "bandit"] and by_tool["cfn-nag"][Severity.HIGH] == 0


def test_items_are_sorted_most_severe_first_with_their_asff_ids(scan_result: ScanResult) -> None:
    items = scan_result.items()
    assert [i.finding.severity for i in items] == sorted((f.severity for f in scan_result.findings), reverse=True)
    ids = {a["Id"] for a in scan_result.asff}
    assert {i.id for i in items} == ids
    suppressed = next(i for i in items if i.finding.suppressed)
    assert items.index(suppressed) == len(items) - 1  # after the open LOW finding


def test_items_carry_the_gates_verdict(scan_result: ScanResult) -> None:
    counted = {i.finding.rule_id for i in scan_result.items() if i.verdict.counts}
    assert counted == {"B602", "Cross Site Scripting", "secrets.aws-access-key"}
    # The reports read the decision; changing the label afterwards does not re-derive it.
    scan_result.gate.threshold = "NONE"
    assert {i.finding.rule_id for i in scan_result.items() if i.verdict.counts} == counted
    scan_result.gate.verdicts = decide(scan_result.findings, scan_result.runs,
                                       Policy(default=Threshold(None))).verdicts
    assert not any(i.verdict.counts for i in scan_result.items())


def test_location_text_for_each_kind(scan_result: ScanResult) -> None:
    by_rule = {f.rule_id: location_text(f) for f in scan_result.findings}
    assert by_rule["B602"] == "src/app.py:42"
    assert by_rule["CKV_AWS_18"] == "cloudformation/template.yaml#ReportsBucket:12"
    assert by_rule["Cross Site Scripting"] == "GET http://127.0.0.1:8000/search?q=x [q]"
    assert by_rule["PYSEC-2023-62"] == "requests@2.19.0 (requirements.txt)"


def test_asff_and_findings_must_line_up(scan_result: ScanResult) -> None:
    with pytest.raises(ValueError, match="6 findings but 5 ASFF"):
        ScanResult(scan_result.context, scan_result.runs, scan_result.findings, scan_result.asff[:5], None,
                   scan_result.started_at, scan_result.finished_at)


def test_summary_round_trip(scan_result: ScanResult, tmp_path: Path) -> None:
    path = write_summary(scan_result, tmp_path / "summary.json")
    summary = load_summary(path)
    assert summary.decision == "FAILED"
    assert summary.gate is not None and summary.gate.reasons == scan_result.gate.reasons
    assert summary.by_severity["CRITICAL"] == 2 and summary.suppressed == 1 and summary.total == 6
    assert summary.by_stage["sast"]["HIGH"] == 1
    assert [r.tool for r in summary.runs if not r.complete] == ["pip-audit", "cfn-nag", "zap"]
    assert [f.severity for f in summary.top_findings] == ["CRITICAL", "CRITICAL", "HIGH", "MEDIUM", "LOW"]
    assert not any(f.suppressed for f in summary.top_findings)
    assert summary.links == scan_result.links
    assert summary.region == "eu-west-1" and summary.partition == "aws"


def test_summary_keeps_only_the_top_findings() -> None:
    document = summary_dict(make_result(many_findings(100), validate=False))
    assert len(document["top_findings"]) == TOP_FINDINGS
    assert document["counts"]["total"] == 100
    assert document["gate"] is None


@pytest.mark.parametrize("content, problem", [
    (None, "cannot read"),
    ("{not json", "not JSON"),
    ('{"version": 99}', "not a secpipe summary.json"),
    ('{"version": 1, "repo": "x"}', "incomplete summary"),
])
def test_load_summary_errors_are_one_line(tmp_path: Path, content: str | None, problem: str) -> None:
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ReportError, match=problem) as info:
        load_summary(path)
    assert "\n" not in str(info.value)


def test_load_summary_rejects_a_foreign_severity(scan_result: ScanResult, tmp_path: Path) -> None:
    document = summary_dict(scan_result)
    document["top_findings"][0]["severity"] = "SEVERE"
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ReportError, match="unknown severity"):
        load_summary(path)


def test_items_are_made_once_and_again_when_what_they_are_made_of_is_replaced(scan_result: ScanResult,
                                                                               monkeypatch) -> None:
    made: list[int] = []
    sort = ScanResult._sorted_items

    def counted(result: ScanResult):
        made.append(1)
        return sort(result)

    monkeypatch.setattr(ScanResult, "_sorted_items", counted)
    first = scan_result.items()
    assert scan_result.items() == first and len(made) == 1
    scan_result.items().clear()  # a caller's list is its own
    assert scan_result.items() == first
    scan_result.findings = scan_result.findings[:]  # replaced: made again
    assert scan_result.items() == first and len(made) == 2
