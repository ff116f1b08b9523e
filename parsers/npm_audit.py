"""npm audit JSON (`npm audit --json`), both layouts.

- npm <= 6 (`advisories` map, auditReportVersion 1): one finding per advisory;
  the dependency paths it was found on are details of that finding.
- npm >= 7 (auditReportVersion 2, `vulnerabilities` map): one finding per
  vulnerable package, including packages that are only vulnerable through
  another package (`via` names it); the advisories are details of the finding.

An error report (`{"error": {"code": "ENOAUDIT", ...}}`) means the audit did not
run: it is a ReportError, never "no findings".
"""
from __future__ import annotations

from typing import Any

from parsers._advisory_ids import cwe_numbers, vulnerability_ids
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Cvss, Finding, Package, Severity

MAX_PATHS_IN_EXTRA = 20


def _cvss(value: Any) -> list[Cvss]:
    """npm's `cvss: {score, vectorString}`; score 0 with no vector means 'not scored'."""
    if not isinstance(value, dict):
        return []
    score, vector = value.get("score"), value.get("vectorString")
    if not vector and not score:
        return []
    version = "3.1"
    if isinstance(vector, str) and vector.startswith("CVSS:"):
        version = vector.split("/", 1)[0].removeprefix("CVSS:")
    return [Cvss(version=version, score=float(score) if isinstance(score, (int, float)) else None,
                 vector=vector if isinstance(vector, str) else None, source="npm")]


