"""The CWE that names the weakness a scanner rule finds, one table per tool.

Scanners label some rules with a CWE that describes a symptom or a parent
class rather than the weakness: bandit calls eval() CWE-78 (it is code
injection), its XML parser rules CWE-20 (the weakness is XXE, CWE-611) and
yaml.load CWE-20 (deserialisation, CWE-502). With one table per tool, the
same weakness carries the same CWE whichever tool found it, and Security Hub
filters and the gate can rely on it.

The tool's own CWE is never thrown away: `weakness_cwes` puts the mapped CWE
first and keeps the reported one after it, so a filter on the tool's label
still matches. Documented in parsers/README.md ("CWE mapping").
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class CweTable:
    """Rule id -> the CWEs that name its weakness, for one tool."""

    tool: str
    by_rule: Mapping[str, tuple[int, ...]]
    # How a reported rule id becomes a table key (semgrep prefixes registry ids with their path).
    key: Callable[[str], str] = field(default=lambda rule_id: rule_id)

    def lookup(self, rule_id: str) -> tuple[int, ...]:
        return self.by_rule.get(self.key(rule_id), ())


_CODE_INJECTION_EVAL = (95,)
_CODE_INJECTION = (94,)
_XXE = (611,)
_DESERIALISATION = (502,)
_WEAK_HASH = (328,)
_WEAK_RANDOM = (338,)
_HARD_CODED_CREDENTIAL = (798,)
_XSS = (79,)

BANDIT = CweTable("bandit", MappingProxyType({
    "B102": _CODE_INJECTION,           # exec_used: reported as CWE-78
    "B307": _CODE_INJECTION_EVAL,      # eval: reported as CWE-78
    "B105": _HARD_CODED_CREDENTIAL,    # hard-coded password string: reported as CWE-259 (a child of 798)
    "B106": _HARD_CODED_CREDENTIAL,
    "B107": _HARD_CODED_CREDENTIAL,
    "B201": (489,),                    # flask debug=True: active debug code, reported as CWE-94
    "B303": _WEAK_HASH,                # md5/sha1: reported as CWE-327 (broken cipher, not weak hash)
    "B324": _WEAK_HASH,                # hashlib.new('md5'): reported as CWE-327
    "B311": _WEAK_RANDOM,              # random.*: reported as CWE-330
    # XML parser calls: reported as CWE-20 (input validation), the weakness is XXE. Their imports
    # (B405-B411) only say "consider the implications": not a finding of XXE, left as bandit says.
    **{test_id: _XXE for test_id in ("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320")},
    "B506": _DESERIALISATION,          # yaml.load: reported as CWE-20
    "B701": _XSS,                      # jinja2 autoescape=False: reported as CWE-94
    "B702": _XSS,                      # mako templates: reported as CWE-80
    "B703": _XSS,                      # django mark_safe: reported as CWE-80
}))


def _semgrep_rule_name(check_id: str) -> str:
    """Registry ids are dotted paths (python.lang.security.audit.eval-detected.eval-detected): the last part names the rule."""
    return check_id.rsplit(".", 1)[-1]


# Registry rules whose metadata names a parent or a neighbour; secpipe's own
# rules (pipeline/tools/semgrep_rules) carry the right CWE in their metadata.
SEMGREP = CweTable("semgrep", MappingProxyType({
    "eval-detected": _CODE_INJECTION_EVAL,
    "exec-detected": _CODE_INJECTION,
    "md5-used": _WEAK_HASH,
    "insecure-hash-algorithm-md5": _WEAK_HASH,
    "insecure-hash-algorithm-sha1": _WEAK_HASH,
    "insecure-hash-function": _WEAK_HASH,
    "avoid-pyyaml-load": _DESERIALISATION,
    "use-defused-xml": _XXE,
    "use-defused-xml-parse": _XXE,
}), key=_semgrep_rule_name)

TABLES: Mapping[str, CweTable] = MappingProxyType({table.tool: table for table in (BANDIT, SEMGREP)})


def weakness_cwes(tool: str, rule_id: str, reported: Iterable[int]) -> list[int]:
    """The CWEs of one finding: the weakness's CWE from the tool's table first,
    then the tool's own ones (kept, without repeats)."""
    table = TABLES.get(tool)
    mapped = table.lookup(rule_id) if table else ()
    return list(dict.fromkeys((*mapped, *reported)))
