"""The central policy floor (pipeline/policy_floor.py): a repository's `.secpipe.toml`
may tighten the security team's policy, and a loosening setting is refused with a
message naming it and ignored. Read the way the pipeline passes it (environment)."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.finding import Severity
from pipeline.policy import load_policy
from pipeline.policy_floor import CENTRAL_POLICY_ENV, CENTRAL_POLICY_FILE_ENV, CENTRAL_POLICY_SOURCE_ENV, central_policy_from
from pipeline.stages import Stage

CENTRAL = """
[central]
max_suppression_days = 30

[gate]
fail_on = "high"
incomplete = "fail"
missing = "fail"

[gate.max_counts]
medium = 10

[gate.stages.iac]
fail_on = "medium"

[tools.semgrep]
timeout = 600

[[suppress]]
rule = "B101"
path = "tests/**"
reason = "the security team accepts asserts in tests"
expires = 2099-01-01
"""
SOURCE = "ssm:/secpipe/shop/central-policy"


@pytest.fixture
def central(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CENTRAL_POLICY_ENV, CENTRAL)
    monkeypatch.setenv(CENTRAL_POLICY_SOURCE_ENV, SOURCE)
    monkeypatch.delenv(CENTRAL_POLICY_FILE_ENV, raising=False)


def _repo(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".secpipe.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "secpipe.policy" and r.levelno == logging.WARNING]


def test_without_a_central_policy_the_repository_file_is_the_policy(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (CENTRAL_POLICY_ENV, CENTRAL_POLICY_FILE_ENV):
        monkeypatch.delenv(name, raising=False)
    policy = load_policy(_repo(tmp_path, '[gate]\nfail_on = "critical"\n'))
    assert policy.threshold(Stage.SAST).fail_on is Severity.CRITICAL


@pytest.mark.usefixtures("central")
def test_a_repository_without_a_policy_file_gets_the_central_policy(tmp_path: Path) -> None:
    policy = load_policy(tmp_path)
    assert policy.threshold(Stage.SAST).fail_on is Severity.HIGH
    assert policy.threshold(Stage.IAC).fail_on is Severity.MEDIUM
    assert policy.threshold(Stage.SCA).max_counts == {Severity.MEDIUM: 10}
    assert policy.missing == "fail"
    assert [s.rule for s in policy.suppressions] == ["B101"]
    assert SOURCE in policy.source


@pytest.mark.usefixtures("central")
def test_loosening_settings_are_refused_with_a_message_and_the_floor_kept(tmp_path: Path,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    repo = _repo(tmp_path, """
[gate]
fail_on = "critical"
incomplete = "warn"
baseline_branch = "main"
[gate.max_counts]
medium = 500
[gate.stages.iac]
fail_on = "none"
[tools.semgrep]
timeout = 5
""")
    with caplog.at_level(logging.WARNING, logger="secpipe.policy"):
        policy = load_policy(repo)
    assert policy.threshold(Stage.SAST).fail_on is Severity.HIGH
    assert policy.threshold(Stage.IAC).fail_on is Severity.MEDIUM
    assert policy.threshold(Stage.SCA).max_counts == {Severity.MEDIUM: 10}
    assert policy.incomplete == "fail"
    assert policy.baseline_branch is None
    assert policy.timeout("semgrep") == 600
    messages = _refusals(caplog)
    path = str(repo / ".secpipe.toml")
    assert f'{path}: [gate] fail_on = "critical" would loosen the central policy (fail_on = "high"); ignored' in messages
    assert f'{path}: [gate.stages.iac] fail_on = "none" would loosen the central policy (fail_on = "medium"); ignored' \
        in messages
    assert f'{path}: [gate] incomplete = "warn" would loosen the central policy (incomplete = "fail"); ignored' \
        in messages
    assert any("[gate] max_counts.medium = 500" in m and "at most 10" in m for m in messages)
    assert any("[gate] baseline_branch = \"main\"" in m and "no baseline mode" in m for m in messages)
    assert any("[tools.semgrep] timeout = 5" in m for m in messages)
    # One message per refused setting, even when it is refused for every stage.
    assert len(messages) == len(set(messages)) == 6
    assert "6 loosening setting(s) ignored" in policy.source


@pytest.mark.usefixtures("central")
def test_tightening_settings_take_effect(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    repo = _repo(tmp_path, """
[gate]
fail_on = "medium"
[gate.max_counts]
medium = 2
low = 40
[gate.stages.iac]
fail_on = "low"
[tools.semgrep]
timeout = 1200
""")
    with caplog.at_level(logging.WARNING, logger="secpipe.policy"):
        policy = load_policy(repo)
    assert _refusals(caplog) == []
    assert policy.threshold(Stage.SAST).fail_on is Severity.MEDIUM
    assert policy.threshold(Stage.IAC).fail_on is Severity.LOW
    assert policy.threshold(Stage.SCA).max_counts == {Severity.MEDIUM: 2, Severity.LOW: 40}
    assert policy.timeout("semgrep") == 1200
    assert policy.missing == "fail" and policy.incomplete == "fail"  # not set here: the floor's


@pytest.mark.usefixtures("central")
def test_repository_suppressions_may_not_outlast_the_central_limit(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    soon = date.today() + timedelta(days=7)
    repo = _repo(tmp_path, f"""
