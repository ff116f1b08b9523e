from __future__ import annotations

import pytest

from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, parse, truncated, valid_asff

TOOL = "cfn-nag"


@pytest.fixture
def findings():
    return parse(TOOL, fixture_bytes("cfn_nag", "report.json"), "cfn_nag.json")


def test_one_finding_per_violation_and_resource(findings):
    # F1000 names two resources, W89 one, W999 none (still one finding); the clean template none.
    assert [(f.rule_id, f.iac_location.logical_id, f.iac_location.line) for f in findings] == [
        ("F1000", "WebSg", 12), ("F1000", "DbSg", 31), ("W89", "Handler", 44), ("W999", None, None)]


def test_fields(findings):
    fail, warn = findings[0], findings[2]
    assert fail.severity is Severity.HIGH and fail.native_severity == "FAIL"
    assert warn.severity is Severity.MEDIUM and warn.native_severity == "WARN"
    assert fail.iac_location.template == "templates/app.yaml"  # leading ./ stripped
    assert fail.title == "Missing egress rule means all traffic is allowed outbound."
    assert fail.category is Category.IAC
    assert fail.extra["rule-name"] == "MissingEgressRuleRule"


def test_asff_carries_template_logical_id_and_line(findings, context):
    asff = valid_asff(findings, context)
    other = asff[1]["Resources"][0]["Details"]["Other"]
    assert (other["template"], other["logicalId"], other["line"]) == ("templates/app.yaml", "DbSg", "31")
    assert asff[0]["ProductFields"]["secpipe/logical-id"] == "WebSg"
    assert asff[0]["Id"] != asff[1]["Id"]


def test_long_message_is_truncated_and_valid(context):
    data = fixture_bytes("cfn_nag", "report.json").replace(
        b"Lambda functions should be deployed inside a VPC", b"very long " * 300)
    asff = valid_asff(parse(TOOL, data), context)
    assert len(asff[2]["Title"]) == 256 and asff[2]["Title"].endswith("[truncated]")
    assert len(asff[2]["Description"]) <= 1024


@pytest.mark.parametrize("data, message", [
    (truncated(b'[{"filename": "./a.yaml", "file_results": {"violations": []}}]'), "not valid JSON"),
    (b'{"results": [], "metrics": {}, "generated_at": "x"}', "not a cfn-nag JSON report"),
    (b'[{"Filename": "a.yaml", "Rule": {"Id": "E1"}}]', "not a cfn-nag JSON report"),
    (b"", "file is empty"),
])
def test_malformed_input_is_a_clear_report_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse(TOOL, data)
