"""Scanner envs are built on the newest Python the lock allows: found on PATH or in pyenv's versions,
overridable, recorded in the install marker, and a changed choice means a reinstall."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.tools import install, interpreters
from pipeline.tools.interpreters import SCANNER_PYTHON_ENV, scanner_python
from pipeline.tools.locate import TOOLS_DIR_ENV, env_bin_dir, env_dir
from tests.tools.conftest import fake_program

OWN = f"{sys.version_info.major}.{sys.version_info.minor}"


def fake_python(directory: Path, name: str, version: str) -> Path:
    """A program that answers the probe like a Python of `version` with venv and ensurepip."""
    directory.mkdir(parents=True, exist_ok=True)
    return fake_program(directory, name, f'print("{version}")\n')


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """An empty PATH and pyenv root, and no override: each test adds the Pythons it wants."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(SCANNER_PYTHON_ENV, raising=False)
    interpreters.forget()
    yield tmp_path
    interpreters.forget()


def test_the_newest_allowed_python_wins(machine) -> None:
    fake_python(machine / "bin", "python3.12", "3.12")
    newest = fake_python(machine / "pyenv" / "versions" / "3.13.1" / "bin", "python3.13", "3.13")
    chosen = scanner_python(["3.14", "3.13", "3.12"])
    assert (chosen.version, chosen.path) == ("3.13", newest)


def test_pyenv_shims_are_not_taken_for_the_python_they_name(machine, monkeypatch) -> None:
    """A pyenv shim exists for every installed version but runs only the active one."""
    shims = machine / "home" / ".pyenv" / "shims"
    fake_python(shims, "python3.13", "3.11")
    monkeypatch.setenv("PATH", f"{shims}:{machine / 'bin'}")
    real = fake_python(machine / "pyenv" / "versions" / "3.13.0" / "bin", "python3.13", "3.13")
    assert scanner_python(["3.13"]).path == real


def test_newest_patch_release_of_pyenv_first(machine) -> None:
    fake_python(machine / "pyenv" / "versions" / "3.12.1" / "bin", "python3.12", "3.12")
    later = fake_python(machine / "pyenv" / "versions" / "3.12.10" / "bin", "python3.12", "3.12")
    assert scanner_python(["3.12"]).path == later


def test_a_program_that_fails_the_probe_is_skipped(machine) -> None:
    broken = machine / "bin"
    fake_program(broken, "python3.13", "import sys\nsys.exit(1)\n")
    fallback = fake_python(machine / "pyenv" / "versions" / "3.12.0" / "bin", "python3.12", "3.12")
    assert scanner_python(["3.13", "3.12"]).path == fallback


def test_without_any_preferred_python_the_own_interpreter_is_used(machine) -> None:
    chosen = scanner_python(["3.99"])
    assert (chosen.path, chosen.version) == (Path(sys.executable), OWN)


def test_override_by_version_and_by_path(machine, monkeypatch) -> None:
    fake_python(machine / "bin", "python3.12", "3.12")
    fake_python(machine / "pyenv" / "versions" / "3.13.0" / "bin", "python3.13", "3.13")
    monkeypatch.setenv(SCANNER_PYTHON_ENV, "3.12")
    interpreters.forget()
    assert scanner_python(["3.13", "3.12"]).version == "3.12"
    monkeypatch.setenv(SCANNER_PYTHON_ENV, sys.executable)
    interpreters.forget()
    assert scanner_python(["3.13"]).path == Path(sys.executable)


@pytest.mark.parametrize("override, message", [("3.42", "no working python3.42"), ("/no/such/python", "not a Python")])
def test_a_bad_override_is_a_config_error(machine, monkeypatch, override, message) -> None:
    monkeypatch.setenv(SCANNER_PYTHON_ENV, override)
    interpreters.forget()
    with pytest.raises(ConfigError, match=message):
        scanner_python(["3.13"])


def test_the_project_lock_prefers_the_newest_pythons_first() -> None:
    for tool in install.load_lock().values():
        assert tool.pythons, tool.name
        numbers = [tuple(int(p) for p in v.split(".")) for v in tool.pythons]
        assert numbers == sorted(numbers, reverse=True), f"{tool.name}: newest first"
        assert OWN in tool.pythons, f"{tool.name}: the pins must also hold on the Python secpipe runs on"


