"""pip-audit JSON (`pip-audit -f json`): one finding per entry of a dependency's `vulns`.

Two layouts: before 2.5 the report is a bare list of dependencies; from 2.5 on it
is `{"dependencies": [...], "fixes": [...]}`. Dependencies pip-audit could not
audit carry a `skip_reason` and no `vulns`: they are not findings (whether the
audit was complete is the tool runner's business, not the parser's).
"""
from __future__ import annotations

import re
from typing import Any

from parsers._advisory_ids import vulnerability_ids
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Cvss, Finding, Package

_NEW_LAYOUT_KEYS = {"dependencies", "fixes"}
_NUMBER = re.compile(r"\d+")


def _release(version: str) -> tuple[int, ...]:
    """The numeric release parts of a version; enough to order the fix versions pip-audit lists."""
    return tuple(int(n) for n in _NUMBER.findall(version))


def nearest_fix(installed: str | None, fixes: list[str]) -> str | None:
    """The lowest fix version above the installed one: pip-audit lists one per release line
    (django 3.2.9 -> 2.2.25, 3.1.14, 3.2.10), and only 3.2.10 is the upgrade to make."""
    if not fixes:
        return None
    if installed:
        above = [f for f in fixes if _release(f) > _release(installed)]
        if above:
            return min(above, key=_release)
    return max(fixes, key=_release)


def _dependencies(report: Report, doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    expect(report, isinstance(doc, dict) and isinstance(doc.get("dependencies"), list) and set(doc) <= _NEW_LAYOUT_KEYS,
           "not a pip-audit JSON report (expected a list of dependencies or {'dependencies': [...]})")
    return doc["dependencies"]


def _cvss(vuln: dict[str, Any]) -> list[Cvss]:
    """pip-audit prints no CVSS today; OSV-style `severity` entries are read if a future version adds them."""
    scores = []
    for entry in vuln.get("severity") or []:
        if isinstance(entry, dict) and str(entry.get("type", "")).upper().startswith("CVSS_V"):
            vector = str(entry.get("score", ""))
            version = vector.split("/", 1)[0].removeprefix("CVSS:") if vector.startswith("CVSS:") else "2.0"
            scores.append(Cvss(version=version, vector=vector, source="pip-audit"))
    return scores


@register
class PipAuditParser(Parser):
    name = "pip-audit"
    category = Category.SCA
    formats = "pip-audit -f json (the list layout before 2.5 and the {dependencies, fixes} layout)"
    prints_bare_empty_list = True

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        if isinstance(doc, dict):
            if not (isinstance(doc.get("dependencies"), list) and set(doc) <= _NEW_LAYOUT_KEYS):
                return False
            doc = doc["dependencies"]
            if not doc:
                return True
        # A bare [] carries no mark of pip-audit (cfn-lint prints the same): it is not claimed.
        return (isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict)
                and "name" in doc[0] and ("vulns" in doc[0] or "skip_reason" in doc[0]))

    def parse(self, report: Report) -> list[Finding]:
        findings = []
        for dependency in _dependencies(report, report.json()):
            expect(report, isinstance(dependency, dict) and isinstance(dependency.get("name"), str),
                   "a pip-audit dependency has no 'name'")
            for vuln in dependency.get("vulns") or []:
                expect(report, isinstance(vuln, dict) and bool(vuln.get("id")), "a pip-audit vulnerability has no 'id'")
                findings.append(self._finding(dependency, vuln))
        return findings

    def _finding(self, dependency: dict[str, Any], vuln: dict[str, Any]) -> Finding:
        name, version = dependency["name"], dependency.get("version")
        vuln_id = str(vuln["id"])
        aliases = [str(a) for a in vuln.get("aliases") or []]
        fixes = [str(v) for v in vuln.get("fix_versions") or []]
        cvss = _cvss(vuln)
        # The advisory's own id first (PYSEC-, GHSA-, ...), then its CVE/GHSA aliases.
        ids = list(dict.fromkeys([vuln_id, *vulnerability_ids(" ".join(aliases)), *aliases]))
        references = [f"https://osv.dev/vulnerability/{vuln_id}"]
        return Finding(
            tool=self.name,
            rule_id=vuln_id,
            title=f"{vuln_id} in {name}:{version}",
            description=str(vuln.get("description") or f"{name} {version} is affected by {vuln_id}."),
            severity=severity.decide(self.name, None, cvss),
            native_severity=None,
            category=self.category,
            vulnerability_ids=ids,
            cvss=cvss,
            packages=[Package(name=name, version=version, fixed_version=nearest_fix(version, fixes), ecosystem="pip")],
            references=references,
            remediation=f"Upgrade {name} to {' or '.join(fixes)}." if fixes else "No fixed version is known yet.",
            extra={"fix-versions": ", ".join(fixes)} if fixes else {},
        )
