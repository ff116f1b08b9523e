import os
import stat

from pipeline.tools import locate


def _program(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_tools_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(locate.TOOLS_DIR_ENV, str(tmp_path / "t"))
    assert locate.tools_dir() == tmp_path / "t"
    assert locate.env_bin_dir("bandit") == tmp_path / "t" / "bandit" / "bin"


def test_the_secpipe_env_wins_over_path(monkeypatch, tmp_path):
    monkeypatch.setenv(locate.TOOLS_DIR_ENV, str(tmp_path / "tools"))
    in_env = _program(tmp_path / "tools" / "scanx" / "bin" / "scanx")
    on_path = _program(tmp_path / "path" / "scanx")
    monkeypatch.setenv("PATH", str(on_path.parent) + os.pathsep + os.environ["PATH"])
    assert locate.find_executable("scanx") == in_env
    in_env.unlink()
    assert locate.find_executable("scanx") == on_path


def test_env_name_may_differ_from_the_program(monkeypatch, tmp_path):
    monkeypatch.setenv(locate.TOOLS_DIR_ENV, str(tmp_path / "tools"))
    program = _program(tmp_path / "tools" / "my-tool" / "bin" / "runme")
    assert locate.find_executable("runme", env="my-tool") == program


def test_missing_everywhere_is_none(monkeypatch, tmp_path):
    monkeypatch.setenv(locate.TOOLS_DIR_ENV, str(tmp_path / "tools"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert locate.find_executable("definitely-not-a-scanner") is None


def test_a_non_executable_file_in_the_env_does_not_count(monkeypatch, tmp_path):
    monkeypatch.setenv(locate.TOOLS_DIR_ENV, str(tmp_path / "tools"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = tmp_path / "tools" / "scanx" / "bin" / "scanx"
    path.parent.mkdir(parents=True)
    path.write_text("not a program")
    assert locate.find_executable("scanx") is None


def test_pyenv_shims_without_the_program_are_skipped(monkeypatch, tmp_path):
    monkeypatch.setenv(locate.TOOLS_DIR_ENV, str(tmp_path / "tools"))
    shim = _program(tmp_path / ".pyenv" / "shims" / "scanner-only-in-another-python")
    monkeypatch.setenv("PATH", str(shim.parent))
    assert locate.find_executable("scanner-only-in-another-python") is None


def test_not_installed_message_names_the_install_command():
    assert locate.not_installed_message("semgrep") == "semgrep is not installed (run: secpipe tools install semgrep)"
