"""The tool-neutral Finding: what every scanner report has in common.

Parsers produce Findings; everything downstream (ASFF, gate, reports) reads only
Findings, never a tool's report. ASFF is built from a Finding in `pipeline.asff`.

Every dataclass here has slots: a large report holds hundreds of thousands of these
objects at once, and without a per-instance `__dict__` each takes a fraction of the
memory (nothing sets attributes a class does not declare).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Severity(enum.IntEnum):
    """Security Hub's severity labels, ordered so that comparisons work."""

    INFORMATIONAL = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Accept a label in any case (`high`, `HIGH`, `info`)."""
        key = value.strip().upper()
        if key == "INFO":
            key = "INFORMATIONAL"
        try:
            return cls[key]
        except KeyError:
            raise ValueError(f"unknown severity {value!r}; use one of {', '.join(s.name for s in cls)}") from None


class Category(str, enum.Enum):
    """Which kind of check produced the finding; drives ASFF Types and the gate's stage."""

    SCA = "sca"
    SAST = "sast"
    IAC = "iac"
    DAST = "dast"
    SECRET = "secret"


@dataclass(frozen=True, slots=True)
class Cvss:
    version: str  # "2.0", "3.0", "3.1", "4.0"
    score: float | None = None
    vector: str | None = None
    source: str | None = None  # who scored it (NVD, GHSA, the tool)


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str | None = None
    fixed_version: str | None = None
    ecosystem: str | None = None  # pip, npm, maven, apk, ...
    file_path: str | None = None  # manifest or jar the package came from


@dataclass(frozen=True, slots=True)
class CodeLocation:
    path: str
    start_line: int | None = None
    end_line: int | None = None
    start_column: int | None = None
    snippet: str | None = None  # only its hash feeds identity; the text is for people


@dataclass(frozen=True, slots=True)
class WebLocation:
    url: str
    method: str | None = None
    parameter: str | None = None
    attack: str | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class IacLocation:
    template: str
    logical_id: str | None = None
    resource_type: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Finding:
    """One issue reported by one tool.

    `severity` is the normalised label; `native_severity` keeps the tool's own
    words (it becomes ASFF `Severity.Original`). `occurrence` separates findings
    that share tool, rule and location key inside one report; it is assigned by
    `pipeline.identity.number_occurrences`, never by hand.
    """

    tool: str
    rule_id: str
    title: str
    severity: Severity
    category: Category
    description: str = ""
    native_severity: str | None = None
    confidence: str | None = None
    cwes: list[int] = field(default_factory=list)
    vulnerability_ids: list[str] = field(default_factory=list)  # CVE-, GHSA-, PYSEC-, ...
    cvss: list[Cvss] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    code_locations: list[CodeLocation] = field(default_factory=list)
    web_locations: list[WebLocation] = field(default_factory=list)
    iac_location: IacLocation | None = None
    references: list[str] = field(default_factory=list)
    remediation: str | None = None
    remediation_url: str | None = None
    suppressed: bool = False
    suppression_reason: str | None = None
    fingerprint: str | None = None  # a tool's own stable key (SARIF partialFingerprints)
    observed_at: datetime | None = None  # when the tool says it saw it
    extra: dict[str, str] = field(default_factory=dict)  # tool-specific facts -> ProductFields
    occurrence: int = 0
