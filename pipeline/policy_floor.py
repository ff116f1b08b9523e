"""The central policy floor: the security team's policy that a scanned repository's own
`.secpipe.toml` may only tighten.

In the AWS pipeline the central policy lives in SSM Parameter Store (or a file in the
artifact bucket) and reaches `secpipe` through the environment:

    SECPIPE_CENTRAL_POLICY        the policy's TOML text (CodeBuild resolves it from SSM)
    SECPIPE_CENTRAL_POLICY_FILE   or a path to it
    SECPIPE_CENTRAL_POLICY_SOURCE what to call it in messages (e.g. ssm:/secpipe/x/central-policy)

The central document has the repository policy's keys ([gate], [tools], [[suppress]],
read by pipeline.policy) plus one table of its own:

    [central]
    repo_suppressions = true      # may the repository's [[suppress]] entries hide findings at all
    max_suppression_days = 90     # ... and for at most this many days from today

Each setting the repository file makes is compared with the floor: a tighter or equal
value takes effect, a looser one is refused (reported, the floor's value kept). A
setting the repository does not make is the floor's. The central [[suppress]] entries
(the security team's) always apply; the repository's only as [central] allows.
"""
from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.finding import Severity
from pipeline.policy import Policy, Suppression, Threshold, parse_policy
from pipeline.stages import Stage

CENTRAL_POLICY_ENV = "SECPIPE_CENTRAL_POLICY"
CENTRAL_POLICY_FILE_ENV = "SECPIPE_CENTRAL_POLICY_FILE"
CENTRAL_POLICY_SOURCE_ENV = "SECPIPE_CENTRAL_POLICY_SOURCE"
_CENTRAL_TABLE = "central"
# A run policy ("incomplete", "missing"): how strict each value is.
_RUN_POLICY_STRICTNESS = {"warn": 0, "fail": 1}

log = logging.getLogger("secpipe.policy")


@dataclass(frozen=True)
class SuppressionRules:
    """What the repository's own [[suppress]] entries may do."""

    repo_suppressions: bool = True
    max_suppression_days: int | None = None


@dataclass(frozen=True)
class CentralPolicy:
    floor: Policy
    rules: SuppressionRules
    source: str


@dataclass(frozen=True)
class Refusal:
    """One repository setting that would have loosened the floor."""

    setting: str
    asked: str
    floor: str

    def message(self) -> str:
        return f"{self.setting} = {self.asked} would loosen the central policy ({self.floor}); ignored"


@dataclass(frozen=True)
class FlooredPolicy:
    policy: Policy
    refused: tuple[Refusal, ...]


# --- reading the central policy --------------------------------------------------------


def central_policy_from(environ: Mapping[str, str]) -> CentralPolicy | None:
    """The central policy the environment names, or None when it names none."""
    text = environ.get(CENTRAL_POLICY_ENV)
    source = environ.get(CENTRAL_POLICY_SOURCE_ENV)
    if text is None and environ.get(CENTRAL_POLICY_FILE_ENV):
        path = Path(environ[CENTRAL_POLICY_FILE_ENV])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"central policy {path}: cannot read it ({exc.strerror})") from None
        source = source or str(path)
    if text is None:
        return None
    return parse_central_policy(text, source or f"${CENTRAL_POLICY_ENV}")


def parse_central_policy(text: str, source: str) -> CentralPolicy:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"central policy {source}: not valid TOML ({exc})") from None
    table = document.pop(_CENTRAL_TABLE, {})
    try:
        floor = parse_policy(document, source=f"central policy {source}")
        rules = _suppression_rules(table)
    except ConfigError as exc:
        raise ConfigError(f"central policy {source}: {exc}") from None
    return CentralPolicy(floor=floor, rules=rules, source=source)


