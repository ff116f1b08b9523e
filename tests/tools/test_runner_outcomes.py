"""Runner behaviour that needs no real scanner: fake programs stand in for them."""
import json
from pathlib import Path

import pytest

from pipeline.tools import command, registry
from pipeline.tools.base import ScanTarget, ToolStatus
from tests.tools.conftest import fake_program

MINE = ["bandit", "semgrep", "checkov", "cfn-lint", "pip-audit", "npm-audit", "wapiti"]
CFN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A target every one of these runners applies to."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text("import os\n")
    (root / "template.yaml").write_text(CFN)
    (root / "requirements.txt").write_text("requests==2.19.0\n")
    (root / "package.json").write_text('{"name": "p", "version": "1.0.0"}\n')
    (root / "package-lock.json").write_text('{"name": "p", "lockfileVersion": 3, "packages": {}}\n')
    return root


def _target(project: Path) -> ScanTarget:
    return ScanTarget(project, url="http://127.0.0.1:9/")


@pytest.mark.parametrize("name", MINE)
def test_missing_executable_is_not_installed_with_the_install_command(name, project, raw_dir, monkeypatch):
    monkeypatch.setattr(command, "find_executable", lambda *a, **k: None)
    runner = registry.get(name)
    assert runner.missing() == f"{name} is not installed (run: secpipe tools install {name})"
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.NOT_INSTALLED
    assert run.detail == runner.missing()
    assert run.tool == name and run.stage is runner.stage


@pytest.mark.parametrize("name", MINE)
def test_a_hanging_scanner_is_an_error_after_its_timeout(name, project, raw_dir, monkeypatch, tmp_path):
    slow = fake_program(tmp_path, "slow", "import time\ntime.sleep(60)\n")
    runner = registry.get(name)
    monkeypatch.setattr(runner, "program", lambda: slow)
    run = runner.run(_target(project), raw_dir, timeout_s=1)
    assert run.status is ToolStatus.ERROR
    assert run.detail == "timed out after 1s"


def test_a_crashing_scanner_is_an_error_with_its_last_stderr_line(project, raw_dir, monkeypatch, tmp_path):
    crash = fake_program(tmp_path, "crash", "import sys\nsys.stderr.write('Traceback...\\nValueError: boom\\n')\nsys.exit(2)\n")
    runner = registry.get("bandit")
    monkeypatch.setattr(runner, "program", lambda: crash)
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.ERROR
    assert run.detail == "exited with code 2: ValueError: boom"


def _writes_report(tmp_path: Path, report: str, exit_code: int = 0) -> Path:
    """A fake scanner that writes `report` to the path after -o/--output (or stdout)."""
    return fake_program(tmp_path, "fake", f"""
        import sys
        args = sys.argv[1:]
        text = {report!r}
        for flag in ("-o", "--output"):
            if flag in args:
                open(args[args.index(flag) + 1], "w").write(text)
                break
        else:
            sys.stdout.write(text)
        sys.exit({exit_code})
    """)


def test_a_report_the_parser_rejects_is_an_error_naming_the_file(project, raw_dir, monkeypatch, tmp_path):
    runner = registry.get("bandit")
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, "this is not json"))
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.ERROR
    assert "bandit.json" in run.detail and "not valid JSON" in run.detail
    assert "\n" not in run.detail


def _bandit_report(errors: list) -> str:
    return json.dumps({"errors": errors, "generated_at": "2026-01-01T00:00:00Z", "metrics": {}, "results": []})


def test_bandit_files_it_could_not_parse_make_the_run_incomplete(project, raw_dir, monkeypatch, tmp_path):
    runner = registry.get("bandit")
    report = _bandit_report([{"filename": "./bad.py", "reason": "syntax error while parsing AST from file"}])
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, report))
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.INCOMPLETE
    assert "1 file(s)" in run.detail and "./bad.py" in run.detail
    assert run.report_path == (raw_dir / "bandit.json").resolve()


def test_bandit_clean_report_passes(project, raw_dir, monkeypatch, tmp_path):
    runner = registry.get("bandit")
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, _bandit_report([])))
    assert runner.run(_target(project), raw_dir, timeout_s=30).status is ToolStatus.PASSED


@pytest.mark.parametrize("document, expected", [
    ({"dependencies": [{"name": "requests", "skip_reason": "Dependency not found on PyPI and could not be audited: requests (2.19.0)"}],
      "fixes": []}, "could not audit 1 of 1 dependencies"),
    ({"dependencies": [], "fixes": []}, "audited no dependencies"),
])
def test_pip_audit_that_checked_nothing_is_incomplete_not_passed(document, expected, project, raw_dir, monkeypatch, tmp_path):
    runner = registry.get("pip-audit")
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, json.dumps(document)))
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.INCOMPLETE
    assert expected in run.detail


def test_pip_audit_network_errors_make_the_run_incomplete(project, raw_dir, monkeypatch, tmp_path):
    document = json.dumps({"dependencies": [{"name": "requests", "version": "2.19.0", "vulns": []}], "fixes": []})
    fake = fake_program(tmp_path, "net", f"""
        import sys
        args = sys.argv[1:]
        open(args[args.index("-o") + 1], "w").write({document!r})
        sys.stderr.write("requests.exceptions.ConnectionError: Max retries exceeded with url\\n")
    """)
    runner = registry.get("pip-audit")
    monkeypatch.setattr(runner, "program", lambda: fake)
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.INCOMPLETE
    assert "network error" in run.detail


