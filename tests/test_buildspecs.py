"""The CodeBuild buildspecs: valid 0.2 YAML whose `secpipe` lines parse with the real
CLI parser (so a renamed flag or subcommand breaks this test), gates that are
never hidden, secrets that never reach a command line, JUnit where the scan
writes it, and the post_build step that archives the output."""
from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

import reports
from pipeline.cli import build_parser
from pipeline.stages import Stage
from pipeline.tools import registry
from pipeline.tools.install import load_lock
from tests.aws_files import (ALL_BUILDSPECS, BUILDSPECS, STAGE_BUILDSPECS, commands, load_buildspec,
                             variables_used)

# Values for the variables the buildspecs expand, as CodeBuild and the pipeline would set them.
SAMPLE_ENVIRONMENT = {
    "SECPIPE_SCAN_PATH": ".",
    "DAST_TARGET_URL": "https://staging.example.com/",
    "APPROVAL_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:secpipe-approval",
    "CODEBUILD_SRC_DIR_ScaReports": "/codebuild/output/src1/ScaReports",
    "CODEBUILD_SRC_DIR_SastReports": "/codebuild/output/src2/SastReports",
    "CODEBUILD_SRC_DIR_IacReports": "/codebuild/output/src3/IacReports",
    "CODEBUILD_SRC_DIR_DastReports": "/codebuild/output/src4/DastReports",
}
OUT_DIR = "secpipe-out"
SECRET_VARIABLES = {"SONAR_TOKEN", "NVD_API_KEY", "ZAP_API_KEY"}
# How a stage's scanners that `secpipe tools install` does not handle get installed:
# a text the buildspec must contain for each registered runner of its stage.
NON_PIP_INSTALLS = {
    "dependency-check": "dependency-check-${DEPENDENCY_CHECK_VERSION}-release.zip",
    "sonarqube": "sonar-scanner-cli-${SONAR_SCANNER_VERSION}-linux-x64.zip",
    "phpstan": "phpstan/phpstan:${PHPSTAN_VERSION}",
    "cfn-nag": "gem install cfn-nag",
    "zap": "zap.sh",
    "npm-audit": "nodejs:",
}
# Registered scanners a stage's buildspec leaves out on purpose (they report "not
# installed" there, which the policy's `missing` setting decides on).
NOT_IN_CODEBUILD = {
    "wapiti": "the loopback DAST scanner for laptops and CI; ZAP is the CodeBuild DAST scanner",
}


def _text(name: str) -> str:
    return (BUILDSPECS / name).read_text(encoding="utf-8")


def _secpipe_lines(name: str) -> list[str]:
    return [line for _, line in commands(load_buildspec(name)) if line.startswith("secpipe ")]


def _parse(line: str):
    """The line's arguments as the real CLI parses them, shell variables replaced by samples."""
    def substitute(match: re.Match[str]) -> str:
        variable = match.group(1) or match.group(2)
        assert variable in SAMPLE_ENVIRONMENT, f"no sample value for ${variable} in {line!r}"
        return SAMPLE_ENVIRONMENT[variable]

    expanded = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", substitute, line)
    argv = shlex.split(expanded)
    assert argv[0] == "secpipe"
    try:
        return build_parser().parse_args(argv[1:])
    except SystemExit as exc:  # argparse's way of saying the line is wrong
        pytest.fail(f"`{line}` does not parse with the secpipe CLI (exit {exc.code})")


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_buildspec_is_version_0_2_with_phases(name: str) -> None:
    spec = load_buildspec(name)
    assert str(spec["version"]) == "0.2"
    assert spec["env"]["shell"] == "bash"  # the archive step and ${VAR//...} need bash
    assert commands(spec), "a buildspec without commands"
    assert spec["phases"]["install"]["commands"][0] == "python -m pip install --quiet --no-cache-dir ."


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_every_secpipe_line_parses_with_the_real_cli(name: str) -> None:
    lines = _secpipe_lines(name)
    assert lines, f"{name} never calls secpipe"
    for line in lines:
        _parse(line)


