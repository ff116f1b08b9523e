import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import ConfigError
from pipeline.tools import install, registry
from pipeline.tools.locate import TOOLS_DIR_ENV, env_bin_dir, env_dir


def _lock(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scanners.lock"
    path.write_text(text)
    return path


def test_the_project_lock_pins_every_python_scanner_to_an_exact_version():
    pinned = install.load_lock()
    assert {"bandit", "semgrep", "checkov", "cfn-lint", "pip-audit"} <= set(pinned)
    for tool in pinned.values():
        assert tool.requirements[0] == f"{tool.package}=={tool.version}"
        assert tool.version[0].isdigit()
        assert tool.pins, f"{tool.name}: its environment is not frozen"
        names = [pin.split("==")[0].lower() for pin in tool.everything]
        assert len(names) == len(set(names)), f"{tool.name}: a package is pinned twice"
    runner_names = {runner.name for runner in registry.runners()}
    assert set(pinned) <= runner_names, "a pinned tool without a runner"


def test_lock_entries_are_read(tmp_path):
    lock = _lock(tmp_path, '[x]\nrequirements = ["x-tool==1.2.3", "dep<2"]\nexecutable = "xt"\npins = ["dep==1.5"]\n')
    tool = install.load_lock(lock)["x"]
    assert (tool.package, tool.version, tool.executable, tool.requirements) == ("x-tool", "1.2.3", "xt", ("x-tool==1.2.3", "dep<2"))
    assert tool.everything == ("x-tool==1.2.3", "dep<2", "dep==1.5")


@pytest.mark.parametrize("text, problem", [
    ("[x\n", "not valid TOML"),
    ('x = "y"\n', r"\[x\] must be a table"),
    ('[x]\nexecutable = "x"\n', "needs requirements"),
    ('[x]\nrequirements = ["x>=1"]\nexecutable = "x"\n', "must pin an exact version"),
    ('[x]\nrequirements = ["x==1"]\n', "needs executable"),
    ('[x]\nrequirements = ["x==1"]\nexecutable = "../x"\n', "needs executable"),
    ('[x]\nrequirements = ["x==1"]\nexecutable = "x"\npins = ["y>=2"]\n', "pins must be a list of exact pins"),
])
def test_malformed_locks_are_config_errors(tmp_path, text, problem):
    with pytest.raises(ConfigError, match=problem):
        install.load_lock(_lock(tmp_path, text))


def test_a_failed_install_leaves_nothing_that_looks_installed(tmp_path, monkeypatch):
    monkeypatch.setenv(TOOLS_DIR_ENV, str(tmp_path / "tools"))
    tool = install.PinnedTool("broken", ("broken==1.0", str(tmp_path / "no-such-project")), "broken")
    outcome = install.install(tool, say=lambda line: None)
    assert outcome.action == "failed" and not outcome.ok
    assert "pip exited" in outcome.detail
    assert not env_dir("broken").exists()
    assert install.installed_version(tool) is None


@pytest.mark.scanner
@pytest.mark.slow
def test_install_is_real_isolated_and_idempotent(tmp_path, monkeypatch, capsys):
    """Installs bandit for real into a private tools dir, then does nothing the second time."""
    monkeypatch.setenv(TOOLS_DIR_ENV, str(tmp_path / "tools"))
    pinned = install.load_lock()["bandit"]

    assert main(["tools", "install", "bandit"]) == 0
    first = capsys.readouterr().out
    python = install.interpreter_for(pinned)
    assert f"bandit: installed (bandit {pinned.version} in {env_dir('bandit')} on python {python.version})" in first
    program = env_bin_dir("bandit") / "bandit"
    version = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=120)
    assert pinned.version in version.stdout
    marker = env_dir("bandit") / install.MARKER
    stamp = marker.stat().st_mtime_ns

    assert main(["tools", "install", "bandit"]) == 0
    assert "bandit: up to date" in capsys.readouterr().out
    assert marker.stat().st_mtime_ns == stamp

    assert main(["tools", "list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("bandit "))
    assert row.split()[1:3] == ["sast", pinned.version] and f"own env, {python.describe()}" in row
    assert registry.get("bandit").program() == program

    assert install.is_current(pinned)
    changed = replace(pinned, pins=(*pinned.pins, "extra-pin==1.0"))
    assert not install.is_current(changed), "a changed lock entry must be reinstalled"


def test_tools_list_shows_every_runner_with_its_stage(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv(TOOLS_DIR_ENV, str(tmp_path / "empty"))
    assert main(["tools", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["TOOL", "STAGE", "VERSION", "HOW"]
    rows = {line.split()[0]: line for line in lines[1:]}
    for runner in registry.runners():
        assert runner.name in rows
        assert rows[runner.name].split()[1] == runner.stage.value
    assert "apt-get install -y wapiti" in rows["wapiti"]


def test_tools_install_says_where_non_python_tools_come_from(capsys):
    present = registry.get("wapiti").missing() is None
    assert main(["tools", "install", "wapiti"]) == (0 if present else 1)
    assert "secpipe does not install it (from Debian: apt-get install -y wapiti)" in capsys.readouterr().out


def test_tools_install_unknown_tool_exits_2(capsys):
    assert main(["tools", "install", "no-such-scanner"]) == 2
    assert "unknown tool 'no-such-scanner'" in capsys.readouterr().err


def test_an_unusable_tools_dir_is_a_config_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(TOOLS_DIR_ENV, str(blocker / "tools"))
    with pytest.raises(ConfigError, match="cannot use .* for scanner environments"):
        install.install(install.load_lock()["bandit"], say=lambda line: None)
