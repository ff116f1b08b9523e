"""Real scanner runs against small targets written here. Each skips, saying how
to install the scanner, when it is not on the machine."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from pipeline.tools.base import ScanTarget, ToolStatus
from tests.tools.conftest import installed

pytestmark = pytest.mark.scanner

VULNERABLE_PY = """\
import subprocess


def run(user_input):
    return subprocess.call("ls " + user_input, shell=True)
"""
BROKEN_PY = "def broken(:\n    pass\n"
INSECURE_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OpenSsh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh from anywhere
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
      Tags:
        - Key: owner
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_bandit_finds_shell_injection_and_skips_vendored_dirs(tmp_path, raw_dir):
    runner = installed("bandit")
    root = _write(tmp_path / "src", {"app.py": VULNERABLE_PY, ".venv/lib/dep.py": VULNERABLE_PY,
                                     "node_modules/pkg/x.py": VULNERABLE_PY})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert "B602" in {f.rule_id for f in run.findings}
    assert {f.code_locations[0].path for f in run.findings} == {"./app.py"}
    assert run.report_path == (raw_dir / "bandit.json").resolve() and run.report_path.is_file()


def test_bandit_unparsable_file_makes_it_incomplete(tmp_path, raw_dir):
    runner = installed("bandit")
    root = _write(tmp_path / "src", {"app.py": VULNERABLE_PY, "broken.py": BROKEN_PY})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.INCOMPLETE
    assert "broken.py" in run.detail
    assert run.findings, "what bandit did check still counts"


def test_bandit_clean_code_passes(tmp_path, raw_dir):
    runner = installed("bandit")
    root = _write(tmp_path / "src", {"app.py": "def add(a, b):\n    return a + b\n"})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.PASSED, run.detail
    assert run.findings == []


def test_semgrep_runs_offline_with_given_rules_and_plain_rule_ids(tmp_path, raw_dir):
    runner = installed("semgrep")
    rules = _write(tmp_path / "rules", {"python.yaml": """\
rules:
  - id: shell-true
    languages: [python]
    severity: ERROR
    message: subprocess with shell=True
    pattern: subprocess.call(..., shell=True)
    metadata: {cwe: ["CWE-78: OS Command Injection"]}
"""})
    root = _write(tmp_path / "src", {"app.py": VULNERABLE_PY})
    run = runner.run(ScanTarget(root, env={"SECPIPE_SEMGREP_RULES": str(rules)}), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert [f.rule_id for f in run.findings] == ["shell-true"]  # no machine-specific path prefix
    assert run.findings[0].code_locations[0].path == "app.py"
    assert run.findings[0].cwes == [78]


def test_semgrep_with_the_bundled_rules(tmp_path, raw_dir):
    runner = installed("semgrep")
    from pipeline.tools.semgrep import BUNDLED_RULES
    if not BUNDLED_RULES.is_dir():
        pytest.skip(f"no bundled rules at {BUNDLED_RULES}")
    root = _write(tmp_path / "src", {"app.py": "def add(a, b):\n    return a + b\n"})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.PASSED, run.detail


def test_semgrep_invalid_rules_are_an_error(tmp_path, raw_dir):
    runner = installed("semgrep")
    rules = _write(tmp_path / "rules", {"bad.yaml": "rules:\n  - id: x\n    pattern: [\n"})
    root = _write(tmp_path / "src", {"app.py": VULNERABLE_PY})
    run = runner.run(ScanTarget(root, env={"SECPIPE_SEMGREP_RULES": str(rules)}), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.ERROR
    assert "Invalid YAML" in run.detail


@pytest.mark.slow
def test_checkov_finds_cloudformation_misconfigurations(tmp_path, raw_dir):
    runner = installed("checkov")
    root = _write(tmp_path / "iac", {"template.yaml": INSECURE_TEMPLATE, "node_modules/x/t.yaml": INSECURE_TEMPLATE})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=600)
    assert run.status is ToolStatus.FINDINGS, run.detail
    rules = {f.rule_id for f in run.findings}
    assert "CKV_AWS_24" in rules  # port 22 open to the world
    assert all("node_modules" not in (f.iac_location.template if f.iac_location else "") for f in run.findings)


def test_cfn_lint_only_on_templates_and_flags_bad_values(tmp_path, raw_dir):
    runner = installed("cfn-lint")
    root = _write(tmp_path / "iac", {
        "template.yaml": INSECURE_TEMPLATE.replace("FromPort: 22", "FromPort: twenty-two"),
        "config.yaml": "name: not a template\nitems: [1, 2]\n",
        "node_modules/pkg/template.yaml": INSECURE_TEMPLATE,
    })
    assert runner.applies(ScanTarget(root))
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert {f.iac_location.template for f in run.findings if f.iac_location} == {"template.yaml"}
    assert not runner.applies(ScanTarget(_write(tmp_path / "none", {"config.yaml": "a: 1\n"})))


def test_cfn_lint_unparsable_template_is_incomplete(tmp_path, raw_dir):
    runner = installed("cfn-lint")
    root = _write(tmp_path / "iac", {"broken.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  X: {Type: AWS::S3::Bucket\n  : [\n'})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.INCOMPLETE
    assert "broken.yaml" in run.detail


def test_pip_audit_never_passes_what_it_could_not_check(tmp_path, raw_dir):
    """Here pip-audit cannot reach its vulnerability data: it says "No known
    vulnerabilities found" and exits 0. That must come out INCOMPLETE."""
    runner = installed("pip-audit")
    root = _write(tmp_path / "py", {"requirements.txt": "requests==2.19.0\ndjango==2.2.0\n"})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=600)
    assert run.status is not ToolStatus.PASSED
    if run.status is ToolStatus.INCOMPLETE:
        assert "could not audit" in run.detail or "network" in run.detail or "no dependencies" in run.detail
    else:  # a machine that reaches the advisory data finds the old pins' CVEs
        assert run.status is ToolStatus.FINDINGS, run.detail
        assert {p.name.lower() for f in run.findings for p in f.packages} & {"requests", "django"}
    assert run.report_path is not None and run.report_path.is_file()