[[suppress]]
rule = "B105"
reason = "a test fixture password"
expires = {soon.isoformat()}

[[suppress]]
rule = "B602"
reason = "forever is too long"
expires = 2098-12-31
""")
    with caplog.at_level(logging.WARNING, logger="secpipe.policy"):
        policy = load_policy(repo)
    assert sorted(s.rule for s in policy.suppressions) == ["B101", "B105"]
    (message,) = _refusals(caplog)
    assert "rule=B602" in message and "suppressions end within 30 days" in message


def test_a_central_policy_may_forbid_repository_suppressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    central = tmp_path / "central.toml"
    central.write_text('[central]\nrepo_suppressions = false\n[gate]\nfail_on = "low"\n', encoding="utf-8")
    monkeypatch.delenv(CENTRAL_POLICY_ENV, raising=False)
    monkeypatch.delenv(CENTRAL_POLICY_SOURCE_ENV, raising=False)
    monkeypatch.setenv(CENTRAL_POLICY_FILE_ENV, str(central))
    (tmp_path / "repo").mkdir()
    repo = _repo(tmp_path / "repo", '[[suppress]]\nrule = "B101"\nreason = "mine"\nexpires = 2027-01-01\n')
    with caplog.at_level(logging.WARNING, logger="secpipe.policy"):
        policy = load_policy(repo)
    assert policy.suppressions == ()
    assert policy.threshold(Stage.SCA).fail_on is Severity.LOW
    (message,) = _refusals(caplog)
    assert "the repository may not suppress findings" in message
    assert str(central) in policy.source


@pytest.mark.parametrize(("text", "problem"), [
    ("[gate\n", "not valid TOML"),
    ("[central]\nrepo_suppressions = 1\n", "repo_suppressions must be true or false"),
    ("[central]\nwho = 'me'\n", "unknown key(s) who"),
    ('[gate]\nfail_on = "severe"\n', "unknown severity"),
])
def test_a_broken_central_policy_is_a_config_error_naming_it(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        central_policy_from({CENTRAL_POLICY_ENV: text, CENTRAL_POLICY_SOURCE_ENV: SOURCE})
    assert f"central policy {SOURCE}" in str(raised.value)
    assert problem in str(raised.value)


_TEMPLATE_WITH_A_MEDIUM_FINDING = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Unused:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""


def _scan(tmp_path: Path, central: str, repo_policy: str | None) -> subprocess.CompletedProcess[str]:
    """The real CLI on a tree whose one finding is cfn-lint's W2001 (MEDIUM)."""
    tree = tmp_path / "tree"
    (tree / "infra").mkdir(parents=True)
    (tree / "infra" / "app.yaml").write_text(_TEMPLATE_WITH_A_MEDIUM_FINDING)
    if repo_policy is not None:
        (tree / ".secpipe.toml").write_text(repo_policy)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECPIPE_CENTRAL", "AWS_"))}
    env.update({CENTRAL_POLICY_ENV: central, CENTRAL_POLICY_SOURCE_ENV: SOURCE,
                "SECPIPE_HUB_DB": str(tmp_path / "hub.sqlite3")})
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "scan", str(tree), "--tools", "cfn-lint",
                           "--out", str(tmp_path / "out"), "--repo", "acme/shop", "--branch", "main"],
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def cfn_lint() -> None:
    from pipeline.tools import registry
    if registry.get("cfn-lint").missing():
        pytest.skip("cfn-lint is not installed (secpipe tools install cfn-lint)")


@pytest.mark.usefixtures("cfn_lint")
def test_the_scan_refuses_a_loosening_repo_policy_and_says_so(tmp_path: Path) -> None:
    done = _scan(tmp_path, 'gate = { fail_on = "medium" }', '[gate]\nfail_on = "critical"\n')
    assert done.returncode == 1, done.stdout + done.stderr
    assert '[gate] fail_on = "critical" would loosen the central policy (fail_on = "medium"); ignored' in done.stderr
    assert "gate: FAILED" in done.stdout and "1 loosening setting(s) ignored" in done.stdout


@pytest.mark.usefixtures("cfn_lint")
def test_the_scan_applies_a_tightening_repo_policy(tmp_path: Path) -> None:
    floor = 'gate = { fail_on = "critical" }'
    assert _scan(tmp_path / "central-only", floor, None).returncode == 0  # MEDIUM is below the floor's threshold
    done = _scan(tmp_path / "tightened", floor, '[gate]\nfail_on = "medium"\n')
    assert done.returncode == 1, done.stdout + done.stderr
    assert "would loosen" not in done.stderr
