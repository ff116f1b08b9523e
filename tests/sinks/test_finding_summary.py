"""A findings file's summaries answer every question a publish asks of them as the findings do."""
from __future__ import annotations

import json

from pipeline.sinks.archival import scope_of
from pipeline.sinks.asff_file import load_asff_file
from pipeline.sinks.finding_summary import summaries_of, summarize
from pipeline.sinks.scopes import derive_scopes
from pipeline.sinks.suppression import note_text, wants_suppression
from tests.sinks.builders import asff_findings


def _mixed_findings():
    findings = (asff_findings(3, tool="bandit") + asff_findings(2, tool="semgrep", repo="shop", branch="dev", start=5)
                + asff_findings(2, suppressed=True, reason="accepted risk: test code", start=9)
                + asff_findings(1, suppressed=True, start=12))
    findings[-1]["RecordState"] = "ARCHIVED"
    del findings[0]["ProductFields"]
    return findings


def test_summaries_answer_as_the_findings_do():
    findings = _mixed_findings()
    summaries = [summarize(f) for f in findings]
    for finding, summary in zip(findings, summaries, strict=True):
        for name in ("Id", "ProductArn", "AwsAccountId"):
            assert summary[name] == finding[name]
        assert summary.get("RecordState") == finding.get("RecordState")
        assert scope_of(summary) == scope_of(finding)
        assert wants_suppression(summary) == wants_suppression(finding)
        assert note_text(summary) == note_text(finding)
        assert len(json.dumps(summary)) < len(json.dumps(finding)) / 3
    assert derive_scopes(summaries, True, ["zap"], "demo", "main") == derive_scopes(findings, True, ["zap"], "demo",
                                                                                      "main")


def test_a_loaded_file_carries_one_summary_per_accepted_finding(tmp_path):
    findings = _mixed_findings()
    refused = dict(findings[1], Severity={"Label": "NOT-A-LABEL"})
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(findings[:1] + [refused] + findings[2:], indent=2))
    loaded = load_asff_file(str(path))
    assert len(loaded.refused) == 1
    assert [s["Id"] for s in summaries_of(loaded.findings)] == [f["Id"] for f in loaded.findings]
    assert list(summaries_of(loaded.findings)) == [summarize(f) for f in loaded.findings]


def test_a_plain_list_is_its_own_summary():
    findings = _mixed_findings()
    assert summaries_of(findings) is findings