def _cwe_text(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _error(report: Report, doc: Any) -> None:
    error = doc.get("error") if isinstance(doc, dict) else None
    if error is not None:
        if isinstance(error, dict):
            detail = " ".join(str(error.get(k)) for k in ("code", "summary") if error.get(k))
        else:
            detail = str(error)
        raise report.fail(f"npm audit did not run: {detail or 'error report'}")


@register
class NpmAuditParser(Parser):
    name = "npm-audit"
    category = Category.SCA
    formats = "npm audit --json (npm 6 'advisories' and npm 7+ 'vulnerabilities' layouts)"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        if not isinstance(doc, dict):
            return False
        if "auditReportVersion" in doc or ("advisories" in doc and "metadata" in doc):
            return True
        error = doc.get("error")
        return set(doc) == {"error"} and isinstance(error, dict) and str(error.get("code", "")).startswith("E")

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        _error(report, doc)
        expect(report, isinstance(doc, dict), "not an npm audit JSON report (expected an object)")
        if isinstance(doc.get("vulnerabilities"), dict) and "auditReportVersion" in doc:
            return [self._package_finding(report, name, entry) for name, entry in doc["vulnerabilities"].items()]
        expect(report, isinstance(doc.get("advisories"), dict),
               "not an npm audit JSON report (neither 'advisories' nor 'vulnerabilities')")
        return [self._advisory_finding(report, advisory) for advisory in doc["advisories"].values()]

    # npm <= 6 ---------------------------------------------------------------------------------
    def _advisory_finding(self, report: Report, advisory: Any) -> Finding:
        expect(report, isinstance(advisory, dict) and "module_name" in advisory, "an npm advisory has no 'module_name'")
        module = str(advisory["module_name"])
        url = advisory.get("url") if isinstance(advisory.get("url"), str) else None
        ids = vulnerability_ids(" ".join([*map(str, advisory.get("cves") or []),
                                          str(advisory.get("github_advisory_id") or ""), url or ""]))
        cvss = _cvss(advisory.get("cvss"))
        native = advisory.get("severity")
        paths: list[str] = []
        first_path: dict[str, str | None] = {}  # installed version -> the first dependency path it sits on
        for occurrence in advisory.get("findings") or []:
            if isinstance(occurrence, dict):
                found_on = [str(p) for p in occurrence.get("paths") or []]
                first_path.setdefault(str(occurrence.get("version") or ""), found_on[0] if found_on else None)
                paths.extend(found_on)
        patched = advisory.get("patched_versions")
        fixed = str(patched) if patched and patched != "<0.0.0" else None  # npm writes <0.0.0 for "no fix"
        packages = [Package(name=module, version=v or None, fixed_version=fixed, ecosystem="npm", file_path=path)
                    for v, path in (first_path or {"": None}).items()]
        references = [url] if url else []
        rule = ids[0] if ids else f"npm-advisory-{advisory.get('id')}"
        return Finding(
            tool=self.name,
            rule_id=rule,
            title=f"{module}: {advisory.get('title') or rule}",
            description=str(advisory.get("overview") or advisory.get("title") or ""),
            severity=severity.decide(self.name, native, cvss),
            native_severity=str(native) if native else None,
            category=self.category,
            cwes=cwe_numbers(_cwe_text(advisory.get("cwe"))),
            vulnerability_ids=ids,
            cvss=cvss,
            packages=packages,
            references=references,
            remediation=str(advisory.get("recommendation") or "") or None,
            remediation_url=url,
            extra={
                "vulnerable-versions": str(advisory.get("vulnerable_versions") or ""),
                "paths": ", ".join(paths[:MAX_PATHS_IN_EXTRA]) + (f" (+{len(paths) - MAX_PATHS_IN_EXTRA} more)"
                                                                  if len(paths) > MAX_PATHS_IN_EXTRA else ""),
                "npm-advisory": str(advisory.get("id") or ""),
                "advisory-references": str(advisory.get("references") or ""),
            },
        )

    # npm >= 7 ---------------------------------------------------------------------------------
    def _package_finding(self, report: Report, name: str, entry: Any) -> Finding:
        expect(report, isinstance(entry, dict), f"npm audit entry {name!r} is not an object")
        vias = entry.get("via") or []
        advisories = [v for v in vias if isinstance(v, dict)]
        through = [str(v) for v in vias if isinstance(v, str)]
        native = entry.get("severity")

        cvss: list[Cvss] = []
        cwe_text: list[str] = []
        urls: list[str] = []
        labels: list[Severity] = []
        for advisory in advisories:
            scores = _cvss(advisory.get("cvss"))
            cvss.extend(scores)
            cwe_text.append(_cwe_text(advisory.get("cwe")))
            if isinstance(advisory.get("url"), str):
                urls.append(advisory["url"])
            labels.append(severity.decide(self.name, advisory.get("severity"), scores))
        if through or not advisories:
            # Vulnerable through other packages: only npm's own rating covers those.
            labels.append(severity.from_native(self.name, native))
        ids = vulnerability_ids(" ".join(urls))

        fix = entry.get("fixAvailable")
        fixed_version = None
        if isinstance(fix, dict):
            major = " (a semver-major upgrade)" if fix.get("isSemVerMajor") else ""
            remediation = f"Upgrade {fix.get('name')} to {fix.get('version')}{major}; `npm audit fix` can do it."
            if fix.get("name") == name:
                fixed_version = str(fix.get("version")) if fix.get("version") else None
        elif fix is True:
            remediation = "`npm audit fix` resolves it."
        else:
            remediation = "No fix is available yet."

        if advisories:
            first = str(advisories[0].get("title") or (ids[0] if ids else name))
            more = f" (+{len(advisories) - 1} more)" if len(advisories) > 1 else ""
            title = f"{name}: {first}{more}"
        else:
            title = f"{name} is vulnerable through {', '.join(through) or 'a dependency'}"
        description_parts = [f"- {a.get('title')} ({a.get('url')}), affected {a.get('range')}" for a in advisories]
        if through:
            description_parts.append(f"- vulnerable through: {', '.join(through)}")
        nodes = [str(n) for n in entry.get("nodes") or []]
        return Finding(
            tool=self.name,
            rule_id=name,  # one finding per package: the package is what stays stable as advisories come and go
            title=title,
            description=f"{name} {entry.get('range') or ''} is vulnerable:\n" + "\n".join(description_parts),
            severity=max(labels),
            native_severity=str(native) if native else None,
            category=self.category,
            cwes=cwe_numbers(" ".join(cwe_text)),
            vulnerability_ids=ids,
            cvss=cvss,
            packages=[Package(name=name, version=None, fixed_version=fixed_version, ecosystem="npm",
                              file_path=nodes[0] if nodes else None)],
            references=urls,
            remediation=remediation,
            extra={
                "vulnerable-range": str(entry.get("range") or ""),
                "direct-dependency": "true" if entry.get("isDirect") else "false",
                "via": ", ".join(through),
                "effects": ", ".join(map(str, entry.get("effects") or [])),
                "nodes": ", ".join(nodes[:MAX_PATHS_IN_EXTRA]),
                "fix-available": "true" if fix else "false",
            },
        )
