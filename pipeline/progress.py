"""Progress of a scan: a live display on a terminal (rich), plain lines in CI logs, nothing with -q."""
from __future__ import annotations

import os
import sys
import threading
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, TextIO

from pipeline.tools.base import ToolRun

if TYPE_CHECKING:
    from rich.table import Table


class Progress(ABC):
    @abstractmethod
    def started(self, tool: str, stage: str) -> None: ...

    @abstractmethod
    def finished(self, run: ToolRun) -> None: ...

    @abstractmethod
    def note(self, text: str) -> None:
        """Say what the scan is doing between tool runs (importing into the hub, ...)."""

    def close(self) -> None:  # noqa: B027  (optional: only a live display has anything to stop)
        """Stop any live display."""


def _summary(run: ToolRun) -> str:
    count = len(run.findings)
    what = f"{count} finding{'s' if count != 1 else ''}" if run.status.value == "findings" else run.status.value
    detail = f" - {run.detail}" if run.detail and run.status.value not in ("passed", "findings") else ""
    return f"[{run.stage.value}] {run.tool}: {what} ({run.duration_s:.1f}s){detail}"


class PlainProgress(Progress):
    """One line per event; what CodeBuild logs show."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
        self.lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self.lock:
            print(f"secpipe: {text}", file=self.stream, flush=True)

    def started(self, tool: str, stage: str) -> None:
        self._line(f"[{stage}] {tool}: running")

    def finished(self, run: ToolRun) -> None:
        self._line(_summary(run))

    def note(self, text: str) -> None:
        self._line(text)


class QuietProgress(Progress):
    """-q: nothing while the scan runs; the result is printed at the end."""

    def started(self, tool: str, stage: str) -> None:
        pass

    def finished(self, run: ToolRun) -> None:
        pass

    def note(self, text: str) -> None:
        pass


class LiveProgress(Progress):
    """One line per tool, redrawn in place by rich, with the elapsed time of running tools.

    Every line is cut to the terminal's width (never wrapped), and rich moves the
    cursor by what it drew, so a redraw always lands on the previous frame.
    """

    def __init__(self, stream: TextIO = sys.stderr, width: int | None = None):
        # rich only for a terminal: CI logs and -q start their tools without loading it.
        from rich.console import Console
        from rich.live import Live

        self.console = Console(file=stream, width=width, highlight=False, soft_wrap=False)
        self.lock = threading.Lock()
        self.rows: dict[str, str] = {}
        self.started_at: dict[str, float] = {}
        self.stages: dict[str, str] = {}
        self.live = Live(console=self.console, get_renderable=self._render, refresh_per_second=2, transient=False,
                         redirect_stdout=False, redirect_stderr=False)
        self.live.start()

    def _render(self) -> Table:
        from rich.table import Table
        from rich.text import Text

        now = time.monotonic()
        table = Table.grid()
        table.add_column(no_wrap=True, overflow="ellipsis")
        with self.lock:
            for tool, text in self.rows.items():
                if text == "running":
                    text = f"[{self.stages[tool]}] {tool}: running {now - self.started_at[tool]:.0f}s"
                table.add_row(Text(text))
        return table

    def started(self, tool: str, stage: str) -> None:
        with self.lock:
            self.rows[tool] = "running"
            self.stages[tool] = stage
            self.started_at[tool] = time.monotonic()
        self.live.refresh()

    def finished(self, run: ToolRun) -> None:
        with self.lock:
            self.rows[run.tool] = _summary(run)
        self.live.refresh()

    def note(self, text: str) -> None:
        from rich.text import Text

        self.live.console.print(Text(f"secpipe: {text}"), overflow="ellipsis", no_wrap=True)

    def close(self) -> None:
        if self.live.is_started:
            self.live.stop()


class HeldProgress(Progress):
    """Another Progress whose events wait until release(), and are dropped if it never comes.

    A scan starts its tools before it opens the hub; a usage error found while opening it (no
    credentials, --hub none in baseline mode) must stay the one line printed, not follow a
    screenful of "running" lines."""

    def __init__(self, inner: Progress):
        self.inner = inner
        self._lock = threading.Lock()
        self._held: list[tuple[str, tuple[object, ...]]] = []
        self._released = False

    def _event(self, name: str, *args: object) -> None:
        with self._lock:
            if not self._released:
                self._held.append((name, args))
                return
        getattr(self.inner, name)(*args)

    def started(self, tool: str, stage: str) -> None:
        self._event("started", tool, stage)

    def finished(self, run: ToolRun) -> None:
        self._event("finished", run)

    def note(self, text: str) -> None:
        self._event("note", text)

    def release(self) -> None:
        """Show what was held, in its order, and every later event as it comes."""
        with self._lock:  # held: a later event waits, so none overtakes the ones held
            for name, args in self._held:
                getattr(self.inner, name)(*args)
            self._held.clear()
            self._released = True

    def close(self) -> None:
        self.inner.close()


def choose_progress(stream: TextIO = sys.stderr, quiet: bool = False) -> Progress:
    if quiet:
        return QuietProgress()
    live = stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"
    return LiveProgress(stream) if live else PlainProgress(stream)
