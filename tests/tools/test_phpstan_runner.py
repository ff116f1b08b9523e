"""phpstan runner with a fake phpstan that prints a hand-written JSON report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.asff import to_asff
from pipeline.tools import phpstan
from pipeline.tools.base import ScanTarget, ToolStatus
from tests.conftest import assert_valid_asff
from tests.tools.fakes import empty_path, fake_bin, install_fake, recorded_call  # noqa: F401 - fixtures

FINDINGS = {
    "totals": {"errors": 0, "file_errors": 3},
    "files": {
        "SRC/src/Controller/OrderController.php": {"errors": 2, "messages": [
            {"message": "Parameter #1 $query of method PDO::query() expects string, array<string> given.",
             "line": 42, "ignorable": True, "identifier": "argument.type"},
            {"message": "Variable $order might not be defined.", "line": 57, "ignorable": True,
             "identifier": "variable.undefined", "tip": "Initialise $order before the if."}]},
        "SRC/src/Util/Crypto.php": {"errors": 1, "messages": [
            {"message": "Call to an undefined function mcrypt_encrypt().", "line": 12, "ignorable": True,
             "identifier": "function.notFound"}]},
    },
    "errors": [],
}
CLEAN = {"totals": {"errors": 0, "file_errors": 0}, "files": [], "errors": []}
GENERIC = {**CLEAN, "totals": {"errors": 1, "file_errors": 0},
           "errors": ["Child process error (exit code 255): PHP Fatal error: Allowed memory size exhausted"]}

FAKE = f"""
args = sys.argv[1:]
record = json.load(open(os.environ["FAKE_RECORD"]))
if "-c" in args:
    record["config"] = open(args[args.index("-c") + 1]).read()
json.dump(record, open(os.environ["FAKE_RECORD"], "w"))
print("Note: Using configuration file " + (args[args.index("-c") + 1] if "-c" in args else "phpstan.neon"), file=sys.stderr)
mode = os.environ.get("FAKE_MODE", "findings")
if mode == "fatal":
    print("PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted")
    sys.exit(255)
if mode == "text":
    print("Error: Invalid configuration: level must be 0-9")
    sys.exit(1)
reports = {{"findings": {json.dumps(json.dumps(FINDINGS))}, "clean": {json.dumps(json.dumps(CLEAN))},
           "generic": {json.dumps(json.dumps(GENERIC))}}}
print(reports[mode].replace("SRC", os.getcwd()))
sys.exit(0 if mode == "clean" else 1)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "shop"
    (src / "src" / "Controller").mkdir(parents=True)
    (src / "src" / "Controller" / "OrderController.php").write_text("<?php\n")
    (src / "vendor" / "acme").mkdir(parents=True)
    return src


def run(project: Path, tmp_path: Path, **env: str):
    target = ScanTarget(project, env={"FAKE_RECORD": str(tmp_path / "call.json"), **env})
    return phpstan.PhpstanRunner().run(target, tmp_path / "raw", timeout_s=60)


def test_every_message_of_every_file_is_a_finding(fake_bin, project, tmp_path, context):
    install_fake(fake_bin, "phpstan", FAKE)
    result = run(project, tmp_path, PHPSTAN_LEVEL="6")
    assert result.status is ToolStatus.FINDINGS, result.detail
    assert sorted(f.rule_id for f in result.findings) == ["argument.type", "function.notFound", "variable.undefined"]
    assert result.report_path == tmp_path / "raw" / "phpstan.json"
    call = recorded_call(tmp_path / "call.json")
    assert call["argv"][1:6] == ["analyse", "--error-format=json", "--no-progress", "--no-interaction",
                                 "--memory-limit=1G"]
    assert call["cwd"] == str(project.resolve())
    # no project config: a generated one with the level, the path, and vendor/ excluded from analysis
    config = call["config"]
    assert "\tlevel: 6\n" in config and json.dumps(str(project.resolve())) in config
    assert json.dumps(str(project.resolve() / "vendor")) in config.split("excludePaths:")[1]
    assert_valid_asff([to_asff(f, context) for f in result.findings])


def test_project_config_is_used_as_is_and_vendor_phpstan_wins(fake_bin, project, tmp_path):
    install_fake(fake_bin, "phpstan", 'sys.exit(99)')  # the one on PATH must not run
    install_fake(project / "vendor" / "bin", "phpstan", FAKE)
    (project / "phpstan.neon.dist").write_text("parameters:\n\tlevel: max\n\tpaths:\n\t\t- src\n")
    result = run(project, tmp_path, FAKE_MODE="clean")
    assert result.status is ToolStatus.PASSED
    call = recorded_call(tmp_path / "call.json")
    assert call["argv"][0] == str((project / "vendor" / "bin" / "phpstan").resolve())
    assert "-c" not in call["argv"] and "config" not in call


def test_errors_not_tied_to_a_file_make_the_run_incomplete(fake_bin, project, tmp_path):
    install_fake(fake_bin, "phpstan", FAKE)
    result = run(project, tmp_path, FAKE_MODE="generic")
    assert result.status is ToolStatus.INCOMPLETE
    assert "could not analyse everything (1 error(s) not tied to a file)" in result.detail
    assert len(result.findings) == 1


@pytest.mark.parametrize("mode, expected", [
    ("fatal", "exited with code 255"),
    ("text", "PHPStan did not write a JSON report (exit 1): Error: Invalid configuration: level must be 0-9"),
])
def test_crash_or_non_json_output_is_an_error(fake_bin, project, tmp_path, mode, expected):
    install_fake(fake_bin, "phpstan", FAKE)
    result = run(project, tmp_path, FAKE_MODE=mode)
    assert result.status is ToolStatus.ERROR
    assert result.detail.startswith(expected)


def test_applies_to_php_projects_only(empty_path, tmp_path):
    runner = phpstan.PhpstanRunner()
    only_vendor = tmp_path / "py"
    (only_vendor / "vendor" / "lib").mkdir(parents=True)
    (only_vendor / "vendor" / "lib" / "x.php").write_text("<?php\n")
    composer = tmp_path / "composer-app"
    composer.mkdir()
    (composer / "composer.json").write_text("{}")
    assert not runner.applies(ScanTarget(only_vendor))
    assert runner.applies(ScanTarget(composer))
    result = runner.run(ScanTarget(composer), tmp_path / "raw", timeout_s=10)
    assert result.status is ToolStatus.NOT_INSTALLED and "PHPStan is not installed" in result.detail
