"""What people expect of a CLI: --version, -q/-v anywhere, one-line errors, exit codes kept through a
closed pipe, and Ctrl-C stopping the scanners (exit 130). All through `python -m pipeline.cli`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MISSING_FAILS = '[gate]\nmissing = "fail"\n'


def env(tmp_path: Path, path: str = "/usr/bin:/bin") -> dict[str, str]:
    tools = tmp_path / "no-tools"
    tools.mkdir(exist_ok=True)
    return {"PYTHONPATH": str(REPO_ROOT), "PATH": path, "HOME": str(tmp_path), "SECPIPE_TOOLS_DIR": str(tools)}


def secpipe(tmp_path: Path, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=env(tmp_path), **kwargs)


def python_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text("import os\n")
    (tree / ".secpipe.toml").write_text(MISSING_FAILS)
    return tree


def test_version(tmp_path: Path) -> None:
    done = secpipe(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.startswith("secpipe ")


def test_verbosity_flags_go_before_or_after_the_subcommand(tmp_path: Path) -> None:
    for args in (["-v", "tools", "list"], ["tools", "list", "-v"], ["tools", "list", "-q"], ["-q", "tools", "list"]):
        done = secpipe(tmp_path, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "TOOL" in done.stdout
    both = secpipe(tmp_path, "tools", "list", "-v", "-q")
    assert both.returncode == 2 and len(both.stderr.strip().splitlines()) == 1


def test_quiet_scan_prints_only_the_result(tmp_path: Path) -> None:
    tree = python_tree(tmp_path)
    done = secpipe(tmp_path, "-q", "scan", str(tree), "--tools", "bandit", "--hub", "none", "--out", str(tmp_path / "o"))
    assert done.returncode == 1  # bandit is not installed here and the policy says missing = "fail"
    assert done.stderr == ""
    assert "gate: FAILED" in done.stdout


def test_no_hub_means_nothing_is_imported(tmp_path: Path) -> None:
    tree = python_tree(tmp_path)
    done = secpipe(tmp_path, "scan", str(tree), "--tools", "bandit", "--hub", "none", "--out", str(tmp_path / "o"))
    assert "importing" not in done.stderr and "hub (" not in done.stdout


def test_out_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    tree = python_tree(tmp_path)
    (tmp_path / "taken").write_text("a file\n")
    done = secpipe(tmp_path, "scan", str(tree), "--hub", "none", "--out", str(tmp_path / "taken"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"secpipe: error: --out {tmp_path / 'taken'}: exists and is not a folder"]


def test_a_closed_stdout_does_not_turn_a_failure_into_success(tmp_path: Path) -> None:
    """`secpipe scan ... | head -c0`: the reader is gone before the first line; the exit code is the gate's."""
    tree = python_tree(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "scan", str(tree), "--tools", "bandit",
                               "--hub", "none", "--out", str(tmp_path / "o")],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path,
                              env=env(tmp_path))
    finally:
        os.close(write_end)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "o" / "summary.json").is_file()


def test_a_closed_stdout_does_not_turn_binary_output_into_a_traceback(tmp_path: Path) -> None:
    """`secpipe parse ... | head -c0`: parse writes JSON through stdout's binary buffer; its result stays 0."""
    report = REPO_ROOT / "tests" / "fixtures" / "semgrep" / "mixed.json"
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", "--tool", "semgrep", str(report)],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path,
                              env=env(tmp_path))
    finally:
        os.close(write_end)
    assert done.returncode == 0 and done.stderr == ""


FAKE_SEMGREP = """\
#!{python}
import os, sys, time
open({pid_file!r}, "w").write(str(os.getpid()))
time.sleep(300)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) has stopped running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_running_scanners_with_exit_130(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pid_file = tmp_path / "scanner.pid"
    fake = bin_dir / "semgrep"
    fake.write_text(textwrap.dedent(FAKE_SEMGREP.format(python=sys.executable, pid_file=str(pid_file))))
    fake.chmod(0o755)
    tree = python_tree(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "scan", str(tree), "--tools", "semgrep",
                             "--hub", "none", "--out", str(tmp_path / "o")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env=env(tmp_path, f"{bin_dir}:/usr/bin:/bin"))
    try:
        for _ in range(600):  # wait (at most a minute) for the fake scanner to be running
            if pid_file.is_file() and pid_file.read_text():
                break
            if proc.poll() is not None:
                pytest.fail(f"secpipe ended before the scanner started: {proc.communicate()}")
            time.sleep(0.1)
        scanner = int(pid_file.read_text())
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)  # a guard against a hang, not a speed assertion
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not _alive(scanner), "the scanner's process group was stopped"
