"""sonarqube runner: a fake sonar-scanner + the SonarQube API double on 127.0.0.1."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from pipeline.asff import to_asff
from pipeline.tools import sonar_client, sonarqube
from pipeline.tools.base import ScanTarget, ToolStatus
from pipeline.tools.sonar_client import SonarApiError, SonarClient, basic_token_header
from tests.conftest import assert_valid_asff
from tests.tools.doubles.server import serving
from tests.tools.doubles.sonarqube import SonarHandler, SonarState, make_hotspot, make_issue
from tests.tools.fakes import empty_path, fake_bin, install_fake, recorded_call  # noqa: F401 - fixtures

TOKEN = "squ_0123456789abcdef0123456789abcdef01234567"
PROJECT = "team:payments-api"
BRANCH = "feature/x&y#1"  # & and # end a hand-built query string early

FAKE_SCANNER = """
props = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("-D"))
if os.environ.get("FAKE_ECHO_TOKEN"):
    print("DEBUG: sonar.token=" + os.environ["SONAR_TOKEN"])
    print("ERROR: Not authorized, token " + os.environ["SONAR_TOKEN"] + " rejected", file=sys.stderr)
    sys.exit(2)
print("INFO: Analysis report uploaded in 212ms")
with open(props["sonar.scanner.metadataFilePath"], "w") as meta:
    meta.write("projectKey=" + props.get("sonar.projectKey", "from-properties-file") + "\\n")
    meta.write("serverUrl=" + props["sonar.host.url"] + "\\n")
    meta.write("ceTaskId=" + os.environ["FAKE_TASK_ID"] + "\\n")
    meta.write("ceTaskUrl=" + props["sonar.host.url"] + "/api/ce/task?id=" + os.environ["FAKE_TASK_ID"] + "\\n")