def test_npm_audit_never_passes_without_an_audit(tmp_path, raw_dir):
    """Here the registry refuses audit requests: npm's error comes out as INCOMPLETE (never clean).
    The lock file is made in a copy; the target is left as it was."""
    runner = installed("npm-audit")
    root = _write(tmp_path / "js", {"package.json": '{"name": "t", "version": "1.0.0", "dependencies": {"minimist": "0.0.8"}}\n'})
    run = runner.run(ScanTarget(root), raw_dir, timeout_s=600)
    assert sorted(p.name for p in root.iterdir()) == ["package.json"]
    assert run.status in (ToolStatus.INCOMPLETE, ToolStatus.ERROR, ToolStatus.FINDINGS), run.detail
    if run.status is ToolStatus.INCOMPLETE:
        assert run.detail.startswith("npm audit could not check the dependencies: ")
    elif run.status is ToolStatus.ERROR:
        assert run.detail.startswith("could not make a package-lock.json")
    else:
        assert "minimist" in {p.name for f in run.findings for p in f.packages}


class _VulnerableApp(BaseHTTPRequestHandler):
    """Reflects ?name= unescaped: a textbook reflected XSS."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        url = urlsplit(self.path)
        if url.path == "/":
            body = '<html><body><a href="/hello?name=bob">hello</a></body></html>'
        elif url.path == "/hello":
            body = f"<html><body>Hello {parse_qs(url.query).get('name', [''])[0]}</body></html>"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def vulnerable_app() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VulnerableApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_wapiti_finds_reflected_xss_on_loopback(vulnerable_app, tmp_path, raw_dir):
    runner = installed("wapiti")
    run = runner.run(ScanTarget(tmp_path, url=vulnerable_app), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    xss = [f for f in run.findings if f.rule_id == "Cross Site Scripting"]
    assert xss and xss[0].web_locations[0].parameter == "name"
    assert (raw_dir / "wapiti.json").is_file()


def test_wapiti_unreachable_target_is_an_error(tmp_path, raw_dir):
    runner = installed("wapiti")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VulnerableApp)
    port = server.server_address[1]
    server.server_close()  # the port is now (almost certainly) closed
    run = runner.run(ScanTarget(tmp_path, url=f"http://127.0.0.1:{port}/"), raw_dir, timeout_s=300)
    assert run.status is ToolStatus.ERROR
    assert "could not connect" in run.detail
