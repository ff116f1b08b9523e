"""A ScanResult with a finding of every kind, built the way `scan` builds one (real ASFF Ids)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.asff import to_asff
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from pipeline.finding import Category, CodeLocation, Cvss, Finding, IacLocation, Package, Severity, WebLocation
from pipeline.gate import decide
from pipeline.identity import number_occurrences
from pipeline.policy import Policy
from pipeline.result import GateDecision, ScanResult
from pipeline.stages import Stage
from pipeline.tools.base import ToolRun, ToolStatus

HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
STARTED = datetime(2026, 11, 27, 13, 0, 0, tzinfo=UTC)


def sample_findings() -> list[Finding]:
    return [
        Finding(tool="pip-audit", rule_id="PYSEC-2023-62", title="requests 2.19.0: Proxy-Authorization header leak",
                severity=Severity.MEDIUM, category=Category.SCA, description="Requests forwards proxy credentials.",
                native_severity="6.1", vulnerability_ids=["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
                cvss=[Cvss("3.1", 6.1, "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", "NVD")],
                packages=[Package("requests", "2.19.0", "2.31.0", "pip", "requirements.txt")],
                references=["https://nvd.nist.gov/vuln/detail/CVE-2023-32681"], remediation="Upgrade requests to 2.31.0."),
        Finding(tool="bandit", rule_id="B602", title="subprocess call with shell=True identified",
                severity=Severity.HIGH, category=Category.SAST, description="Command injection risk.",
                native_severity="HIGH", confidence="HIGH", cwes=[78],
                code_locations=[CodeLocation("src/app.py", 42, 43, 9, "42 subprocess.call(cmd, shell=True)")],
                references=["https://bandit.readthedocs.io/en/latest/plugins/b602_subprocess_popen_with_shell_equals_true.html"]),
        Finding(tool="checkov", rule_id="CKV_AWS_18", title="Ensure the S3 bucket has access logging enabled",
                severity=Severity.LOW, category=Category.IAC,
                iac_location=IacLocation("cloudformation/template.yaml", "ReportsBucket", "AWS::S3::Bucket", 12),
                remediation_url="https://docs.prismacloud.io/en/enterprise-edition/policy-reference/"),
        Finding(tool="wapiti", rule_id="Cross Site Scripting", title=f"Reflected XSS in q {HOSTILE}",
                severity=Severity.CRITICAL, category=Category.DAST, description=f"Payload reflected: {HOSTILE}",
                web_locations=[WebLocation("http://127.0.0.1:8000/search?q=x", "GET", "q", HOSTILE, "<b>evidence</b>")],
                cwes=[79], remediation="Encode output for its HTML context."),
        Finding(tool="semgrep", rule_id="secrets.aws-access-key", title="AWS access key in source",
                severity=Severity.CRITICAL, category=Category.SECRET,
                code_locations=[CodeLocation("config/settings.py", 7, snippet="AKIA***(sha256:0123abcd)")]),
        Finding(tool="bandit", rule_id="B101", title="Use of assert detected",
                severity=Severity.LOW, category=Category.SAST, code_locations=[CodeLocation("tests/test_app.py", 3)],
                suppressed=True, suppression_reason="asserts are how pytest works (expires 2027-06-30)"),
    ]


def make_result(findings: list[Finding], runs: list[ToolRun] | None = None, gate: GateDecision | None = None,
                context: ScanContext | None = None, validate: bool = True) -> ScanResult:
    """validate=False skips the ASFF validator for the scale tests: the renderers only read Ids."""
    context = context or ScanContext(account="123456789012", region="eu-west-1", repo="demo-repo", branch="main",
                                     commit="abc123def4567890", build_id="secpipe-build:42", now=STARTED)
    findings = number_occurrences(findings)
    return ScanResult(
        context=context, runs=runs if runs is not None else [], findings=findings,
        asff=to_validated_asff(findings, context) if validate else [to_asff(f, context) for f in findings], gate=gate, started_at=STARTED,
        finished_at=STARTED + timedelta(seconds=93.5),
        links={"report": "https://eu-west-1.console.aws.amazon.com/s3/object/reports?prefix=report.html"},
    )


def sample_runs(findings: list[Finding]) -> list[ToolRun]:
    def mine(tool: str) -> list[Finding]:
        return [f for f in findings if f.tool == tool]
    return [
        ToolRun("pip-audit", Stage.SCA, ToolStatus.INCOMPLETE, mine("pip-audit"),
                detail="Dependency not found on PyPI: internal-lib (1 package skipped)", duration_s=4.2),
        ToolRun("bandit", Stage.SAST, ToolStatus.FINDINGS, mine("bandit"), duration_s=1.5),
        ToolRun("semgrep", Stage.SAST, ToolStatus.FINDINGS, mine("semgrep"), duration_s=12.0),
        ToolRun("checkov", Stage.IAC, ToolStatus.FINDINGS, mine("checkov"), duration_s=6.3),
        ToolRun("wapiti", Stage.DAST, ToolStatus.FINDINGS, mine("wapiti"), duration_s=60.0),
        ToolRun("cfn-nag", Stage.IAC, ToolStatus.NOT_INSTALLED, detail="cfn_nag_scan not installed"),
        ToolRun("zap", Stage.DAST, ToolStatus.ERROR, detail='ZAP API <b>refused</b> "connection" on 127.0.0.1:8090'),
    ]


def sample_gate() -> GateDecision:
    return GateDecision(
        passed=False,
        reasons=["sast: 2 finding(s) at HIGH or above (fail_on = high)",
                 "dast: 1 finding(s) at HIGH or above (fail_on = high)",
                 "pip-audit: incomplete (fails the gate): Dependency not found on PyPI: internal-lib"],
        threshold="HIGH",
        counted={"CRITICAL": 2, "HIGH": 1, "MEDIUM": 1, "LOW": 1, "INFORMATIONAL": 0},
        expired_suppressions=["rule B105 in tests/** (expired 2026-01-31): fixtures"],
    )


@pytest.fixture
def scan_result() -> ScanResult:
    findings = sample_findings()
    result = make_result(findings, sample_runs(findings), sample_gate())
    # Which findings count is the gate's verdict (the default policy: HIGH and above), never the reports' own.
    assert result.gate is not None
    result.gate.verdicts = decide(result.findings, result.runs, Policy()).verdicts
    return result


def many_findings(count: int) -> list[Finding]:
    """`count` distinct findings across tools and severities (for size and scale checks)."""
    tools = [("bandit", Category.SAST), ("pip-audit", Category.SCA), ("checkov", Category.IAC), ("wapiti", Category.DAST)]
    severities = list(Severity)
    findings = []
    for n in range(count):
        tool, category = tools[n % len(tools)]
        findings.append(Finding(
            tool=tool, rule_id=f"R{n % 37}", title=f"Finding number {n} with a reasonably long title to fill the table",
            severity=severities[n % len(severities)], category=category, description="x" * 200,
            code_locations=[CodeLocation(f"src/module_{n}.py", n + 1)]))
    return findings
