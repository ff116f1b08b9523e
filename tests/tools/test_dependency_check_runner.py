"""dependency-check runner with a fake dependency-check.sh that writes a hand-written JSON + XML report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.asff import to_asff
from pipeline.finding import Severity
from pipeline.tools import dependency_check
from pipeline.tools.base import ScanTarget, ToolStatus
from tests.conftest import assert_valid_asff
from tests.tools.fakes import empty_path, fake_bin, install_fake, recorded_call  # noqa: F401 - fixtures

NVD_KEY = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

REPORT = {
    "reportSchema": "1.1",
    "scanInfo": {"engineVersion": "10.0.4",
                 "dataSource": [{"name": "NVD API Last Modified", "timestamp": "2026-11-27T06:00:00Z"}]},
    "projectInfo": {"name": "shop", "reportDate": "2026-11-27T13:02:11.412Z"},
    "dependencies": [
        {"isVirtual": False, "fileName": "commons-text-1.9.jar", "filePath": "SRC/lib/commons-text-1.9.jar",
         "sha256": "0b3b8a" + "0" * 58,
         "packages": [{"id": "pkg:maven/org.apache.commons/commons-text@1.9", "confidence": "HIGH"}],
         "vulnerabilityIds": [{"id": "cpe:2.3:a:apache:commons_text:1.9:*:*:*:*:*:*:*", "confidence": "HIGHEST"}],
         "vulnerabilities": [{
             "source": "NVD", "name": "CVE-2022-42889", "severity": "CRITICAL",
             "cvssv3": {"baseScore": 9.8, "attackVector": "NETWORK", "attackComplexity": "LOW",
                        "privilegesRequired": "NONE", "userInteraction": "NONE", "scope": "UNCHANGED",
                        "confidentialityImpact": "HIGH", "integrityImpact": "HIGH", "availabilityImpact": "HIGH",
                        "baseSeverity": "CRITICAL", "version": "3.1"},
             "cwes": ["CWE-94"], "description": "Apache Commons Text performs variable interpolation ...",
             "notes": "", "references": [{"source": "MISC", "url": "https://lists.apache.org/thread/n2bd4vdsgkqh2tm14l1wyc3jyol7s1om"}],
             "vulnerableSoftware": [{"software": {"id": "cpe:2.3:a:apache:commons_text:*:*:*:*:*:*:*:*",
                                                  "vulnerabilityIdMatched": "true", "versionStartIncluding": "1.5",
                                                  "versionEndExcluding": "1.10.0"}}]}],
         "suppressedVulnerabilities": [{
             "source": "NVD", "name": "CVE-2024-00001", "severity": "MEDIUM",
             "cvssv3": {"baseScore": 5.3, "baseSeverity": "MEDIUM", "version": "3.1"},
             "cwes": ["NVD-CWE-noinfo"], "description": "A made-up issue waived in the suppression file.",
             "notes": "Not reachable: the interpolator is never used."}]},
        {"isVirtual": True, "fileName": "lodash:4.17.15", "filePath": "SRC/package-lock.json?lodash",
         "packages": [{"id": "pkg:npm/lodash@4.17.15", "confidence": "HIGHEST"}],
         "vulnerabilities": [{
             "source": "NPM", "name": "CVE-2020-8203", "severity": "HIGH",
             "cvssv3": {"baseScore": 7.4, "baseSeverity": "HIGH", "version": "3.1"},
             "cwes": ["CWE-1321"], "description": "Prototype pollution in zipObjectDeep.",
             "references": [{"source": "NPM", "url": "https://github.com/advisories/GHSA-p6mc-m468-83gw"}]}]},
        {"isVirtual": False, "fileName": "slf4j-api-2.0.9.jar", "filePath": "SRC/lib/slf4j-api-2.0.9.jar",
         "packages": [{"id": "pkg:maven/org.slf4j/slf4j-api@2.0.9", "confidence": "HIGH"}]},
    ],
}

XML = """<?xml version="1.0"?>
<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.4.0.xsd">
  <scanInfo><engineVersion>10.0.4</engineVersion></scanInfo>
  <projectInfo><name>shop</name><reportDate>2026-11-27T13:02:11.412Z</reportDate></projectInfo>
  <dependencies/>
</analysis>
"""

FAKE = f"""
args = sys.argv[1:]
def values(flag):
    return [args[i + 1] for i, a in enumerate(args) if a == flag]
props = values("--propertyfile")
record = json.load(open(os.environ["FAKE_RECORD"]))
record["propertyfile_has_key"] = bool(props) and open(props[0]).read().startswith("nvd.api.key=")
record["propertyfile_mode"] = oct(os.stat(props[0]).st_mode & 0o777) if props else None
json.dump(record, open(os.environ["FAKE_RECORD"], "w"))
mode = os.environ.get("FAKE_MODE", "vulns")
if mode == "no-db":
    print("[ERROR] Unable to continue dependency-check analysis: no documents exist in the NVD database;"
          " run without --noupdate first", file=sys.stderr)
    sys.exit(1)
report = json.loads({json.dumps(json.dumps(REPORT))}.replace("SRC", values("--scan")[0]))
if mode == "analysis-error":
    report["scanInfo"]["analysisExceptions"] = [{{"exception": {{"message": "Failed to read results from the NPM Audit API"}}}}]
if mode == "clean":
    for dependency in report["dependencies"]:
        dependency.pop("vulnerabilities", None)
        dependency.pop("suppressedVulnerabilities", None)
