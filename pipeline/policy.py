"""The gate policy: thresholds, limits, suppressions with expiry, baseline mode.

Read from `.secpipe.toml` (top level) or `[tool.secpipe]` in pyproject.toml:

    [gate]
    fail_on = "high"          # default threshold for every stage; "none" never fails on severity
    incomplete = "fail"       # what an incomplete or failed tool run does: "fail" | "warn"
    missing = "warn"          # a tool that applies but is not installed/configured: "fail" | "warn"
    baseline_branch = "main"  # baseline mode: fail only on findings not already on this branch

    [gate.max_counts]         # at most N findings at this severity or above (all stages)
    medium = 20

    [gate.stages.sca]         # per-stage overrides
    fail_on = "critical"
    max_counts = { high = 5 }

    [tools.semgrep]
    timeout = 900             # seconds

    [[suppress]]              # one entry per suppression; id, rule or path (glob), optionally tool
    rule = "B101"
    path = "tests/**"
    reason = "asserts are how pytest works"
    expires = 2027-06-30      # required: a suppression without an end is a permanent blind spot
"""
from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.finding import Finding, Severity
from pipeline.identity import normalise_path
from pipeline.stages import Stage

POLICY_FILE = ".secpipe.toml"
DEFAULT_TIMEOUT_S = 900.0
_RUN_POLICIES = ("fail", "warn")


@dataclass(frozen=True)
class Threshold:
    fail_on: Severity | None  # None: never fail on severity
    max_counts: dict[Severity, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Suppression:
    reason: str
    expires: date
    id: str | None = None
    rule: str | None = None
    path: str | None = None
    tool: str | None = None

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in (("id", self.id), ("tool", self.tool), ("rule", self.rule), ("path", self.path)) if v]
        return f"{' '.join(parts)} (expires {self.expires.isoformat()}: {self.reason})"

    def matches(self, finding: Finding, finding_id: str) -> bool:
        if self.id is not None and self.id != finding_id:
            return False
        if self.tool is not None and self.tool != finding.tool:
            return False
        if self.rule is not None and self.rule != finding.rule_id:
            return False
        if self.path is not None:
            paths = [loc.path for loc in finding.code_locations]
            if finding.iac_location:
                paths.append(finding.iac_location.template)
            paths += [p.file_path for p in finding.packages if p.file_path]
            if not any(fnmatch.fnmatch(normalise_path(p), self.path) for p in paths):
                return False
        return True


@dataclass(frozen=True)
class Policy:
    default: Threshold = Threshold(Severity.HIGH)
    stages: dict[Stage, Threshold] = field(default_factory=dict)
    incomplete: str = "fail"
    missing: str = "warn"
    baseline_branch: str | None = None
    suppressions: tuple[Suppression, ...] = ()
    timeouts: dict[str, float] = field(default_factory=dict)
    source: str = "built-in defaults"

    def threshold(self, stage: Stage) -> Threshold:
        return self.stages.get(stage, self.default)

    def timeout(self, tool: str) -> float:
        return self.timeouts.get(tool, DEFAULT_TIMEOUT_S)

    def active_suppressions(self, today: date) -> list[Suppression]:
        return [s for s in self.suppressions if s.expires >= today]

    def expired_suppressions(self, today: date) -> list[Suppression]:
        return [s for s in self.suppressions if s.expires < today]


def find_policy_file(project: Path) -> Path | None:
    """`.secpipe.toml`, else a pyproject.toml that has `[tool.secpipe]`."""
    candidate = project / POLICY_FILE
    if candidate.is_file():
        return candidate
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "secpipe" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return pyproject
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{pyproject}: not valid TOML ({exc})") from None
    return None


def load_policy(project: Path, explicit: Path | None = None) -> Policy:
    path = explicit or find_policy_file(project)
    if path is None:
        return _held_to_central_floor({}, Policy())
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read policy ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    if path.name == "pyproject.toml":
        document = document.get("tool", {}).get("secpipe", {})
    try:
        policy = parse_policy(document, source=str(path))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return _held_to_central_floor(document, policy)


