from __future__ import annotations

import json

import pytest

from parsers.base import Report
from parsers.semgrep import SemgrepParser
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, valid_asff
from tests.parsers.malformed import assert_refuses_malformed

TOOL = "semgrep"
SECRET = "tok_TESTONLY_9f8e7d6c5b4a39281706"


@pytest.fixture
def findings():
    return parse(TOOL, fixture_bytes("semgrep", "mixed.json"), "semgrep.json")


def test_one_finding_per_result(findings):
    assert [f.rule_id for f in findings] == [
        "python.django.security.injection.sql.raw-query", "python.lang.security.audit.md5-used",
        "generic.secrets.security.detected-generic-api-key"]


def test_field_mapping(findings):
    sql = findings[0]
    assert sql.severity is Severity.HIGH and sql.native_severity == "ERROR"
    assert sql.cwes == [89]
    assert sql.description == "User input reaches a raw SQL query."
    loc = sql.code_locations[0]
    assert (loc.path, loc.start_line, loc.end_line, loc.start_column) == ("app/views.py", 21, 22, 9)
    assert loc.snippet.strip().startswith("cursor.execute(")
    assert sql.references == ["https://docs.djangoproject.com/en/stable/topics/db/sql/",
                              "https://semgrep.dev/r/python.django.security.injection.sql.raw-query"]
    assert sql.extra["owasp"] == "A03:2021 - Injection; A01:2017 - Injection"
    assert sql.extra["fix"].startswith('cursor.execute("SELECT * FROM t WHERE id=%s"')
    assert sql.remediation.startswith("Suggested fix: ")
    assert sql.confidence == "HIGH"
    assert sql.fingerprint == "5e1c2b9f0a7d"


def test_requires_login_placeholders_are_absent_values(findings):
    md5 = findings[1]
    assert md5.code_locations[0].snippet is None
    assert md5.fingerprint is None


def test_new_severity_words_and_string_cwe(findings):
    md5, secret = findings[1], findings[2]
    assert md5.severity is Severity.LOW and md5.cwes == [328]
    assert secret.severity is Severity.CRITICAL and secret.cwes == [798]


def test_ignored_results_are_suppressed(findings):
    assert findings[1].suppressed and "nosemgrep" in findings[1].suppression_reason
    assert not findings[0].suppressed


def test_secret_rule_is_masked(findings, context):
    secret = findings[2]
    assert secret.category is Category.SECRET
    assert SECRET not in json.dumps(valid_asff(findings, context))


def test_old_severity_words_map_per_table():
    results = [{"check_id": f"r{i}", "path": "a.py", "start": {"line": 1}, "end": {"line": 1},
                "extra": {"message": "m", "severity": word}} for i, word in enumerate(["INFO", "WARNING", "ERROR"])]
    found = parse(TOOL, json.dumps({"results": results, "errors": []}).encode())
    assert [f.severity for f in found] == [Severity.LOW, Severity.MEDIUM, Severity.HIGH]


def test_same_rule_twice_on_one_line_is_two_findings_with_distinct_ids(context):
    result = {"check_id": "r", "path": "a.py", "start": {"line": 3, "col": 1}, "end": {"line": 3, "col": 5},
              "extra": {"message": "m", "severity": "WARNING", "lines": "x = f(a) + f(b)"}}
    found = parse(TOOL, json.dumps({"results": [result, dict(result, start={"line": 3, "col": 10})], "errors": []}).encode())
    asff = valid_asff(found, context)
    assert len(asff) == 2 and asff[0]["Id"] != asff[1]["Id"]


def test_sniff_distinguishes_bandit():
    parser = SemgrepParser()
    assert parser.sniff(Report("x", fixture_bytes("semgrep", "mixed.json")))
    assert parser.sniff(Report("x", b'{"results": [], "errors": []}'))
    assert not parser.sniff(Report("x", b'{"results": [], "errors": [], "metrics": {}, "generated_at": "2024"}'))


def test_malformed_inputs_are_report_errors():
    assert_refuses_malformed(TOOL, fixture_bytes("semgrep", "mixed.json"), fixture_bytes("trivy", "schema2.json"))


def test_hard_coded_credential_rules_are_masked_by_cwe(context) -> None:
    """A rule that does not say "secret" in its id is still a secret rule when its CWE is 798."""
    import json as _json

    from pipeline.finding import Category
    from tests.parsers.helpers import parse, valid_asff

    secret = "app-password-123"
    doc = {"errors": [], "paths": {"scanned": ["php/index.php"]}, "version": "1.185.0", "results": [{
        "check_id": "rules.php-hardcoded-db-password", "path": "php/index.php",
        "start": {"line": 4, "col": 9, "offset": 60}, "end": {"line": 4, "col": 70, "offset": 121},
        "extra": {"message": "A database password is written in the source", "severity": "ERROR",
                  "lines": f'$conn = mysqli_connect("127.0.0.1", "app", "{secret}", "shop");',
                  "metadata": {"cwe": "CWE-798: Use of Hard-coded Credentials"},
                  "metavars": {}, "fingerprint": "requires login"}}]}
    [finding] = parse("semgrep", _json.dumps(doc).encode())
    assert finding.category is Category.SECRET
    assert secret not in _json.dumps(valid_asff([finding], context))
