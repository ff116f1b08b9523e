import os
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.tools.process import STDERR_TAIL_CHARS, niceness, run_command


def test_captures_stdout_exit_code_and_stderr_tail():
    result = run_command([sys.executable, "-c", "import sys; print('out'); sys.stderr.write('first\\nlast line\\n'); sys.exit(3)"],
                         timeout_s=30)
    assert result.returncode == 3
    assert result.stdout == b"out\n"
    assert result.stderr_line() == "last line"
    assert not result.timed_out and result.started


def test_stderr_is_cut_to_its_tail():
    result = run_command([sys.executable, "-c", f"import sys; sys.stderr.write('x' * {STDERR_TAIL_CHARS * 3} + 'END')"],
                         timeout_s=30)
    assert len(result.stderr_tail) == STDERR_TAIL_CHARS
    assert result.stderr_tail.endswith("END")


def test_stdout_can_go_straight_to_a_file(tmp_path):
    target = tmp_path / "report.json"
    result = run_command([sys.executable, "-c", "print('{\"a\": 1}')"], timeout_s=30, stdout_path=target)
    assert result.stdout == b""
    assert target.read_text() == '{"a": 1}\n'


def test_missing_executable_is_a_result_not_an_exception(tmp_path):
    result = run_command([str(tmp_path / "no-such-scanner")], timeout_s=5)
    assert result.returncode is None
    assert result.start_error and "no-such-scanner" in result.start_error


def test_timeout_kills_the_whole_process_group(tmp_path):
    pid_file = tmp_path / "child.pid"
    # The scanner starts a child that would outlive it, then hangs.
    script = (
        "import subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(120)\n"
    )
    result = run_command([sys.executable, "-c", script], timeout_s=2)
    assert result.timed_out
    assert result.returncode is None
    child = int(pid_file.read_text())
    for _ in range(50):  # the kernel may take a moment to reap it
        if not _alive(child):
            break
        time.sleep(0.1)
    assert not _alive(child), "the scanner's child survived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


def test_an_unwritable_report_path_is_a_result_not_an_exception(tmp_path):
    result = run_command([sys.executable, "-c", "print(1)"], timeout_s=30, stdout_path=tmp_path / "missing-dir" / "r.json")
    assert result.returncode is None
    assert result.start_error and "cannot write" in result.start_error


_NICENESS_OF_SELF_AND_CHILD = (
    "import os, subprocess, sys\n"
    "child = subprocess.run([sys.executable, '-c', 'import os; print(os.nice(0))'], capture_output=True, text=True)\n"
    "print(os.nice(0), child.stdout.strip())\n"
)


def test_scanners_started_inside_niceness_run_at_it_children_too():
    own = os.nice(0)
    with niceness(5):
        inside = run_command([sys.executable, "-c", _NICENESS_OF_SELF_AND_CHILD], timeout_s=30)
    outside = run_command([sys.executable, "-c", _NICENESS_OF_SELF_AND_CHILD], timeout_s=30)
    expected = min(19, own + 5)
    assert inside.stdout.split() == [str(expected).encode(), str(expected).encode()]
    assert outside.stdout.split() == [str(own).encode(), str(own).encode()]


def test_niceness_is_per_thread():
    """Each tool runs in its own thread with its own niceness: one must not leak into another."""
    seen: list[bytes] = []

    def other_thread() -> None:
        seen.append(run_command([sys.executable, "-c", "import os; print(os.nice(0))"], timeout_s=30).stdout.strip())

    with niceness(7):
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert seen == [str(os.nice(0)).encode()]


_AUTOGROUP = Path("/proc/self/autogroup")


@pytest.mark.skipif(not _AUTOGROUP.exists(), reason="this kernel has no autogroups")
def test_with_autogroups_the_scanners_session_is_niced_too():
    """Autogroups share the CPU between sessions first: each scanner has its own session, so
    only its session's niceness decides its share against the other scanners."""
    script = "print(open('/proc/self/autogroup').read().split()[-1])"
    with niceness(6):
        niced = run_command([sys.executable, "-c", script], timeout_s=30)
    plain = run_command([sys.executable, "-c", script], timeout_s=30)
    assert int(niced.stdout) == min(19, os.nice(0) + 6)
    assert int(plain.stdout) == 0, "a scanner at niceness 0 keeps a new session's default"
