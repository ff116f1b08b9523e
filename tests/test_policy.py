"""Policy files: every key read, every mistake a one-line ConfigError."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.finding import Category, CodeLocation, Finding, Severity
from pipeline.policy import Policy, load_policy, parse_policy
from pipeline.stages import Stage


def test_defaults_fail_on_high_and_fail_incomplete(tmp_path: Path) -> None:
    policy = load_policy(tmp_path)
    assert policy.threshold(Stage.SAST).fail_on is Severity.HIGH
    assert policy.incomplete == "fail"
    assert policy.source == "built-in defaults"


def test_reads_secpipe_toml_with_stage_overrides(tmp_path: Path) -> None:
    (tmp_path / ".secpipe.toml").write_text("""
[gate]
fail_on = "medium"
incomplete = "warn"
baseline_branch = "main"
[gate.max_counts]
low = 3
[gate.stages.sca]
fail_on = "critical"
[tools.semgrep]
timeout = 120
[[suppress]]
rule = "B101"
path = "tests/**"
reason = "pytest uses assert"
expires = 2027-06-30
""")
    policy = load_policy(tmp_path)
    assert policy.threshold(Stage.SAST).fail_on is Severity.MEDIUM
    assert policy.threshold(Stage.SCA).fail_on is Severity.CRITICAL
    assert policy.threshold(Stage.SCA).max_counts == {Severity.LOW: 3}, "stage tables inherit the default limits"
    assert policy.incomplete == "warn"
    assert policy.baseline_branch == "main"
    assert policy.timeout("semgrep") == 120 and policy.timeout("bandit") == 900
    [suppression] = policy.suppressions
    assert suppression.expires == date(2027, 6, 30)


def test_reads_tool_secpipe_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.secpipe.gate]\nfail_on = "none"\n')
    policy = load_policy(tmp_path)
    assert policy.threshold(Stage.IAC).fail_on is None


@pytest.mark.parametrize("text, message", [
    ('[gate]\nfail_on = "severe"\n', "unknown severity"),
    ('[gate]\nincomplete = "ignore"\n', "incomplete must be one of"),
    ('[gate]\nthreshold = "high"\n', "unknown key(s) threshold"),
    ('[gate.stages.build]\nfail_on = "high"\n', "unknown stage"),
    ('[[suppress]]\nrule = "B101"\nexpires = 2027-01-01\n', "needs a reason"),
    ('[[suppress]]\nrule = "B101"\nreason = "ok"\n', "needs an expires date"),
    ('[[suppress]]\nreason = "ok"\nexpires = 2027-01-01\n', "needs at least one of id, rule or path"),
    ('[gate.max_counts]\nhigh = -1\n', "whole number"),
    ('[gate\n', "not valid TOML"),
])
def test_bad_policy_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / ".secpipe.toml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_policy(tmp_path)
    assert message in str(caught.value)
    assert ".secpipe.toml" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_suppression_matching_by_rule_path_tool_and_id() -> None:
    policy = parse_policy({"suppress": [
        {"rule": "B101", "path": "tests/**", "reason": "r", "expires": date(2030, 1, 1)},
        {"id": "bandit/B602/abc", "reason": "r", "expires": date(2030, 1, 1)},
        {"tool": "semgrep", "path": "vendor/*", "reason": "r", "expires": date(2030, 1, 1)},
    ]})
    by_rule, by_id, by_tool = policy.suppressions
    in_tests = Finding("bandit", "B101", "t", Severity.LOW, Category.SAST, code_locations=[CodeLocation("./tests/test_x.py", 3)])
    in_app = Finding("bandit", "B101", "t", Severity.LOW, Category.SAST, code_locations=[CodeLocation("app.py", 3)])
    assert by_rule.matches(in_tests, "id") and not by_rule.matches(in_app, "id")
    assert by_id.matches(in_app, "bandit/B602/abc") and not by_id.matches(in_app, "other")
    vendored = Finding("semgrep", "r", "t", Severity.LOW, Category.SAST, code_locations=[CodeLocation("vendor\\lib.js", 1)])
    assert by_tool.matches(vendored, "x") and not by_tool.matches(in_app, "x")


def test_expired_suppressions_are_separated(tmp_path: Path) -> None:
    policy = parse_policy({"suppress": [
        {"rule": "A", "reason": "old", "expires": date(2020, 1, 1)},
        {"rule": "B", "reason": "new", "expires": date(2030, 1, 1)},
    ]})
    today = date(2026, 11, 27)
    assert [s.rule for s in policy.active_suppressions(today)] == ["B"]
    assert [s.rule for s in policy.expired_suppressions(today)] == ["A"]
    assert isinstance(policy, Policy)


def test_fail_on_flag_replaces_every_threshold_and_keeps_the_rest(tmp_path: Path) -> None:
    import argparse

    from pipeline.commands.scan import _policy

    (tmp_path / ".secpipe.toml").write_text(
        '[gate]\nfail_on = "medium"\nincomplete = "warn"\n[gate.max_counts]\nlow = 3\n'
        '[gate.stages.sca]\nfail_on = "critical"\n')
    args = argparse.Namespace(policy=None, fail_on="none")
    policy = _policy(args, tmp_path)
    assert policy.threshold(Stage.SCA).fail_on is None and policy.threshold(Stage.SAST).fail_on is None
    assert policy.threshold(Stage.SAST).max_counts == {Severity.LOW: 3}
    assert policy.incomplete == "warn" and policy.source.endswith(".secpipe.toml")
    args.fail_on = "critical"
    assert _policy(args, tmp_path).threshold(Stage.IAC).fail_on is Severity.CRITICAL