@pytest.mark.parametrize("stage", sorted(STAGE_BUILDSPECS))
def test_stage_buildspec_scans_its_stage_into_security_hub(stage: str) -> None:
    scans = [_parse(line) for line in _secpipe_lines(STAGE_BUILDSPECS[stage]) if line.startswith("secpipe scan ")]
    assert len(scans) == 1
    args = scans[0]
    assert args.stages == stage
    assert args.hub == "securityhub"
    assert args.out == OUT_DIR
    assert args.path == SAMPLE_ENVIRONMENT["SECPIPE_SCAN_PATH"]
    assert args.fail_on is None, "the gate's threshold belongs in the scanned project's policy file"
    if stage == "dast":
        assert args.target == SAMPLE_ENVIRONMENT["DAST_TARGET_URL"]
    else:
        assert args.target is None
    # The scan is the build phase's command: its exit code (the gate) is the phase's.
    build = [line for phase, line in commands(load_buildspec(STAGE_BUILDSPECS[stage])) if phase == "build"]
    assert build and build[-1].startswith("secpipe scan ")


@pytest.mark.parametrize("stage", sorted(STAGE_BUILDSPECS))
def test_stage_installs_every_scanner_of_its_stage_and_no_other(stage: str) -> None:
    """`secpipe tools install` installs the pinned scanners and checks the others are
    present; each stage names exactly its registered scanners."""
    name = STAGE_BUILDSPECS[stage]
    installs = [_parse(line) for line in _secpipe_lines(name) if line.startswith("secpipe tools install")]
    named = [tool for args in installs for tool in args.tool]
    assert named, f"{name} installs no scanner"
    expected = {runner.name for runner in registry.for_stage(Stage(stage))} - set(NOT_IN_CODEBUILD)
    assert sorted(named) == sorted(expected), f"{name} installs {sorted(named)}, the {stage} scanners are {sorted(expected)}"
    pinned = load_lock()
    text = _text(name)
    for tool in named:
        if tool not in pinned:
            # secpipe only checks it is there: the buildspec must put it there first.
            assert NON_PIP_INSTALLS[tool] in text, f"{name} never installs {tool}"
    # The presence check runs after the downloads, at the end of the install phase.
    install_lines = [line for phase, line in commands(load_buildspec(name)) if phase == "install"]
    assert install_lines[-1].startswith("secpipe tools install "), f"{name}: check the scanners after installing them"