def test_pip_audit_uses_no_pip_for_fully_pinned_files(project, raw_dir, monkeypatch, tmp_path):
    seen = tmp_path / "argv.json"
    fake = fake_program(tmp_path, "argv", f"""
        import json, sys
        args = sys.argv[1:]
        json.dump(args, open({str(seen)!r}, "w"))
        open(args[args.index("-o") + 1], "w").write('{{"dependencies": [{{"name": "requests", "version": "2.19.0", "vulns": []}}], "fixes": []}}')
    """)
    runner = registry.get("pip-audit")
    monkeypatch.setattr(runner, "program", lambda: fake)
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.PASSED
    args = json.loads(seen.read_text())
    assert args[:2] == ["-r", "requirements.txt"] and "--disable-pip" in args and "--no-deps" in args
    (project / "requirements.txt").write_text("requests>=2\n")
    runner.run(_target(project), raw_dir, timeout_s=30)
    assert "--disable-pip" not in json.loads(seen.read_text())


@pytest.mark.parametrize("document, expected", [
    ({"error": {"code": "ENOAUDIT", "summary": "Your configured registry does not support audit requests.", "detail": ""}},
     "ENOAUDIT - Your configured registry does not support audit requests."),
    ({"message": "405 Method Not Allowed - POST advisories/bulk", "statusCode": 405, "error": {"summary": "", "detail": ""}},
     "405 Method Not Allowed - POST advisories/bulk"),
])
def test_npm_audit_error_objects_are_incomplete(document, expected, project, raw_dir, monkeypatch, tmp_path):
    runner = registry.get("npm-audit")
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, json.dumps(document), exit_code=1))
    run = runner.run(_target(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.INCOMPLETE and not run.findings
    assert run.detail == f"npm audit could not check the dependencies: {expected}"
    assert run.report_path is not None and run.report_path.is_file()  # the raw answer is kept


def test_semgrep_without_rules_is_not_configured(project, raw_dir, monkeypatch, tmp_path):
    runner = registry.get("semgrep")
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, "{}"))
    run = runner.run(ScanTarget(project, env={"SECPIPE_SEMGREP_RULES": str(tmp_path / "no-rules")}), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.NOT_CONFIGURED
    assert "no-rules" in run.detail


def test_semgrep_file_level_errors_make_the_run_incomplete(project, raw_dir, monkeypatch, tmp_path):
    document = {"version": "1.0.0", "results": [], "paths": {"scanned": ["app.py"]},
                "errors": [{"code": 3, "level": "warn", "type": "Timeout", "path": "app.py", "message": "timeout"}]}
    runner = registry.get("semgrep")
    monkeypatch.setattr(runner, "program", lambda: _writes_report(tmp_path, json.dumps(document)))
    run = runner.run(ScanTarget(project), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.INCOMPLETE
    assert "Timeout" in run.detail and "app.py" in run.detail


@pytest.mark.parametrize("url", ["http://10.0.0.5/", "http://example.invalid/", "http://192.168.1.1:8080/app"])
def test_wapiti_refuses_targets_off_loopback(url, project, raw_dir, monkeypatch, tmp_path):
    called = tmp_path / "called"
    runner = registry.get("wapiti")
    monkeypatch.setattr(runner, "program", lambda: fake_program(tmp_path, "w", f"open({str(called)!r}, 'w')\n"))
    monkeypatch.delenv("SECPIPE_DAST_ALLOW_REMOTE", raising=False)
    run = runner.run(ScanTarget(project, url=url), raw_dir, timeout_s=30)
    assert run.status is ToolStatus.ERROR
    assert "not a loopback address" in run.detail
    assert not called.exists()


def test_wapiti_without_a_url_is_not_configured(project, raw_dir):
    runner = registry.get("wapiti")
    assert not runner.applies(ScanTarget(project))
    assert runner.run(ScanTarget(project), raw_dir, timeout_s=30).status is ToolStatus.NOT_CONFIGURED


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:8000/", True), ("http://127.5.6.7/", True), ("http://localhost:3000/x", True),
    ("http://[::1]:8080/", True), ("http://10.0.0.1/", False), ("http://localhost.example.com/", False),
])
def test_loopback_detection(url, loopback):
    from pipeline.tools.wapiti import is_loopback_url
    assert is_loopback_url(url) is loopback


@pytest.mark.parametrize("files, applies", [
    ({"package.json": '{"name": "x"}', "app.py": "x = 1\n"}, False),
    ({"template.yaml": CFN}, True),
    ({"deploy.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"}, True),
    ({"main.tf": 'resource "aws_s3_bucket" "b" {}\n'}, True),
    ({"Dockerfile": "FROM python:3.11\n"}, True),
    ({".github/workflows/ci.yml": "on: push\njobs: {}\n"}, True),
    ({"config.yaml": "name: not infrastructure\n"}, False),
])
def test_checkov_applies_only_to_infrastructure_code(files, applies, tmp_path):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert registry.get("checkov").applies(ScanTarget(tmp_path)) is applies
