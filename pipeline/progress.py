"""Progress of a scan: a live display on a terminal, plain lines in CI logs."""
from __future__ import annotations

import os
import sys
import threading
import time
from abc import ABC, abstractmethod
from typing import TextIO

from pipeline.tools.base import ToolRun


class Progress(ABC):
    @abstractmethod
    def started(self, tool: str, stage: str) -> None: ...

    @abstractmethod
    def finished(self, run: ToolRun) -> None: ...

    @abstractmethod
    def note(self, text: str) -> None:
        """Say what the scan is doing between tool runs (importing into the hub, ...)."""

    def close(self) -> None:
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


class LiveProgress(Progress):
    """Redraws one line per tool in place, with elapsed time for running tools."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
        self.lock = threading.Lock()
        self.rows: dict[str, str] = {}
        self.started_at: dict[str, float] = {}
        self.stages: dict[str, str] = {}
        self.drawn = 0
        self.stop = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def _tick(self) -> None:
        while not self.stop.wait(0.5):
            self._draw()

    def _draw(self) -> None:
        with self.lock:
            now = time.monotonic()
            lines = []
            for tool, text in self.rows.items():
                if text == "running":
                    text = f"[{self.stages[tool]}] {tool}: running {now - self.started_at[tool]:.0f}s"
                lines.append(text)
            if self.drawn:
                self.stream.write(f"\x1b[{self.drawn}F")
            for line in lines:
                self.stream.write("\x1b[2K" + line + "\n")
            self.stream.flush()
            self.drawn = len(lines)

    def started(self, tool: str, stage: str) -> None:
        with self.lock:
            self.rows[tool] = "running"
            self.stages[tool] = stage
            self.started_at[tool] = time.monotonic()
        self._draw()

    def finished(self, run: ToolRun) -> None:
        with self.lock:
            self.rows[run.tool] = _summary(run)
        self._draw()

    def note(self, text: str) -> None:
        with self.lock:
            self.stream.write(f"secpipe: {text}\n")
            self.stream.flush()
            self.drawn = 0  # the note sits below the tool lines; they are not redrawn over it

    def close(self) -> None:
        self.stop.set()
        self.ticker.join(timeout=1)
        self._draw()


def choose_progress(stream: TextIO = sys.stderr) -> Progress:
    live = stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"
    return LiveProgress(stream) if live else PlainProgress(stream)