def _held_to_central_floor(document: dict[str, Any], policy: Policy) -> Policy:
    """A central policy (the pipeline's, see pipeline.policy_floor) that this one may only tighten."""
    from pipeline.policy_floor import with_central_floor  # it builds on this module

    return with_central_floor(document, policy)


def parse_policy(document: dict[str, Any], source: str = "policy") -> Policy:
    _only_keys(document, {"gate", "suppress", "tools"}, "top level")
    gate = document.get("gate", {})
    _only_keys(gate, {"fail_on", "incomplete", "missing", "baseline_branch", "max_counts", "stages"}, "[gate]")
    default = _threshold(gate, "[gate]", None)
    stages = {}
    for name, table in (gate.get("stages") or {}).items():
        try:
            stage = Stage(name)
        except ValueError:
            raise ConfigError(f"[gate.stages.{name}]: unknown stage; use {', '.join(s.value for s in Stage)}") from None
        _only_keys(table, {"fail_on", "max_counts"}, f"[gate.stages.{name}]")
        stages[stage] = _threshold(table, f"[gate.stages.{name}]", default)
    incomplete = _choice(gate, "incomplete", "fail")
    missing = _choice(gate, "missing", "warn")
    baseline = gate.get("baseline_branch")
    if baseline is not None and (not isinstance(baseline, str) or not baseline.strip()):
        raise ConfigError("[gate] baseline_branch must be a branch name")
    timeouts = {}
    for tool, table in (document.get("tools") or {}).items():
        _only_keys(table, {"timeout"}, f"[tools.{tool}]")
        if "timeout" in table:
            value = table["timeout"]
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"[tools.{tool}] timeout must be a positive number of seconds")
            timeouts[tool] = float(value)
    suppressions = tuple(_suppression(entry, index) for index, entry in enumerate(document.get("suppress") or []))
    return Policy(default=default, stages=stages, incomplete=incomplete, missing=missing, baseline_branch=baseline,
                  suppressions=suppressions, timeouts=timeouts, source=source)


def _only_keys(table: Any, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def _severity(value: Any, where: str) -> Severity | None:
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: severity must be a string")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _threshold(table: dict[str, Any], where: str, inherit: Threshold | None) -> Threshold:
    base = inherit or Threshold(Severity.HIGH)
    fail_on = _severity(table["fail_on"], f"{where} fail_on") if "fail_on" in table else base.fail_on
    counts = dict(base.max_counts)
    for label, limit in (table.get("max_counts") or {}).items():
        severity = _severity(label, f"{where} max_counts")
        if severity is None or not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            raise ConfigError(f"{where} max_counts: {label} = {limit!r}: use a severity and a whole number >= 0")
        counts[severity] = limit
    return Threshold(fail_on, counts)


def _choice(gate: dict[str, Any], key: str, default: str) -> str:
    value = gate.get(key, default)
    if value not in _RUN_POLICIES:
        raise ConfigError(f"[gate] {key} must be one of {', '.join(_RUN_POLICIES)}, not {value!r}")
    return value


def _suppression(entry: Any, index: int) -> Suppression:
    where = f"[[suppress]] #{index + 1}"
    _only_keys(entry, {"id", "rule", "path", "tool", "reason", "expires"}, where)
    if not any(entry.get(k) for k in ("id", "rule", "path")):
        raise ConfigError(f"{where}: needs at least one of id, rule or path")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ConfigError(f"{where}: needs a reason")
    expires = entry.get("expires")
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(f"{where}: expires must be a date like 2027-01-31") from None
    if not isinstance(expires, date):
        raise ConfigError(f"{where}: needs an expires date (a suppression without an end is a permanent blind spot)")
    return Suppression(reason=reason.strip(), expires=expires, id=entry.get("id"), rule=entry.get("rule"),
                       path=entry.get("path"), tool=entry.get("tool"))
