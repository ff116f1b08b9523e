from __future__ import annotations

import pytest

from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, truncated, valid_asff

TOOL = "cfn-lint"


@pytest.fixture
def findings():
    return parse(TOOL, fixture_bytes("cfn_lint", "report.json"), "cfn_lint.json")


def test_one_finding_per_match_with_level_table(findings):
    assert [(f.rule_id, f.severity, f.native_severity) for f in findings] == [
        ("E3012", Severity.HIGH, "Error"), ("I3011", Severity.INFORMATIONAL, "Informational"),
        ("E1001", Severity.CRITICAL, "Fatal")]


def test_fields(findings):
    error = findings[0]
    assert error.title == "Check resource properties values"
    assert error.description.startswith("Property Resources/Bucket/Properties/BucketName should be of type String")
    assert error.iac_location.template == "templates/app.yaml"
    assert error.iac_location.logical_id == "Bucket"
    assert error.iac_location.line == 21
    assert error.extra["column"] == "7"
    assert error.category is Category.IAC
    assert error.references[0].startswith("https://github.com/aws-cloudformation/cfn-lint/")


def test_logical_id_only_from_resources_path(findings):
    assert findings[1].iac_location.logical_id is None  # ["Parameters", "Env"]
    assert findings[2].iac_location.logical_id is None  # empty path


def test_asff(findings, context):
    asff = valid_asff(findings, context)
    assert [a["Severity"]["Label"] for a in asff] == ["HIGH", "INFORMATIONAL", "CRITICAL"]
    assert asff[0]["Resources"][0]["Details"]["Other"]["line"] == "21"
    assert asff[0]["Severity"]["Original"] == "Error"


def test_clean_template_is_no_findings():
    assert parse(TOOL, b"[]") == []


def test_long_message_is_truncated_and_valid(context):
    data = fixture_bytes("cfn_lint", "report.json").replace(b"Parameter Env has no description", b"x " * 2000)
    asff = valid_asff(parse(TOOL, data), context)
    assert len(asff[1]["Description"]) == 1024 and asff[1]["Description"].endswith("[truncated]")


@pytest.mark.parametrize("data, message", [
    (truncated(b'[{"Filename": "a.yaml", "Rule": {"Id": "E1"}, "Level": "Error"}]'), "not valid JSON"),
    (b'[{"filename": "./a.yaml", "file_results": {"violations": []}}]', "not a cfn-lint JSON report"),
    (b'{"runs": []}', "not a cfn-lint JSON report"),
])
def test_malformed_input_is_a_clear_report_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse(TOOL, data)