def test_approval_sends_one_email_with_every_stage_summary_over_sns() -> None:
    (sent,) = [_parse(line) for line in _secpipe_lines("approval.yml")]
    assert sent.command == "approval" and sent.action == "send"
    assert sent.via == "sns"
    assert sent.topic_arn == SAMPLE_ENVIRONMENT["APPROVAL_TOPIC_ARN"]
    assert not sent.dry_run
    summaries = [str(path) for path in sent.summary]
    expected = [f"{SAMPLE_ENVIRONMENT[f'CODEBUILD_SRC_DIR_{artifact}']}/summary.json"
                for artifact in ("ScaReports", "SastReports", "IacReports", "DastReports")]
    assert summaries == expected


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_commands_are_valid_bash(name: str, tmp_path: Path) -> None:
    """Buildspec 0.2 runs every command in one bash; `bash -n` catches a quoting slip."""
    spec = load_buildspec(name)
    script = "\n".join(str(command) for phase in spec["phases"].values() for command in phase.get("commands", []))
    (tmp_path / "buildspec.sh").write_text(script + "\n", encoding="utf-8")
    done = subprocess.run(["bash", "-n", str(tmp_path / "buildspec.sh")], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_no_failure_is_hidden(name: str) -> None:
    for _, line in commands(load_buildspec(name)):
        compact = " ".join(line.split())
        for hider in ("|| echo", "|| true", "|| :", "; true", "set +e"):
            assert hider not in compact, f"{name}: `{line}` hides a failure ({hider})"


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_secrets_come_from_parameter_store_and_never_reach_a_command(name: str) -> None:
    spec = load_buildspec(name)
    text = _text(name)
    for literal in (r"\bsq[pau]_[0-9a-f]{20,}", r"\bAKIA[0-9A-Z]{16}\b",
                    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                    r"sonar\.(login|token|password)=", r"--nvdApiKey"):
        assert not re.search(literal, text), f"{name} contains a credential or passes one as an argument ({literal})"
    parameters = (spec.get("env") or {}).get("parameter-store") or {}
    for variable, parameter in parameters.items():
        assert variable in SECRET_VARIABLES
        assert parameter.startswith("/secpipe/")
    for _, line in commands(spec):
        used = variables_used(line) & SECRET_VARIABLES
        # ZAP's per-build key is made here and only handed to ZAP and its readiness probe.
        allowed = {"ZAP_API_KEY"} if any(word in line for word in ("zap.sh", "openssl rand", "X-ZAP-API-Key")) else set()
        assert used <= allowed, f"{name}: `{line}` puts {used - allowed} on a command line"
        assert not re.match(r"(echo|printf|cat)\b", line) or not used, f"{name}: `{line}` prints a secret"


def test_sonar_token_and_nvd_key_are_where_the_scanners_read_them() -> None:
    assert load_buildspec("sast.yml")["env"]["parameter-store"] == {"SONAR_TOKEN": "/secpipe/sonar-token"}
    assert load_buildspec("sca.yml")["env"]["parameter-store"] == {"NVD_API_KEY": "/secpipe/nvd-api-key"}


@pytest.mark.parametrize("name", STAGE_BUILDSPECS.values())
def test_junit_report_group_and_artifacts_are_the_scan_outputs(name: str) -> None:
    spec = load_buildspec(name)
    junit = reports.registry.get("junit").filename
    assert junit == "junit.xml"
    (group, report), = spec["reports"].items()
    assert group == "secpipe"  # the template's report groups are <project>-secpipe
    assert report["file-format"] == "JUNITXML"
    assert report["base-directory"] == OUT_DIR
    assert report["files"] == [junit]
    assert spec["artifacts"]["base-directory"] == OUT_DIR
    assert spec["artifacts"]["files"] == ["**/*"]
    post = [line for phase, line in commands(spec) if phase == "post_build"]
    assert post == [f"bash buildspecs/archive-reports.sh {OUT_DIR}"]


def test_downloaded_scanners_are_pinned_and_verified() -> None:
    for name, version_variable, signed in (("sca.yml", "DEPENDENCY_CHECK_VERSION", True),
                                           ("sast.yml", "SONAR_SCANNER_VERSION", True),
                                           ("sast.yml", "PHPSTAN_VERSION", False),
                                           ("iac.yml", "CFN_NAG_VERSION", False),
                                           ("dast.yml", "ZAP_VERSION", False)):
        spec = load_buildspec(name)
        version = spec["env"]["variables"][version_variable]
        assert re.fullmatch(r"\d+(\.\d+)+", version), f"{name}: {version_variable}={version!r} is not a pinned version"
        lines = [line for _, line in commands(spec)]
        assert any(f"${{{version_variable}}}" in line or f'"${version_variable}"' in line for line in lines)
        if signed:
            assert any(line.startswith("gpg --batch --verify ") for line in lines), f"{name}: download not verified"
    for _, line in commands(load_buildspec("sca.yml")) + commands(load_buildspec("sast.yml")) + commands(load_buildspec("dast.yml")):
        if line.startswith("curl "):
            assert "--fail" in line and "--proto '=https'" in line and "https://" in line


# The raw-report archive script (buildspecs/archive-reports.sh) is run against S3 on a
# moto server in tests/archive/test_archive_script.py.
