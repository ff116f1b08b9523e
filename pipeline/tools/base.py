"""The ToolRunner interface: run one scanner, keep its raw report, say how it went.

One runner per module in this package, registered with `@register`. A runner
never decides pass/fail (the gate does) and never builds ASFF (asff.py does).
"""
from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pipeline.finding import Finding
from pipeline.stages import Stage


class ToolStatus(str, enum.Enum):
    PASSED = "passed"                  # ran over everything, found nothing
    FINDINGS = "findings"              # ran over everything, found something
    INCOMPLETE = "incomplete"          # ran, but could not check everything: never clean
    NOT_INSTALLED = "not installed"
    NOT_CONFIGURED = "not configured"  # e.g. no SonarQube URL/token, no DAST target
    ERROR = "error"

    @property
    def complete(self) -> bool:
        """Only a complete run may archive stale findings or count as clean."""
        return self in (ToolStatus.PASSED, ToolStatus.FINDINGS)


@dataclass(frozen=True)
class ScanTarget:
    """What to scan: a source tree, and for DAST a running application."""

    path: Path
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)  # extra settings (SONAR_HOST_URL, ...)


@dataclass
class ToolRun:
    tool: str
    stage: Stage
    status: ToolStatus
    findings: list[Finding] = field(default_factory=list)
    report_path: Path | None = None  # the raw report as the tool wrote it
    detail: str = ""                 # one line for people: why incomplete, what failed
    duration_s: float = 0.0


class ToolRunner(ABC):
    name: ClassVar[str]    # as in `--stages`/reports; usually the parser's name
    stage: ClassVar[Stage]
    parser: ClassVar[str]  # parsers.registry name of the report it writes
    #: How the tool gets onto a machine when `secpipe tools install` does not pin it
    #: (e.g. "apt-get install -y wapiti", "CodeBuild image only: not installable here").
    #: Empty for the Python scanners pinned in scanners.lock.
    install_hint: ClassVar[str] = ""
    #: Roughly the CPU seconds one run takes on a tree of a few hundred files: only the order
    #: matters. A scan gives the CPU to the costliest tools first (pipeline.tools.schedule), so
    #: the longest one is not left running alone at the end while the other cores idle.
    typical_cpu_s: ClassVar[float] = 1.0
    #: Most of a run is waiting for a service (a vulnerability database, a SonarQube server):
    #: such a tool starts at once, beside the CPU-bound ones, instead of waiting for a place.
    waits_on_network: ClassVar[bool] = False

    def version(self) -> str | None:
        """The installed version for `secpipe tools list`; None when unknown or not installed."""
        return None

    @abstractmethod
    def missing(self) -> str | None:
        """None when the tool can run here; otherwise why not (e.g. 'semgrep not installed')."""

    @abstractmethod
    def applies(self, target: ScanTarget) -> bool:
        """Whether the target has anything for this tool (npm audit needs a package.json)."""

    @abstractmethod
    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        """Run the tool, write its raw report under raw_dir, parse it. Never raises for tool failures."""