out = values("--out")[0]
json.dump(report, open(os.path.join(out, "dependency-check-report.json"), "w"))
open(os.path.join(out, "dependency-check-report.xml"), "w").write({XML!r})
sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "shop"
    (src / "lib").mkdir(parents=True)
    (src / "lib" / "commons-text-1.9.jar").write_bytes(b"PK\x03\x04")
    (src / "package-lock.json").write_text("{}")
    return src


@pytest.fixture(autouse=True)
def no_ambient_nvd(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NVD_API_KEY", "DEPENDENCY_CHECK_DATA", "DEPENDENCY_CHECK_NOUPDATE"):
        monkeypatch.delenv(name, raising=False)


def run(project: Path, tmp_path: Path, **env: str):
    target = ScanTarget(project, env={"FAKE_RECORD": str(tmp_path / "call.json"), **env})
    return dependency_check.DependencyCheckRunner().run(target, tmp_path / "raw", timeout_s=60)


def test_findings_with_key_passed_in_a_private_properties_file(fake_bin, project, tmp_path, context):
    install_fake(fake_bin, "dependency-check.sh", FAKE)
    result = run(project, tmp_path, NVD_API_KEY=NVD_KEY, DEPENDENCY_CHECK_DATA=str(tmp_path / "nvd-cache"))

    assert result.status is ToolStatus.FINDINGS, result.detail
    assert result.report_path == tmp_path / "raw" / "dependency-check-report.json"
    assert (tmp_path / "raw" / "dependency-check-report.xml").is_file()
    by_id = {f.rule_id: f for f in result.findings}
    assert sorted(by_id) == ["CVE-2020-8203", "CVE-2022-42889", "CVE-2024-00001"]
    assert by_id["CVE-2022-42889"].severity is Severity.CRITICAL
    assert by_id["CVE-2024-00001"].suppressed
    call = recorded_call(tmp_path / "call.json")
    argv = call["argv"][1:]
    assert argv[:2] == ["--scan", str(project.resolve())]
    assert argv.count("--format") == 2 and "JSON" in argv and "XML" in argv
    assert argv[argv.index("--out") + 1] == str((tmp_path / "raw").resolve())
    assert argv[argv.index("--data") + 1] == str(tmp_path / "nvd-cache")
    assert "--noupdate" not in argv
    assert call["propertyfile_has_key"] and call["propertyfile_mode"] == "0o600"
    assert NVD_KEY not in " ".join(call["argv"]) and "NVD_API_KEY" not in call["env"]
    assert not Path(argv[argv.index("--propertyfile") + 1]).exists()  # removed after the run
    assert_valid_asff([to_asff(f, context) for f in result.findings])


def test_without_a_key_it_uses_the_cache_only(fake_bin, project, tmp_path):
    install_fake(fake_bin, "dependency-check.sh", FAKE)
    result = run(project, tmp_path, FAKE_MODE="clean")
    assert result.status is ToolStatus.PASSED
    argv = recorded_call(tmp_path / "call.json")["argv"]
    assert "--noupdate" in argv and "--propertyfile" not in argv


def test_no_database_is_an_error_with_the_reason(fake_bin, project, tmp_path):
    install_fake(fake_bin, "dependency-check.sh", FAKE)
    result = run(project, tmp_path, FAKE_MODE="no-db")
    assert result.status is ToolStatus.ERROR
    assert result.detail.startswith("exited with code 1 without a report: [ERROR] Unable to continue")


@pytest.mark.parametrize("mode, exit_code, expected", [
    ("analysis-error", "0", "1 analysis error(s), e.g. Failed to read results from the NPM Audit API"),
    ("vulns", "14", "exited with code 14"),
])
def test_partial_analysis_is_incomplete_and_keeps_findings(fake_bin, project, tmp_path, mode, exit_code, expected):
    install_fake(fake_bin, "dependency-check.sh", FAKE)
    result = run(project, tmp_path, FAKE_MODE=mode, FAKE_EXIT=exit_code)
    assert result.status is ToolStatus.INCOMPLETE
    assert result.detail == expected
    assert len(result.findings) == 3


def test_not_installed_and_applies(empty_path, project, tmp_path):
    runner = dependency_check.DependencyCheckRunner()
    result = runner.run(ScanTarget(project), tmp_path / "raw", timeout_s=10)
    assert result.status is ToolStatus.NOT_INSTALLED
    assert result.detail == "OWASP Dependency-Check is not installed (runs in CodeBuild)"
    assert runner.applies(ScanTarget(project))
    empty = tmp_path / "docs-only"
    empty.mkdir()
    (empty / "README.md").write_text("# nothing to analyse\n")
    assert not runner.applies(ScanTarget(empty))


def test_report_that_is_not_dependency_check_is_an_error(fake_bin, project, tmp_path):
    install_fake(fake_bin, "dependency-check.sh",
                 'out = sys.argv[sys.argv.index("--out") + 1]\n'
                 'open(os.path.join(out, "dependency-check-report.json"), "w").write("<html>oops</html>")')
    result = run(project, tmp_path)
    assert result.status is ToolStatus.ERROR and "dependency-check-report.json" in result.detail
    assert json.loads((tmp_path / "call.json").read_text())["argv"][0].endswith("dependency-check.sh")


def test_key_echoed_by_the_tool_is_masked(fake_bin, project, tmp_path):
    install_fake(fake_bin, "dependency-check.sh",
                 'print("[ERROR] NVD API request failed for key " + open(sys.argv[sys.argv.index("--propertyfile") + 1])'
                 '.read().split("=", 1)[1].strip() + ": 403", file=sys.stderr)\nsys.exit(1)')
    result = run(project, tmp_path, NVD_API_KEY=NVD_KEY)
    assert result.status is ToolStatus.ERROR
    assert "NVD API request failed for key" in result.detail and NVD_KEY not in result.detail
