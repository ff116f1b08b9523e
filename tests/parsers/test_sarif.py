from __future__ import annotations

import json

import pytest

from parsers.base import Report
from parsers.sarif import SarifParser
from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, valid_asff
from tests.parsers.malformed import assert_refuses_malformed

TOOL = "sarif"
SECRET = "tok_TESTONLY_9f8e7d6c5b4a39281706"


@pytest.fixture
def findings():
    return parse(TOOL, fixture_bytes("sarif", "two_runs.sarif"), "two_runs.sarif")


def _by_rule(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


def test_one_finding_per_result_and_location_across_runs(findings):
    # 7 results in run 1: one has 2 locations (+1), one is kind=pass (-1); 1 result in run 2.
    assert [f.rule_id for f in findings] == [
        "py/sql-injection", "py/sql-injection", "py/unused-import", "py/unused-import", "acme/weak-hash",
        "CVE-2021-23337", "py/unused-import", "generic-api-key"]
    assert {f.extra["sarif-tool"] for f in findings} == {"CodeQL", "gitleaks"}


def test_message_arguments_and_rule_metadata(findings):
    first = findings[0]
    assert first.title == "Query built from request.args reaches cursor.execute; braces {kept}."
    assert first.description.endswith("Building a SQL query from user input allows injection.")
    assert first.cwes == [89]
    assert first.remediation == "Use parameterised queries."
    assert first.references == ["https://example.test/rules/sql-injection"]
    assert first.extra["rule-name"] == "SqlInjection"
    assert first.observed_at.isoformat() == "2024-05-01T10:00:00+00:00"


def test_security_severity_wins_over_level(findings):
    first = findings[0]
    assert first.severity is Severity.CRITICAL and first.native_severity == "security-severity 9.8"
    assert first.extra["sarif-level"] == "error"
    weak_hash = _by_rule(findings, "acme/weak-hash")[0]  # result-level security-severity 5.0
    assert weak_hash.severity is Severity.MEDIUM


def test_levels_from_result_then_rule_default_then_warning(findings):
    suppressed_note, warning, *_ = _by_rule(findings, "py/unused-import")
    assert suppressed_note.severity is Severity.INFORMATIONAL and suppressed_note.native_severity == "note"
    assert warning.severity is Severity.MEDIUM and warning.native_severity == "warning"
    cve = _by_rule(findings, "CVE-2021-23337")[0]  # no rule, no level: SARIF's default 'warning'
    assert cve.native_severity == "warning" and cve.severity is Severity.MEDIUM


def test_rule_from_extension_with_global_message_string(findings):
    weak_hash = _by_rule(findings, "acme/weak-hash")[0]
    assert weak_hash.title == "Global template for md5."
    assert weak_hash.cwes == [328]
    assert weak_hash.extra["sarif-extension"] == "acme/python-queries"


def test_cwe_from_relationships(findings):
    assert _by_rule(findings, "py/unused-import")[0].cwes == [1164]


def test_locations_resolve_to_relative_paths(findings):
    first, second = findings[0], findings[1]
    loc = first.code_locations[0]
    assert (loc.path, loc.start_line, loc.end_line, loc.start_column, loc.snippet) == (
        "app/db.py", 12, 13, 5, "cursor.execute(q)")
    # file:// URI under the SRCROOT base: made relative, percent-decoding applied
    assert second.code_locations[0].path == "app/other db.py"
    assert second.code_locations[0].start_line == 40


def test_result_without_location_is_still_a_finding(findings):
    no_location = findings[6]
    assert no_location.title == "A result without any location." and no_location.code_locations == []


def test_suppressions_accepted_and_rejected(findings):
    accepted, rejected, *_ = _by_rule(findings, "py/unused-import")
    assert accepted.suppressed and accepted.suppression_reason == "kept for plugins"
    assert not rejected.suppressed and rejected.suppression_reason is None


def test_fingerprint_carries_identity(findings):
    assert findings[0].fingerprint == "primaryLocationLineHash=abc123:1"
    assert findings[3].fingerprint is None


def test_categories(findings):
    assert findings[0].category is Category.SAST
    cve = _by_rule(findings, "CVE-2021-23337")[0]
    assert cve.category is Category.SCA and cve.vulnerability_ids == ["CVE-2021-23337"]
    assert _by_rule(findings, "generic-api-key")[0].category is Category.SECRET


def test_secret_never_leaves_the_parser(findings, context):
    asff = valid_asff(findings, context)
    assert SECRET not in json.dumps(asff)
    secret = _by_rule(findings, "generic-api-key")[0]
    assert secret.code_locations[0].snippet.startswith("tok_***(sha256:")


def test_secret_in_message_arguments_is_masked(context):
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scanner", "rules": [
        {"id": "hardcoded-secret", "messageStrings": {"default": {"text": "Secret {0} found."}}}]}},
        "results": [{"ruleId": "hardcoded-secret", "message": {"id": "default", "arguments": [SECRET]},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}}}]}]}]}
    (finding,) = parse(TOOL, json.dumps(doc).encode())
    assert SECRET not in json.dumps(valid_asff([finding], context))
    assert finding.category is Category.SECRET