def _suppression_rules(table: Any) -> SuppressionRules:
    if not isinstance(table, dict):
        raise ConfigError(f"[{_CENTRAL_TABLE}]: expected a table")
    unknown = set(table) - {"repo_suppressions", "max_suppression_days"}
    if unknown:
        raise ConfigError(f"[{_CENTRAL_TABLE}]: unknown key(s) {', '.join(sorted(unknown))}; "
                          "allowed: max_suppression_days, repo_suppressions")
    allowed = table.get("repo_suppressions", True)
    if not isinstance(allowed, bool):
        raise ConfigError(f"[{_CENTRAL_TABLE}] repo_suppressions must be true or false")
    days = table.get("max_suppression_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
        raise ConfigError(f"[{_CENTRAL_TABLE}] max_suppression_days must be a whole number >= 0")
    return SuppressionRules(repo_suppressions=allowed, max_suppression_days=days)


# --- applying the floor ------------------------------------------------------------------


def with_central_floor(document: dict[str, Any], repo: Policy, environ: Mapping[str, str] | None = None,
                       today: date | None = None) -> Policy:
    """The hook pipeline.policy.load_policy calls: the repository's policy held to the
    central floor, when the environment names one; each refused setting is logged."""
    central = central_policy_from(os.environ if environ is None else environ)
    if central is None:
        return repo
    floored = apply_floor(document, repo, central, today or date.today())
    for refusal in floored.refused:
        log.warning("%s: %s", repo.source, refusal.message())
    return floored.policy


def apply_floor(document: dict[str, Any], repo: Policy, central: CentralPolicy, today: date) -> FlooredPolicy:
    """`repo` (parsed from `document`, the repository's policy table) held to the floor."""
    refused: list[Refusal] = []
    floor = central.floor
    gate = document.get("gate") or {}
    stage_tables = gate.get("stages") or {}
    stages = {stage: _threshold(stage, gate, stage_tables.get(stage.value), repo.threshold(stage),
                                floor.threshold(stage), refused)
              for stage in Stage}
    incomplete = _run_policy("incomplete", gate, repo.incomplete, floor.incomplete, refused)
    missing = _run_policy("missing", gate, repo.missing, floor.missing, refused)
    baseline = floor.baseline_branch
    if "baseline_branch" in gate and repo.baseline_branch != floor.baseline_branch:
        # Baseline mode passes findings already on the branch: choosing it (or another branch) loosens.
        refused.append(Refusal("[gate] baseline_branch", f'"{repo.baseline_branch}"',
                               f'baseline "{floor.baseline_branch}"' if floor.baseline_branch else "no baseline mode"))
    timeouts = dict(floor.timeouts)
    for tool, seconds in repo.timeouts.items():
        # A shorter timeout than the security team set cuts that scanner's run short.
        if tool in floor.timeouts and seconds < floor.timeouts[tool]:
            refused.append(Refusal(f"[tools.{tool}] timeout", f"{seconds:g}", f"at least {floor.timeouts[tool]:g} s"))
        else:
            timeouts[tool] = seconds
    suppressions = floor.suppressions + tuple(
        s for s in repo.suppressions if _suppression_allowed(s, central.rules, today, refused))
    policy = replace(floor, default=_default(floor, repo, gate),
                     stages=stages, incomplete=incomplete, missing=missing, baseline_branch=baseline,
                     suppressions=suppressions, timeouts=timeouts,
                     source=_source(central, repo, refused))
    return FlooredPolicy(policy=policy, refused=tuple(_unique(refused)))


def _default(floor: Policy, repo: Policy, gate: dict[str, Any]) -> Threshold:
    """The threshold of a stage without its own table (every stage is resolved explicitly
    above, so this only shows in what the policy reports as its default)."""
    return _combined(floor.default, repo.default, "[gate]" if "fail_on" in gate else None,
                     dict.fromkeys(_severities(gate), "[gate]"), [])


def _threshold(stage: Stage, gate: dict[str, Any], table: dict[str, Any] | None, repo: Threshold, floor: Threshold,
               refused: list[Refusal]) -> Threshold:
    table = table or {}
    own = f"[gate.stages.{stage.value}]"
    fail_on_from = own if "fail_on" in table else "[gate]" if "fail_on" in gate else None
    # Where each count limit of this stage was written (the stage's table wins, as in parse_policy).
    counts_from = {**dict.fromkeys(_severities(gate), "[gate]"), **dict.fromkeys(_severities(table), own)}
    return _combined(floor, repo, fail_on_from, counts_from, refused)


def _combined(floor: Threshold, repo: Threshold, fail_on_from: str | None, counts_from: dict[Severity, str],
              refused: list[Refusal]) -> Threshold:
    """The floor, with each setting the repository wrote (and where) that is at least as strict."""
    fail_on = floor.fail_on
    if fail_on_from is not None:
        if _at_least_as_strict(repo.fail_on, floor.fail_on):
            fail_on = repo.fail_on
        else:
            refused.append(Refusal(f"{fail_on_from} fail_on", _label(repo.fail_on),
                                   f"fail_on = {_label(floor.fail_on)}"))
    counts = dict(floor.max_counts)
    for severity, where in sorted(counts_from.items()):
        limit = repo.max_counts[severity]
        if severity in floor.max_counts and limit > floor.max_counts[severity]:
            refused.append(Refusal(f"{where} max_counts.{severity.name.lower()}", str(limit),
                                   f"at most {floor.max_counts[severity]}"))
        else:
            counts[severity] = limit
    return Threshold(fail_on, counts)


def _at_least_as_strict(asked: Severity | None, floor: Severity | None) -> bool:
    """A lower fail_on severity fails on more findings; None never fails on severity."""
    if asked is None:
        return floor is None
    return floor is None or asked <= floor


def _severities(table: dict[str, Any]) -> list[Severity]:
    # parse_policy has already refused any label that is not a severity.
    return [Severity.parse(label) for label in (table.get("max_counts") or {})]


def _run_policy(key: str, gate: dict[str, Any], asked: str, floor: str, refused: list[Refusal]) -> str:
    if key not in gate:
        return floor
    if _RUN_POLICY_STRICTNESS[asked] < _RUN_POLICY_STRICTNESS[floor]:
        refused.append(Refusal(f"[gate] {key}", f'"{asked}"', f'{key} = "{floor}"'))
        return floor
    return asked


def _suppression_allowed(suppression: Suppression, rules: SuppressionRules, today: date,
                         refused: list[Refusal]) -> bool:
    if not rules.repo_suppressions:
        refused.append(Refusal("[[suppress]]", suppression.describe(), "the repository may not suppress findings"))
        return False
    if rules.max_suppression_days is not None and suppression.expires > today + timedelta(days=rules.max_suppression_days):
        refused.append(Refusal("[[suppress]]", suppression.describe(),
                               f"suppressions end within {rules.max_suppression_days} days"))
        return False
    return True


def _label(severity: Severity | None) -> str:
    return '"none"' if severity is None else f'"{severity.name.lower()}"'


def _unique(refused: list[Refusal]) -> list[Refusal]:
    """A [gate] setting refused for every stage is one refusal."""
    return list(dict.fromkeys(refused))


def _source(central: CentralPolicy, repo: Policy, refused: list[Refusal]) -> str:
    ignored = len(_unique(refused))
    note = f", {ignored} loosening setting(s) ignored" if ignored else ""
    return f"{repo.source} on the central policy {central.source}{note}"