"""


def sonar_state(**overrides) -> SonarState:
    issues = ([make_issue(n, PROJECT, "VULNERABILITY", "CRITICAL") for n in range(4)]
              + [make_issue(n, PROJECT, "BUG") for n in range(4, 7)]
              + [make_issue(n, PROJECT, "CODE_SMELL", "MINOR") for n in range(7, 10)]
              + [make_issue(10, PROJECT, "VULNERABILITY", resolved=True)])
    hotspots = [make_hotspot(n, PROJECT) for n in range(4)] + [make_hotspot(9, PROJECT, status="REVIEWED")]
    state = SonarState(token=TOKEN, project_key=PROJECT, branch=BRANCH, issues=issues, hotspots=hotspots)
    for key, value in overrides.items():
        setattr(state, key, value)
    return state


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("print('hello')\n")
    return src


def settings(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"SONAR_HOST_URL": url, "SONAR_TOKEN": TOKEN, "SONAR_PROJECT_KEY": PROJECT, "SONAR_BRANCH": BRANCH,
            "SONAR_ISSUE_TYPES": "VULNERABILITY,BUG", "SONAR_PAGE_SIZE": "3", "SONAR_POLL_SECONDS": "0.01",
            "FAKE_TASK_ID": "AY-task-1", "FAKE_RECORD": str(tmp_path / "scanner-call.json"), **extra}


@pytest.fixture(autouse=True)
def no_ambient_sonar(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SONAR_HOST_URL", "SONAR_TOKEN", "SONAR_TOKEN_PARAMETER", "SONAR_PROJECT_KEY", "SONAR_BRANCH"):
        monkeypatch.delenv(name, raising=False)


def all_text(raw_dir: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in raw_dir.rglob("*") if p.is_file())


def test_full_run_fetches_every_page_with_filters_and_the_gate(fake_bin, project, tmp_path, context):
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    state = sonar_state()
    raw = tmp_path / "raw"
    with serving(SonarHandler, state) as url:
        run = sonarqube.SonarQubeRunner().run(ScanTarget(project, env=settings(url, tmp_path)), raw, timeout_s=60)

    assert run.status is ToolStatus.FINDINGS, run.detail
    # 7 open VULNERABILITY/BUG issues over 3 pages (the resolved one and CODE_SMELLs filtered out) + 4 hotspots to review
    assert len(run.findings) == 11
    assert {f.rule_id for f in run.findings} >= {"python:S5000", "python:S5006"}
    issue_pages = state.calls_to("/api/issues/search")
    assert [q["p"] for q in issue_pages] == [["1"], ["2"], ["3"]]
    assert all(q["branch"] == [BRANCH] and q["types"] == ["VULNERABILITY,BUG"] for q in issue_pages)
    assert [q["p"] for q in state.calls_to("/api/hotspots/search")] == [["1"], ["2"]]
    assert state.task_polls == 3
    assert run.detail == "quality gate ERROR"
    gate = json.loads((raw / sonarqube.GATE_REPORT).read_text())
    assert gate["projectStatus"]["status"] == "ERROR" and gate["analysisId"] == "AY-analysis-1"
    report = json.loads((raw / sonarqube.REPORT).read_text())
    assert len(report["issues"]) == 7 and len(report["hotspots"]) == 4
    # the token went to the API only as a Basic-auth header, and to the scanner only through its environment
    assert all(headers.get("Authorization") == basic_token_header(TOKEN) for _, _, headers in state.requests)
    call = recorded_call(tmp_path / "scanner-call.json")
    assert call["env"]["SONAR_TOKEN"] == TOKEN
    assert TOKEN not in " ".join(call["argv"])
    assert f"-Dsonar.projectKey={PROJECT}" in call["argv"] and f"-Dsonar.branch.name={BRANCH}" in call["argv"]
    work = next(a for a in call["argv"] if a.startswith("-Dsonar.working.directory="))
    assert not work.split("=", 1)[1].startswith(str(project))  # nothing written into the scanned tree
    assert TOKEN not in all_text(raw)
    assert_valid_asff([to_asff(f, context) for f in run.findings])


def test_not_configured_without_host_or_token(fake_bin, project, tmp_path):
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    runner = sonarqube.SonarQubeRunner()
    no_host = runner.run(ScanTarget(project, env={"SONAR_TOKEN": TOKEN}), tmp_path / "raw", timeout_s=10)
    no_token = runner.run(ScanTarget(project, env={"SONAR_HOST_URL": "http://127.0.0.1:9"}), tmp_path / "raw", 10)
    assert no_host.status is no_token.status is ToolStatus.NOT_CONFIGURED
    assert "SONAR_HOST_URL" in no_host.detail


def test_not_installed_when_no_scanner(empty_path, project, tmp_path):
    runner = sonarqube.SonarQubeRunner()
    run = runner.run(ScanTarget(project, env={"SONAR_HOST_URL": "http://127.0.0.1:9", "SONAR_TOKEN": TOKEN}),
                     tmp_path / "raw", timeout_s=10)
    assert run.status is ToolStatus.NOT_INSTALLED
    assert run.detail == runner.missing() == "sonar-scanner is not installed (runs in CodeBuild)"


def test_token_printed_by_the_scanner_is_masked(fake_bin, project, tmp_path):
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    raw = tmp_path / "raw"
    with serving(SonarHandler, sonar_state()) as url:
        run = sonarqube.SonarQubeRunner().run(
            ScanTarget(project, env=settings(url, tmp_path, FAKE_ECHO_TOKEN="1")), raw, timeout_s=60)
    assert run.status is ToolStatus.ERROR
    assert "exited with code 2" in run.detail and "Not authorized" in run.detail
    assert TOKEN not in run.detail
    log = (raw / sonarqube.SCANNER_LOG).read_text()
    assert "DEBUG: sonar.token=" in log and TOKEN not in log


@mock_aws
def test_token_from_ssm_securestring_never_appears(fake_bin, project, tmp_path, monkeypatch, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(key, value)
    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/secpipe/sonar-token", Value=TOKEN, Type="SecureString")
    caplog.clear()  # the test's own put_parameter request is not the runner's doing
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    env = settings("", tmp_path, SONAR_TOKEN_PARAMETER="/secpipe/sonar-token")
    del env["SONAR_TOKEN"]
    raw = tmp_path / "raw"
    state = sonar_state()
    with serving(SonarHandler, state) as url:
        env["SONAR_HOST_URL"] = url
        run = sonarqube.SonarQubeRunner().run(ScanTarget(project, env=env), raw, timeout_s=60)

    assert run.status is ToolStatus.FINDINGS, run.detail
    assert state.requests and all(h.get("Authorization") == basic_token_header(TOKEN) for _, _, h in state.requests)
    call = recorded_call(tmp_path / "scanner-call.json")
    assert call["env"]["SONAR_TOKEN"] == TOKEN and TOKEN not in " ".join(call["argv"])
    out = capsys.readouterr()
    assert TOKEN not in run.detail + caplog.text + out.out + out.err + all_text(raw)
    assert all(TOKEN not in repr(f) for f in run.findings)


@mock_aws
def test_plain_string_parameter_is_refused(fake_bin, project, tmp_path, monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(key, value)
    boto3.client("ssm", region_name="eu-west-1").put_parameter(Name="/plain", Value=TOKEN, Type="StringList")
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    run = sonarqube.SonarQubeRunner().run(
        ScanTarget(project, env={"SONAR_HOST_URL": "http://127.0.0.1:9", "SONAR_TOKEN_PARAMETER": "/plain"}),
        tmp_path / "raw", timeout_s=10)
    assert run.status is ToolStatus.ERROR
    assert run.detail == "SSM parameter /plain is a StringList, not a SecureString: store the SonarQube token encrypted"
    missing = sonarqube.SonarQubeRunner().run(
        ScanTarget(project, env={"SONAR_HOST_URL": "http://127.0.0.1:9", "SONAR_TOKEN_PARAMETER": "/absent"}),
        tmp_path / "raw", timeout_s=10)
    assert missing.status is ToolStatus.ERROR and "ParameterNotFound" in missing.detail


def test_failed_and_stuck_analysis_tasks_are_errors(fake_bin, project, tmp_path, monkeypatch):
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    with serving(SonarHandler, sonar_state(task_statuses=["IN_PROGRESS", "FAILED"])) as url:
        failed = sonarqube.SonarQubeRunner().run(ScanTarget(project, env=settings(url, tmp_path, SONAR_TASK_TIMEOUT="0.3")),
                                                 tmp_path / "raw", timeout_s=60)
    state = sonar_state(task_statuses=["IN_PROGRESS"])
    with serving(SonarHandler, state) as url:
        stuck = sonarqube.SonarQubeRunner().run(ScanTarget(project, env=settings(url, tmp_path, SONAR_TASK_TIMEOUT="0.3")),
                                                tmp_path / "raw2", timeout_s=60)
    assert failed.status is ToolStatus.ERROR and "ended FAILED: Unsupported language plugin" in failed.detail
    assert stuck.status is ToolStatus.ERROR and "still IN_PROGRESS" in stuck.detail
    assert not state.calls_to("/api/issues/search")  # stale results of an older analysis are not fetched
    assert not (tmp_path / "raw2" / sonarqube.REPORT).exists()


def test_search_window_cut_is_incomplete(fake_bin, project, tmp_path, monkeypatch):
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    monkeypatch.setattr(sonar_client, "SEARCH_WINDOW", 6)
    with serving(SonarHandler, sonar_state()) as url:
        run = sonarqube.SonarQubeRunner().run(ScanTarget(project, env=settings(url, tmp_path)),
                                              tmp_path / "raw", timeout_s=60)
    assert run.status is ToolStatus.INCOMPLETE
    assert "issues stopped at SonarQube's 10000-result search window (6 of 7)" in run.detail
    assert run.detail.endswith("quality gate ERROR")
    assert len(run.findings) == 6 + 4


def test_client_rejects_wrong_token_without_echoing_it():
    with serving(SonarHandler, sonar_state()) as url:
        client = SonarClient(url, "wrong-token-value-123456")
        with pytest.raises(SonarApiError, match=r"refused the token for api/issues/search \(HTTP 401\)") as err:
            client.issues(PROJECT)
    assert "wrong-token-value" not in str(err.value)


def test_client_reports_unreachable_server():
    with pytest.raises(SonarApiError, match="not reachable"):
        SonarClient("http://127.0.0.1:9", TOKEN, request_timeout_s=2).task("x")


def test_project_key_from_sonar_project_properties(fake_bin, project, tmp_path):
    install_fake(fake_bin, "sonar-scanner", FAKE_SCANNER)
    (project / "sonar-project.properties").write_text("sonar.projectKey=from-properties-file\nsonar.sources=.\n")
    state = sonar_state(project_key="from-properties-file", branch=None,
                        issues=[make_issue(1, "from-properties-file", "BUG")], hotspots=[])
    env = settings("", tmp_path)
    for name in ("SONAR_PROJECT_KEY", "SONAR_BRANCH"):
        del env[name]
    with serving(SonarHandler, state) as url:
        env["SONAR_HOST_URL"] = url
        run = sonarqube.SonarQubeRunner().run(ScanTarget(project, env=env), tmp_path / "raw", timeout_s=60)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert [f.rule_id for f in run.findings] == ["python:S5001"]
    argv = recorded_call(tmp_path / "scanner-call.json")["argv"]
    assert not any(a.startswith(("-Dsonar.projectKey=", "-Dsonar.branch.name=")) for a in argv)
