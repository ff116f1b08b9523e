from __future__ import annotations

import json

import pytest

from parsers.phpstan import derived_rule_id
from pipeline.errors import ReportError
from pipeline.finding import Category, Severity
from tests.parsers.helpers import fixture_bytes, fixture_json, parse, truncated, valid_asff

TOOL = "phpstan"


@pytest.fixture
def findings():
    return parse(TOOL, fixture_bytes("phpstan", "report.json"), "phpstan.json")


def test_every_message_of_every_file_and_generic_errors(findings):
    located = [(f.code_locations[0].path, f.code_locations[0].start_line) for f in findings if f.code_locations]
    assert located == [("src/Controller/UserController.php", 14), ("src/Controller/UserController.php", 30),
                       ("src/Kernel.php", 8)]
    generic = [f for f in findings if not f.code_locations]
    assert len(generic) == 1 and "worker crashed" in generic[0].description
    assert generic[0].extra["scope"] == "generic"


def test_fields(findings):
    first, second = findings[0], findings[1]
    assert first.rule_id == "method.notFound"
    assert first.remediation == "Learn more at https://phpstan.org/blog/solving-undefined-method"
    assert "Tip: Learn more" in first.description
    assert first.extra == {"ignorable": "true", "identifier": "method.notFound"}
    assert second.extra["ignorable"] == "false"
    assert second.rule_id == derived_rule_id(second.description)
    assert first.severity is Severity.MEDIUM and first.native_severity == "error"
    assert first.category is Category.SAST


def test_derived_rule_id_is_stable_across_line_numbers():
    assert derived_rule_id("Unreachable code at line 12") == derived_rule_id("Unreachable code at line 13")
    assert derived_rule_id("Foo") != derived_rule_id("Bar")


def test_empty_files_array_is_no_findings():
    data = b'{"totals": {"errors": 0, "file_errors": 0}, "files": [], "errors": []}'
    assert parse(TOOL, data) == []


def test_asff(findings, context):
    asff = valid_asff(findings, context)
    assert asff[0]["ProductFields"]["secpipe/file"] == "src/Controller/UserController.php"
    assert asff[0]["ProductFields"]["secpipe/line"] == "14"
    assert asff[0]["Remediation"]["Recommendation"]["Text"].startswith("Learn more")
    assert asff[-1]["Title"].startswith("PHPStan error not tied to a file")


def test_long_message_is_truncated_and_valid(context):
    doc = fixture_json("phpstan", "report.json")
    doc["files"]["src/Kernel.php"]["messages"][0]["message"] = "Unreachable " * 400
    asff = valid_asff(parse(TOOL, json.dumps(doc).encode()), context)
    assert len(asff[2]["Title"]) <= 256 and len(asff[2]["Description"]) <= 1024


@pytest.mark.parametrize("data, message", [
    (truncated(fixture_bytes("phpstan", "report.json")), "not valid JSON"),
    (b'{"issues": [], "paging": {}}', "not a PHPStan JSON report"),
    (b'{"totals": {"file_errors": 1}, "files": "x"}', "'files' must be an object"),
    (b'{"totals": {"file_errors": 1}, "files": {"a.php": {"messages": [{"line": 1}]}}}', "no 'message' text"),
])
def test_malformed_input_is_a_clear_report_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse(TOOL, data)
