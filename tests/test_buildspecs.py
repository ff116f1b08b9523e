"""The CodeBuild buildspecs, owned by the pipeline (they ship in the secpipe package, not
in the scanned repository): valid 0.2 YAML; secpipe installed only from the pinned wheel
of the package; every `secpipe` invocation, as bash really expands it, accepted by the
real CLI parser; each install phase run in a container-less simulation with fake
downloads (tests/buildspec_sim.py), so a missing folder or checksum mismatch fails here;
gates never hidden, secrets never on a command line, JUnit where the scan writes it, and
post_build archiving the output."""
from __future__ import annotations

import copy
import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

import reports
from pipeline.cli import build_parser
from pipeline.stages import Stage
from pipeline.tools import registry
from pipeline.tools.install import load_lock
from tests.aws_files import ALL_BUILDSPECS, BUILDSPECS, STAGE_BUILDSPECS, commands, load_buildspec, variables_used
from tests.buildspec_sim import Simulation, download_for, make_simulation

OUT_DIR = "secpipe-out"
SECRET_VARIABLES = {"SONAR_TOKEN", "NVD_API_KEY", "ZAP_API_KEY"}
# The install phase's first commands in every buildspec: the wheel from the package, checked
# against the sha256 the stack pins, installed; never `pip install .` of the scanned source.
WHEEL_INSTALL = [
    'aws s3 cp --only-show-errors "s3://${ARTIFACT_BUCKET}/${SECPIPE_PACKAGE_PREFIX}/${SECPIPE_WHEEL}" '
    '"${SECPIPE_HOME}/${SECPIPE_WHEEL}"',
    'echo "${SECPIPE_WHEEL_SHA256}  ${SECPIPE_HOME}/${SECPIPE_WHEEL}" | sha256sum --check --strict -',
    'python -m pip install --quiet --no-cache-dir "${SECPIPE_HOME}/${SECPIPE_WHEEL}"',
]
ARCHIVE_SCRIPT_FETCH = ('aws s3 cp --only-show-errors "s3://${ARTIFACT_BUCKET}/${SECPIPE_PACKAGE_PREFIX}/buildspecs/'
                        'archive-reports.sh" "${SECPIPE_HOME}/archive-reports.sh"')
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
SONAR_HOST_URL = "https://sonarqube.example.com"
# The secondary artifacts the approval build may get, as CodeBuild names their folders.
STAGE_ARTIFACTS = {"ScaReports": "/codebuild/output/src1/ScaReports", "SastReports": "/codebuild/output/src2/SastReports",
                   "IacReports": "/codebuild/output/src3/IacReports", "DastReports": "/codebuild/output/src4/DastReports"}


def _text(name: str) -> str:
    return (BUILDSPECS / name).read_text(encoding="utf-8")


def _zap_sha256(simulation: Simulation) -> str:
    version = load_buildspec("dast.yml")["env"]["variables"]["ZAP_VERSION"]
    archive = download_for(f"https://github.com/x/ZAP_{version}_Linux.tar.gz", simulation.root / "zap-daemon.key")
    assert archive is not None
    return hashlib.sha256(archive).hexdigest()


def _simulated(name: str, tmp_path: Path, spec: dict[str, Any] | None = None,
               extra_env: dict[str, str] | None = None,
               phases: tuple[str, ...] = ("install", "build", "post_build")) -> tuple[Simulation, subprocess.CompletedProcess[str]]:
    simulation = make_simulation(tmp_path)
    environment = {"ZAP_SHA256": _zap_sha256(simulation)} if name == "dast.yml" else {}
    if name == "sast.yml":
        environment["SONAR_HOST_URL"] = SONAR_HOST_URL  # the project sets it when SonarQube is configured
    if name == "approval.yml":
        environment.update({f"CODEBUILD_SRC_DIR_{artifact}": folder for artifact, folder in STAGE_ARTIFACTS.items()})
    done = simulation.run(spec or load_buildspec(name), phases=phases, extra_env={**environment, **(extra_env or {})})
    return simulation, done