def test_asff_is_valid_and_ids_unique(findings, context):
    asff = valid_asff(findings, context)
    assert len(asff) == len(findings)
    sql = asff[0]
    assert sql["Severity"] == {"Label": "CRITICAL", "Original": "security-severity 9.8"}
    assert sql["ProductFields"]["secpipe/cwe"] == "CWE-89"


def test_sniff_claims_sarif_only():
    parser = SarifParser()
    assert parser.sniff(Report("x", fixture_bytes("sarif", "two_runs.sarif")))
    assert not parser.sniff(Report("x", fixture_bytes("semgrep", "mixed.json")))
    assert not parser.sniff(Report("x", b'{"runs": [], "version": "1.0.0"}'))


def test_sarif_1_is_refused():
    with pytest.raises(ReportError, match="SARIF version 1.0.0 is not supported"):
        parse(TOOL, b'{"version": "1.0.0", "$schema": "sarif-1.0.0", "runs": []}')


def test_malformed_inputs_are_report_errors():
    assert_refuses_malformed(TOOL, fixture_bytes("sarif", "two_runs.sarif"), fixture_bytes("semgrep", "mixed.json"))


def _log(run: dict) -> bytes:
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


def test_uri_base_id_chains_and_working_directory_make_paths_relative():
    run = {"tool": {"driver": {"name": "t"}},
           "originalUriBaseIds": {"PROJECTROOT": {"uri": "file:///build/work/"},
                                  "SRCROOT": {"uri": "src/", "uriBaseId": "PROJECTROOT"}},
           "invocations": [{"workingDirectory": {"uri": "file:///ci/checkout"}}],
           "results": [
               {"ruleId": "r", "message": {"text": "a"}, "locations": [{"physicalLocation": {
                   "artifactLocation": {"uri": "file:///build/work/src/pkg/a.py"}}}]},
               {"ruleId": "r", "message": {"text": "b"}, "locations": [{"physicalLocation": {
                   "artifactLocation": {"uri": "file:///ci/checkout/lib/b.py"}}}]},
               {"ruleId": "r", "message": {"text": "c"}, "locations": [{"physicalLocation": {
                   "artifactLocation": {"uri": "./pkg/c.py", "uriBaseId": "SRCROOT"}}}]},
               {"ruleId": "r", "message": {"text": "d"}, "locations": [{"physicalLocation": {
                   "artifactLocation": {"uri": "file:///C:/elsewhere/d.c"}}}]},
           ]}
    paths = [f.code_locations[0].path for f in parse(TOOL, _log(run))]
    assert paths == ["pkg/a.py", "lib/b.py", "pkg/c.py", "C:/elsewhere/d.c"]


def test_rule_by_tool_component_name_and_hierarchical_id():
    run = {"tool": {"driver": {"name": "core", "rules": [{"id": "C2001", "shortDescription": {"text": "parent"},
                                                          "defaultConfiguration": {"level": "error"}}]},
                    "extensions": [{"name": "plugin", "rules": [{"id": "P1", "defaultConfiguration": {"level": "note"}}]}]},
           "results": [
               {"rule": {"id": "P1", "toolComponent": {"name": "plugin"}}, "message": {"text": "from plugin"}},
               {"ruleId": "C2001/sub-rule", "message": {"text": "from parent"}},
               {"ruleId": "P1", "message": {"text": "found by id in an extension"}},
           ]}
    plugin, sub, by_id = parse(TOOL, _log(run))
    assert plugin.severity is Severity.INFORMATIONAL and plugin.extra["sarif-extension"] == "plugin"
    assert sub.rule_id == "C2001/sub-rule" and sub.severity is Severity.HIGH
    assert by_id.severity is Severity.INFORMATIONAL


def test_result_taxa_add_cwes():
    run = {"tool": {"driver": {"name": "t"}}, "taxonomies": [{"name": "CWE", "taxa": [{"id": "22"}]}],
           "results": [{"ruleId": "r", "message": {"text": "m"},
                        "taxa": [{"id": "22", "toolComponent": {"index": 0}}, {"id": "CWE-23"}]}]}
    (finding,) = parse(TOOL, _log(run))
    assert finding.cwes == [22, 23]
