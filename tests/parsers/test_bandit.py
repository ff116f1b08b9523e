"""Bandit parser on hand-written reports: mapping, masking of reported passwords, stable Ids."""
from __future__ import annotations

import json

from pipeline.finding import Category, Severity
from tests.parsers.helpers import parse, valid_asff


def report(*results: dict) -> bytes:
    return json.dumps({"errors": [], "generated_at": "2026-11-01T10:00:00Z", "metrics": {}, "results": list(results)}).encode()


def result(test_id: str = "B602", line: int = 12, code: str | None = None, text: str = "subprocess call with shell=True",
           severity: str = "HIGH") -> dict:
    return {
        "code": code if code is not None else f"{line - 1} import subprocess\n{line} subprocess.call(cmd, shell=True)\n",
        "col_offset": 4, "filename": "./app/run.py", "issue_confidence": "HIGH",
        "issue_cwe": {"id": 78, "link": "https://cwe.mitre.org/data/definitions/78.html"},
        "issue_severity": severity, "issue_text": text, "line_number": line, "line_range": [line],
        "more_info": "https://bandit.readthedocs.io/en/latest/plugins/b602.html", "test_id": test_id,
        "test_name": "subprocess_popen_with_shell_equals_true",
    }


def test_fields_reach_asff(context) -> None:
    [finding] = parse("bandit", report(result()))
    assert finding.severity is Severity.HIGH and finding.cwes == [78]
    [asff] = valid_asff([finding], context)
    assert asff["GeneratorId"] == "bandit/B602"
    assert asff["Vulnerabilities"][0]["CodeVulnerabilities"][0]["FilePath"]["FilePath"] == "app/run.py"
    assert asff["Vulnerabilities"][0]["CodeVulnerabilities"][0]["Cwes"] == ["CWE-78"]
    assert asff["Remediation"]["Recommendation"]["Url"].endswith("b602.html")
    assert asff["FindingProviderFields"]["Confidence"] == 90
    assert asff["FirstObservedAt"] == "2026-11-01T10:00:00Z"


def test_moved_line_and_changed_context_keep_the_id(context) -> None:
    before = parse("bandit", report(result(line=12)))
    after = parse("bandit", report(result(line=40, code="38 # a new comment above\n39 import os\n40 subprocess.call(cmd, shell=True)\n")))
    assert valid_asff(before, context)[0]["Id"] == valid_asff(after, context)[0]["Id"]


def test_same_rule_twice_in_a_file_gives_two_ids(context) -> None:
    first = result(line=12)
    second = result(line=30, code="30 subprocess.call(other, shell=True)\n")
    ids = [f["Id"] for f in valid_asff(parse("bandit", report(first, second)), context)]
    assert len(set(ids)) == 2


def test_reported_password_is_masked_everywhere(context) -> None:
    secret = "s3cr3t-Pa55word-value"
    leaked = result(test_id="B105", line=5, severity="LOW", text=f"Possible hardcoded password: '{secret}'",
                    code=f"5 DB_PASSWORD = '{secret}'\n")
    [finding] = parse("bandit", report(leaked))
    assert finding.category is Category.SECRET
    dumped = json.dumps(valid_asff([finding], context))
    assert secret not in dumped
    assert "s3cr***(sha256:" in dumped