def _parsed(argv: list[str]):
    try:
        return build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse's way of saying the line is wrong
        pytest.fail(f"`secpipe {' '.join(argv)}` does not parse with the secpipe CLI (exit {exc.code})")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Simulation, subprocess.CompletedProcess[str]]]:
    """Every buildspec run whole (install, build, post_build) in the simulation."""
    return {name: _simulated(name, tmp_path_factory.mktemp(name.replace(".", "-"))) for name in ALL_BUILDSPECS}


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_buildspec_is_version_0_2_with_phases(name: str) -> None:
    spec = load_buildspec(name)
    assert str(spec["version"]) == "0.2"
    assert spec["env"]["shell"] == "bash"  # the archive step and ${!name} need bash
    assert commands(spec), "a buildspec without commands"


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_secpipe_is_the_pinned_wheel_of_the_package_never_the_scanned_source(name: str) -> None:
    spec = load_buildspec(name)
    install = spec["phases"]["install"]["commands"]
    assert install[:3] == WHEEL_INSTALL
    if name in STAGE_BUILDSPECS.values():
        assert install[3] == ARCHIVE_SCRIPT_FETCH
    assert spec["env"]["variables"]["SECPIPE_HOME"].startswith("/opt/")
    for _, line in commands(spec):
        assert not re.search(r"pip install[^\n]*\s\.(\s|$)", line), f"{name}: `{line}` installs the scanned tree"
        assert "buildspecs/" not in line or "SECPIPE_PACKAGE_PREFIX" in line, f"{name}: `{line}` reads the repository's files"


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_the_whole_buildspec_runs_in_the_simulation(name: str, runs) -> None:
    simulation, done = runs[name]
    assert done.returncode == 0, done.stderr[-3000:]
    assert simulation.calls(), f"{name} never called secpipe"


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_every_secpipe_invocation_parses_with_the_real_cli(name: str, runs) -> None:
    simulation, _ = runs[name]
    for argv in simulation.calls():
        _parsed(argv)


@pytest.mark.parametrize("stage", sorted(STAGE_BUILDSPECS))
def test_stage_buildspec_scans_its_stage_into_security_hub(stage: str, runs) -> None:
    simulation, _ = runs[STAGE_BUILDSPECS[stage]]
    scans = [_parsed(argv) for argv in simulation.calls() if argv[0] == "scan"]
    assert len(scans) == 1
    args = scans[0]
    assert args.stages == stage
    assert args.hub == "securityhub"
    assert args.out == OUT_DIR
    assert args.path == "."
    assert args.fail_on is None, "the gate's threshold belongs in the central and the project's policy"
    assert args.policy is None, "the policy is the central floor plus the project's .secpipe.toml"
    assert (args.target == "https://staging.example.com/") if stage == "dast" else args.target is None
    # The scan is the build phase's command: its exit code (the gate) is the phase's.
    build = [line for phase, line in commands(load_buildspec(STAGE_BUILDSPECS[stage])) if phase == "build"]
    assert build and build[-1].startswith("secpipe scan ")


@pytest.mark.parametrize("stage", sorted(STAGE_BUILDSPECS))
def test_stage_installs_every_scanner_of_its_stage_and_no_other(stage: str, runs) -> None:
    """`secpipe tools install` installs the pinned scanners and checks the others are
    present; each stage names exactly its registered scanners."""
    name = STAGE_BUILDSPECS[stage]
    simulation, _ = runs[name]
    installs = [_parsed(argv) for argv in simulation.calls() if argv[:2] == ["tools", "install"]]
    named = [tool for args in installs for tool in args.tool]
    expected = {runner.name for runner in registry.runners() if runner.stage is Stage(stage)} - set(NOT_IN_CODEBUILD)
    assert sorted(named) == sorted(expected), f"{name} installs {sorted(named)}, the {stage} scanners are {sorted(expected)}"
    pinned = load_lock()
    for tool in named:
        if tool not in pinned:
            assert NON_PIP_INSTALLS[tool] in _text(name), f"{name} never installs {tool}"
    install_lines = [line for phase, line in commands(load_buildspec(name)) if phase == "install"]
    assert install_lines[-1].startswith("secpipe tools install "), f"{name}: check the scanners after installing them"