def test_lock_python_lists_per_file_and_per_tool(tmp_path) -> None:
    lock = tmp_path / "scanners.lock"
    lock.write_text('python = ["3.13", "3.12"]\n[a]\nrequirements = ["a==1"]\nexecutable = "a"\n'
                    '[b]\nrequirements = ["b==1"]\nexecutable = "b"\npython = ["3.12"]\n')
    tools = install.load_lock(lock)
    assert tools["a"].pythons == ("3.13", "3.12") and tools["b"].pythons == ("3.12",)


@pytest.mark.parametrize("text", ['python = "3.13"\n', 'python = ["3"]\n', 'python = []\n',
                                  '[a]\nrequirements = ["a==1"]\nexecutable = "a"\npython = ["latest"]\n'])
def test_malformed_python_lists_are_config_errors(tmp_path, text) -> None:
    lock = tmp_path / "scanners.lock"
    lock.write_text(text)
    with pytest.raises(ConfigError, match="list of Python versions"):
        install.load_lock(lock)


def _installed_env(tool: install.PinnedTool, python: str, interpreter: str) -> None:
    """What a finished install leaves: the program and the marker."""
    env_bin_dir(tool.name).mkdir(parents=True)
    fake_program(env_bin_dir(tool.name), tool.executable, "print('1.0')\n")
    marker = {"requirements": list(tool.everything), "version": tool.version, "python": python, "interpreter": interpreter}
    (env_dir(tool.name) / install.MARKER).write_text(json.dumps(marker))


def test_an_env_on_another_interpreter_is_not_current(machine, monkeypatch) -> None:
    monkeypatch.setenv(TOOLS_DIR_ENV, str(machine / "tools"))
    newest = fake_python(machine / "pyenv" / "versions" / "3.13.0" / "bin", "python3.13", "3.13")
    tool = install.PinnedTool("fake", ("fake==1.0",), "fake", (), ("3.13",))
    _installed_env(tool, OWN, sys.executable)
    assert not install.is_current(tool), "a newer Python than the env's must rebuild it"
    marker = {"requirements": ["fake==1.0"], "version": "1.0", "python": "3.13", "interpreter": str(newest)}
    (env_dir("fake") / install.MARKER).write_text(json.dumps(marker))
    assert install.is_current(tool)
    assert install.installed_interpreter(tool) == f"python 3.13 ({newest})"


def test_an_old_marker_without_an_interpreter_is_reinstalled(machine, monkeypatch) -> None:
    monkeypatch.setenv(TOOLS_DIR_ENV, str(machine / "tools"))
    tool = install.PinnedTool("fake", ("fake==1.0",), "fake", (), ("3.99",))
    env_bin_dir("fake").mkdir(parents=True)
    fake_program(env_bin_dir("fake"), "fake", "print('1.0')\n")
    (env_dir("fake") / install.MARKER).write_text(json.dumps({"requirements": ["fake==1.0"], "version": "1.0", "python": OWN}))
    assert not install.is_current(tool)


def test_tools_list_says_which_interpreter_each_env_uses(machine, monkeypatch, capsys) -> None:
    from pipeline.cli import main
    monkeypatch.setenv(TOOLS_DIR_ENV, str(machine / "tools"))
    bandit = install.load_lock()["bandit"]
    _installed_env(bandit, "3.13", "/opt/python3.13/bin/python3.13")
    assert main(["tools", "list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("bandit "))
    assert "own env, python 3.13 (/opt/python3.13/bin/python3.13)" in row


@pytest.mark.scanner
def test_bandit_on_a_newer_python_reads_pep701_fstrings(tmp_path) -> None:
    """The reason for the newest interpreter: bandit parses with its own Python's ast."""
    from pipeline.tools import registry
    from pipeline.tools.base import ScanTarget, ToolStatus

    bandit = install.load_lock()["bandit"]
    python = install.installed_interpreter(bandit)
    if python is None:
        pytest.skip("bandit is not installed in its own env (run: secpipe tools install bandit)")
    version = tuple(int(part) for part in python.split()[1].split("."))
    if version < (3, 12):
        pytest.skip(f"bandit's env runs on {python}; PEP 701 needs 3.12+ (reinstall: secpipe tools install bandit)")
    source = tmp_path / "src"
    source.mkdir()
    (source / "app.py").write_text('import os\n\n\ndef run(name):\n    os.system(f"echo {" ".join([name, "x"])}")\n')
    raw = tmp_path / "raw"
    raw.mkdir()
    run = registry.get("bandit").run(ScanTarget(source), raw, timeout_s=300)
    assert run.status is ToolStatus.FINDINGS, run.detail
    assert "B605" in {f.rule_id for f in run.findings}
