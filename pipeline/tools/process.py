"""Run one scanner process: timeout, stderr tail, whole process group killed on timeout.

Tool failures are data (a `ProcessResult`), never exceptions: the runner turns
them into a ToolRun status.
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STDERR_TAIL_CHARS = 4000
_GRACE_S = 3.0  # between SIGTERM and SIGKILL for a timed-out process group
_STOP_GRACE_S = 1.0  # the same on Ctrl-C, shorter: the user is waiting
_AUTOGROUP_RETRY_S = 2.0  # enough for a dozen tools started at once, 100 ms apart

# Scanners run in their own sessions (so a timeout can kill a whole group), which also
# keeps the terminal's Ctrl-C from reaching them: the live ones are tracked to be stopped.
_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()
# The niceness of the scanners this thread starts (the scan's scheduler sets it per tool thread).
_priority = threading.local()


def stop_all() -> None:
    """Ctrl-C: stop every running scanner's process group now and start no new one."""
    _stopping.set()
    with _live_lock:
        running = list(_live)
    for proc in running:
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_GRACE_S
    for proc in running:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(proc.pid, signal.SIGKILL)


@contextmanager
def niceness(value: int) -> Iterator[None]:
    """Scanners started by this thread inside the block run at this niceness (0: as secpipe itself).

    A higher value only yields the CPU to the others when cores are short; an idle core is
    still used, so nothing waits that could run."""
    previous = getattr(_priority, "value", 0)
    _priority.value = value
    try:
        yield
    finally:
        _priority.value = previous


def _apply_niceness(proc: subprocess.Popen[bytes]) -> None:
    value = getattr(_priority, "value", 0)
    if value <= 0:
        return
    target = min(19, os.getpriority(os.PRIO_PROCESS, 0) + value)
    # The whole process group: a child the scanner forked before this call is in it, and any
    # later one inherits the niceness of its parent.
    try:
        os.setpriority(os.PRIO_PGRP, proc.pid, target)
    except (ProcessLookupError, PermissionError):
        pass  # it already ended, or the system refuses: it runs at secpipe's own priority
    # With autogroups (sched_autogroup_enabled, the default of many kernels) the CPU is shared
    # between sessions first, and a process's own niceness counts only within its session. Each
    # scanner has a session of its own (start_new_session), so its session's niceness is the one
    # that decides its share against the other scanners.
    # Without CAP_SYS_ADMIN (a container) the kernel takes one such change per 100 ms from the
    # whole system (EAGAIN otherwise): tools start together, so a later one waits its turn.
    deadline = time.monotonic() + _AUTOGROUP_RETRY_S
    while True:
        try:
            with open(f"/proc/{proc.pid}/autogroup", "w") as autogroup:
                autogroup.write(str(target))
            return
        except OSError as exc:
            if exc.errno != errno.EAGAIN or time.monotonic() > deadline or proc.poll() is not None:
                return  # no autogroups here, or it ended: the process niceness above is what counts
            time.sleep(0.02)


def allow_new_processes() -> None:
    """A new scan may start scanners again (after an earlier stop_all in this process)."""
    _stopping.clear()


@dataclass(frozen=True)
class ProcessResult:
    argv: tuple[str, ...]
    returncode: int | None     # None when it timed out or could not start
    stdout: bytes              # empty when stdout went to a file
    stderr_tail: str           # the last STDERR_TAIL_CHARS characters, decoded leniently
    duration_s: float
    timed_out: bool = False
    start_error: str | None = None  # why the executable could not be started

    @property
    def started(self) -> bool:
        return self.start_error is None

    def stderr_line(self, limit: int = 300) -> str:
        """The most telling line of stderr for a one-line detail: the last non-empty one."""
        lines = [line.strip() for line in self.stderr_tail.splitlines() if line.strip()]
        return lines[-1][:limit] if lines else ""


def scanner_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a scanner: ours, plus extras, minus colour and pagers
    (they would decorate machine-readable output)."""
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "PAGER": "cat", "PYTHONUNBUFFERED": "1"})
    if extra:
        env.update(extra)
    return env


def run_command(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout_s: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdout_path: Path | None = None,
    stdin_data: bytes | None = None,
) -> ProcessResult:
    """Run argv in its own process group. stdout goes to `stdout_path` when given
    (large reports never pass through memory), else is returned. Never raises for
    the tool's own failures: a missing executable, a crash or a timeout all come
    back as a ProcessResult."""
    args = tuple(os.fspath(a) for a in argv)
    started = time.monotonic()
    if _stopping.is_set():
        return ProcessResult(args, None, b"", "", 0.0, start_error="interrupted before it started")
    with tempfile.TemporaryFile() as err_file, tempfile.TemporaryFile() as out_tmp:
        try:
            out_target = open(stdout_path, "wb") if stdout_path is not None else out_tmp  # noqa: SIM115
        except OSError as exc:
            return ProcessResult(args, None, b"", "", time.monotonic() - started,
                                 start_error=f"cannot write {stdout_path}: {exc.strerror or exc}")
        try:
            try:
                proc = subprocess.Popen(
                    args,
                    cwd=cwd,
                    env=dict(env) if env is not None else scanner_environment(),
                    stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                    stdout=out_target,
                    stderr=err_file,
                    start_new_session=True,  # own process group: a timeout kills its children too
                )
            except OSError as exc:
                return ProcessResult(args, None, b"", "", time.monotonic() - started,
                                     start_error=f"cannot run {args[0]}: {exc.strerror or exc}")
            _apply_niceness(proc)
            timed_out = False
            with _live_lock:
                _live.add(proc)
            try:
                if stdin_data is not None:
                    proc.communicate(stdin_data, timeout=timeout_s)
                else:
                    proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(proc)
            except BaseException:
                _kill_group(proc)  # Ctrl-C or anything else: leave no scanner behind
                raise
            finally:
                with _live_lock:
                    _live.discard(proc)
                # Children that outlived a finished parent still belong to its group.
                _kill_group(proc, only_leftovers=True)
        finally:
            if stdout_path is not None:
                out_target.close()
        out_tmp.seek(0)
        stdout = out_tmp.read() if stdout_path is None else b""
        stderr_tail = _tail(err_file)
    return ProcessResult(
        args,
        None if timed_out else proc.returncode,
        stdout,
        stderr_tail,
        time.monotonic() - started,
        timed_out=timed_out,
    )


def _kill_group(proc: subprocess.Popen[bytes], only_leftovers: bool = False) -> None:
    pgid = proc.pid  # start_new_session made the scanner its group's leader
    if only_leftovers:
        _signal_group(pgid, signal.SIGKILL)
        return
    _signal_group(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=_GRACE_S)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(pgid, signal.SIGKILL)
    try:
        proc.wait(timeout=_GRACE_S)
    except subprocess.TimeoutExpired:
        pass


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(stream) -> str:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - STDERR_TAIL_CHARS * 4))
    return stream.read().decode("utf-8", errors="replace")[-STDERR_TAIL_CHARS:]