def test_without_sonarqube_the_sast_install_neither_downloads_nor_asks_for_it(tmp_path: Path) -> None:
    simulation, done = _simulated("sast.yml", tmp_path, extra_env={"SONAR_HOST_URL": ""}, phases=("install",))
    assert done.returncode == 0, done.stderr
    assert not list(simulation.root.glob("tmp/sonar-scanner*")), "sonar-scanner downloaded without SonarQube"
    assert simulation.calls() == [["tools", "install", "bandit", "semgrep", "phpstan"]]


def test_a_failed_sonarqube_download_still_fails_the_install(tmp_path: Path) -> None:
    """The `if` around each SonarQube step must not swallow its failure."""
    simulation, done = _simulated("sast.yml", tmp_path, extra_env={"SONAR_SCANNER_VERSION": "no-such-release"},
                                  phases=("install",))
    assert done.returncode != 0
    assert "404" in done.stderr
    assert simulation.calls() == []


def test_sast_install_fails_when_phpstans_folder_is_never_made(tmp_path: Path) -> None:
    """The defect of issue 9: composer require --working-dir=/opt/phpstan without the folder."""
    spec = copy.deepcopy(load_buildspec("sast.yml"))
    install = spec["phases"]["install"]["commands"]
    install.remove("mkdir -p /opt/phpstan")
    _, done = _simulated("sast.yml", tmp_path, spec=spec, phases=("install",))
    assert done.returncode != 0
    assert "phpstan does not exist" in done.stderr


@pytest.mark.parametrize("name", ALL_BUILDSPECS)
def test_a_wheel_that_is_not_the_pinned_one_stops_the_install(name: str, tmp_path: Path) -> None:
    simulation, done = _simulated(name, tmp_path, extra_env={"SECPIPE_WHEEL_SHA256": "0" * 64}, phases=("install",))
    assert done.returncode != 0
    assert "FAILED" in done.stdout + done.stderr
    assert simulation.calls() == [], "secpipe ran although its wheel was not the pinned one"


def test_a_zap_archive_that_is_not_the_pinned_one_stops_the_install(tmp_path: Path) -> None:
    _, done = _simulated("dast.yml", tmp_path, extra_env={"ZAP_SHA256": "1" * 64}, phases=("install",))
    assert done.returncode != 0
    assert "zap.tar.gz: FAILED" in done.stdout + done.stderr


def test_the_pinned_zap_checksum_is_a_sha256() -> None:
    variables = load_buildspec("dast.yml")["env"]["variables"]
    assert re.fullmatch(r"[0-9a-f]{64}", variables["ZAP_SHA256"])
    assert re.fullmatch(r"\d+(\.\d+)+", variables["ZAP_VERSION"])


def test_approval_sends_one_email_with_the_summary_of_every_stage_that_ran(runs, tmp_path: Path) -> None:
    simulation, _ = runs["approval.yml"]
    (argv,) = simulation.calls()
    sent = _parsed(argv)
    assert sent.command == "approval" and sent.action == "send"
    assert sent.via == "sns" and not sent.dry_run
    assert sent.topic_arn == simulation.environment["APPROVAL_TOPIC_ARN"]
    assert [str(path) for path in sent.summary] == [f"{folder}/summary.json" for folder in STAGE_ARTIFACTS.values()]
    # Without the DAST stage its artifact never arrives, and the email goes out without it.
    without_dast = make_simulation(tmp_path)
    done = without_dast.run("approval.yml", phases=("install", "build"), extra_env={
        f"CODEBUILD_SRC_DIR_{a}": f for a, f in STAGE_ARTIFACTS.items() if a != "DastReports"})
    assert done.returncode == 0, done.stderr
    (argv,) = without_dast.calls()
    assert [str(p) for p in _parsed(argv).summary] == [
        f"{f}/summary.json" for a, f in STAGE_ARTIFACTS.items() if a != "DastReports"]


