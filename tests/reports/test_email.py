from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.console_links import console_base, securityhub_findings_url
from pipeline.context import ScanContext
from pipeline.result import ScanResult, load_summary, summary_dict, summary_from_dict, write_summary
from reports.email import SUBJECT_MAX, render_email
from tests.reports.conftest import HOSTILE


@pytest.fixture
def email(scan_result: ScanResult, tmp_path: Path):
    return render_email(load_summary(write_summary(scan_result, tmp_path / "summary.json")))


def test_subject_says_the_decision_and_the_serious_counts(email) -> None:
    assert email.subject == "[secpipe] FAILED: demo-repo@main abc123de (2 critical, 1 high)"
    assert len(email.subject) <= SUBJECT_MAX


def test_subject_is_cut_to_the_limit(scan_result: ScanResult, tmp_path: Path) -> None:
    scan_result.context = ScanContext(repo="r" * 150, branch="feature/" + "b" * 80)
    subject = render_email(load_summary(write_summary(scan_result, tmp_path / "s.json"))).subject
    assert len(subject) == SUBJECT_MAX and subject.endswith("…")


def test_text_part(email) -> None:
    text = email.text
    assert "secpipe security scan: FAILED" in text
    assert "Gate: FAILED (threshold HIGH and above)" in text
    assert "  - sast: 2 finding(s) at HIGH or above (fail_on = high)" in text
    assert "WARNING: 2 tool run(s) did not complete; their results are NOT clean:" in text
    warning = text[text.index("WARNING:"):text.index("Open findings:")]
    assert "cfn-nag" not in warning, "a tool that did not run is listed with the tools, not as incomplete"
    assert "cfn-nag" in text[text.index("Tools:"):]
    assert "Open findings: Critical 2, High 1, Medium 1, Low 1, Informational 0" in text
    assert "  1. [CRITICAL] semgrep secrets.aws-access-key: AWS access key in source" in text
    assert "Full report: https://eu-west-1.console.aws.amazon.com/s3/object/reports?prefix=report.html" in text
    assert "AWS Security Hub findings: https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings" in text


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_data(self, data) -> None:
        self.text.append(data)


def test_html_part_is_escaped_and_has_the_same_facts(email) -> None:
    assert "<script>" not in email.html and "<img" not in email.html
    page = _Text()
    page.feed(email.html)
    text = " ".join(" ".join(page.text).split())
    assert "GATE FAILED" in text and f"Reflected XSS in q {HOSTILE}" in text
    assert "pip-audit (sca): incomplete" in text
    assert "script" not in page.tags and "style" not in page.tags  # inline styles only: mail clients drop <style>
    assert page.hrefs == ["https://eu-west-1.console.aws.amazon.com/s3/object/reports?prefix=report.html",
                          "https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings"]


@pytest.mark.parametrize("region, partition, host", [
    ("eu-west-1", "aws", "https://eu-west-1.console.aws.amazon.com"),
    ("cn-north-1", "aws-cn", "https://console.amazonaws.cn"),
    ("us-gov-west-1", "aws-us-gov", "https://console.amazonaws-us-gov.com"),
])
def test_console_host_follows_the_partition(region: str, partition: str, host: str) -> None:
    assert console_base(region, partition) == host
    url = securityhub_findings_url(ScanContext(region=region, partition=partition))
    assert url == f"{host}/securityhub/home?region={region}#/findings"


def test_unknown_partition_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown AWS partition 'aws-iso'"):
        console_base("us-iso-east-1", "aws-iso")


def test_passed_gate_without_findings(tmp_path: Path) -> None:
    from pipeline.result import GateDecision
    from tests.reports.conftest import make_result
    gate = GateDecision(passed=True, reasons=["passed: no stage reached its threshold and every applicable tool completed"],
                        threshold="HIGH", counted={})
    result = make_result([], gate=gate)
    result.links["evil"] = "javascript:alert(1)"
    email = render_email(load_summary(write_summary(result, tmp_path / "summary.json")))
    assert email.subject == "[secpipe] PASSED: demo-repo@main abc123de (no high or critical findings)"
    assert "Top findings" not in email.text and "WARNING" not in email.text and "javascript:" not in email.text
    assert "GATE PASSED" in email.html and "javascript:" not in email.html


def test_each_result_gets_its_own_email_text_and_html(scan_result: ScanResult, tmp_path: Path) -> None:
    """Both formats come from one rendering per result: a second result must never get the first one's."""
    from reports.email import render_email_html, render_email_text
    from tests.reports.conftest import make_result

    def rendered_alone(result: ScanResult) -> tuple[str, str]:
        email = render_email(summary_from_dict(summary_dict(result)))
        return email.text, email.html

    empty = make_result([])
    assert (render_email_text(scan_result), render_email_html(scan_result)) == rendered_alone(scan_result)
    assert (render_email_text(empty), render_email_html(empty)) == rendered_alone(empty)
    assert rendered_alone(empty) != rendered_alone(scan_result)