@pytest.mark.parametrize("name", STAGE_BUILDSPECS.values())
def test_post_build_archives_the_output_with_the_packages_script(name: str, runs) -> None:
    simulation, _ = runs[name]
    uploads = [_parsed(argv) for argv in simulation.calls() if argv[:2] == ["archive", "upload"]]
    assert len(uploads) == 1
    upload = uploads[0]
    assert upload.repo == "acme/shop" and upload.branch == "feature/login"
    assert upload.bucket == "secpipe-artifacts"


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
def test_secrets_never_reach_a_command_line_or_the_buildspec(name: str) -> None:
    spec = load_buildspec(name)
    text = _text(name)
    for literal in (r"\bsq[pau]_[0-9a-f]{20,}", r"\bAKIA[0-9A-Z]{16}\b",
                    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
                    r"sonar\.(login|token|password)=", r"--nvdApiKey"):
        assert not re.search(literal, text), f"{name} contains a credential or passes one as an argument ({literal})"
    # The CodeBuild project resolves them from the pipeline's own SSM prefix (pipeline.yaml).
    assert "parameter-store" not in (spec.get("env") or {})
    for _, line in commands(spec):
        used = variables_used(line) & SECRET_VARIABLES
        # ZAP's per-build key is made here and only handed to ZAP and its readiness probe.
        allowed = {"ZAP_API_KEY"} if any(word in line for word in ("zap.sh", "openssl rand", "X-ZAP-API-Key")) else set()
        assert used <= allowed, f"{name}: `{line}` puts {used - allowed} on a command line"
        assert not re.match(r"(echo|printf|cat)\b", line) or not used, f"{name}: `{line}` prints a secret"


@pytest.mark.parametrize("name", STAGE_BUILDSPECS.values())
def test_junit_report_group_and_artifacts_are_the_scan_outputs(name: str) -> None:
    spec = load_buildspec(name)
    junit = {f.name: f for f in reports.registry.formats()}["junit"].filename
    assert junit == "junit.xml"
    (group, report), = spec["reports"].items()
    assert group == "secpipe"  # the template's report groups are <project>-secpipe
    assert report["file-format"] == "JUNITXML"
    assert report["base-directory"] == OUT_DIR
    assert report["files"] == [junit]
    assert spec["artifacts"]["base-directory"] == OUT_DIR
    assert spec["artifacts"]["files"] == ["**/*"]
    post = [line for phase, line in commands(spec) if phase == "post_build"]
    assert post == [f'bash "${{SECPIPE_HOME}}/archive-reports.sh" {OUT_DIR}']


def test_downloaded_scanners_are_pinned_and_verified() -> None:
    for name, version_variable, verified_by in (("sca.yml", "DEPENDENCY_CHECK_VERSION", "gpg --batch --verify "),
                                                ("sast.yml", "SONAR_SCANNER_VERSION", "gpg --batch --verify "),
                                                ("sast.yml", "PHPSTAN_VERSION", None),
                                                ("iac.yml", "CFN_NAG_VERSION", None),
                                                ("dast.yml", "ZAP_VERSION", 'echo "${ZAP_SHA256}  ')):
        spec = load_buildspec(name)
        version = spec["env"]["variables"][version_variable]
        assert re.fullmatch(r"\d+(\.\d+)+", version), f"{name}: {version_variable}={version!r} is not a pinned version"
        lines = [line for _, line in commands(spec)]
        assert any(f"${{{version_variable}}}" in line or f'"${version_variable}"' in line for line in lines)
        if verified_by:
            assert any(verified_by in line for line in lines), f"{name}: download not verified"
    for name in ALL_BUILDSPECS:
        for _, line in commands(load_buildspec(name)):
            if "curl " in line and "--output /tmp/" in line:
                assert "--fail" in line and "--proto '=https'" in line and "https://" in line
