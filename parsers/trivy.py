"""Trivy JSON (`trivy ... --format json`): legacy and SchemaVersion 2.

One finding per entry of each result's Vulnerabilities (SCA), Misconfigurations
(IaC, failed checks only), Secrets (SECRET) and Licenses (SCA). The legacy
layout is a bare list of results (or `null` when nothing was scanned); schema 2
wraps them in `{"Results": [...]}`; a Kubernetes cluster report lists them per
resource under `Resources[].Results`.

Trivy's secret `Match` and `Code.Lines` hold the line with the secret in it;
those strings are masked in every field of the finding before it leaves here.
"""
from __future__ import annotations

from typing import Any

from parsers._advisory_ids import cwe_numbers
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, CodeLocation, Cvss, Finding, IacLocation, Package
from pipeline.masking import redact

#: Vendor statuses that mean "this package version is not exploitable here" (a decision, not a fix).
SUPPRESSING_STATUSES = {"not_affected": "the vendor says this package is not affected",
                        "will_not_fix": "the vendor will not fix this vulnerability"}
#: Whose CVSS decides the severity when the report does not say (Trivy's own order of trust).
CVSS_SOURCE_ORDER = ("nvd", "ghsa", "redhat")
_PASSED = {"PASS", "EXCEPTION"}


def _cvss(vuln: dict[str, Any]) -> tuple[list[Cvss], list[Cvss]]:
    """All CVSS entries, and the ones of the source that decides the severity."""
    raw = vuln.get("CVSS")
    table = raw if isinstance(raw, dict) else {}
    every: dict[str, list[Cvss]] = {}
    for source, entry in table.items():
        if not isinstance(entry, dict):
            continue
        scores = []
        for generation in ("V40", "V3", "V2"):
            score, vector = entry.get(f"{generation}Score"), entry.get(f"{generation}Vector")
            if score is None and not vector:
                continue
            if generation == "V2":
                version = "2.0"
            elif generation == "V40":
                version = "4.0"
            else:
                version = vector.split("/", 1)[0].removeprefix("CVSS:") if isinstance(vector, str) and vector.startswith("CVSS:") else "3.1"
            scores.append(Cvss(version=version, score=float(score) if isinstance(score, (int, float)) else None,
                               vector=vector or None, source=source))
        if scores:
            every[source] = scores
    preferred = [str(vuln.get("SeveritySource") or ""), *CVSS_SOURCE_ORDER, *every]
    deciding = next((every[s] for s in preferred if s in every), [])
    return [c for scores in every.values() for c in scores], deciding


#: Where a report lists workloads, each with its own Results: `trivy k8s` (Resources, or
#: Vulnerabilities and Misconfigurations in its cluster summary layout) and `trivy image` with
#: --list-all-pkgs in some versions (Resources).
_WORKLOAD_LISTS = ("Resources", "Vulnerabilities", "Misconfigurations")


def _in_workload(resource: dict[str, Any], result: Any) -> Any:
    """A k8s result's Target named after its workload too: one image in two Deployments is two places."""
    workload = "/".join(str(resource[k]) for k in ("Namespace", "Kind", "Name") if resource.get(k))
    if not workload or not isinstance(result, dict):
        return result
    target = str(result.get("Target") or "")
    return {**result, "Target": target if target.startswith(workload) else f"{workload}: {target}".rstrip(": ")}


def _results(report: Report, doc: Any) -> list[dict[str, Any]]:
    if doc is None:
        return []
    if isinstance(doc, list):
        results = doc
    else:
        expect(report, isinstance(doc, dict) and ("Results" in doc or "Resources" in doc or "SchemaVersion" in doc
                                                  or "ClusterName" in doc),
               "not a Trivy JSON report (no 'Results')")
        results = list(doc.get("Results") or [])
        for key in _WORKLOAD_LISTS:
            for resource in doc.get(key) or []:
                if isinstance(resource, dict):
                    results.extend(_in_workload(resource, result) for result in resource.get("Results") or [])
    for result in results:
        expect(report, isinstance(result, dict), "a Trivy result is not an object")
    return results


def _manifest(result: dict[str, Any], target: str) -> str | None:
    """The file a package was found in. OS package results name the image ("app:1 (alpine 3.19)"), not a file."""
    if result.get("Class") == "os-pkgs" or (result.get("Class") is None and " (" in target):
        return None
    return target


def _code_lines(entry: dict[str, Any]) -> list[str]:
    code = entry.get("Code") or (entry.get("CauseMetadata") or {}).get("Code") or {}
    return [str(line.get("Content")) for line in code.get("Lines") or [] if isinstance(line, dict) and line.get("Content")]


@register
class TrivyParser(Parser):
    name = "trivy"
    category = Category.SCA
    formats = "trivy --format json (legacy list, SchemaVersion 2, k8s cluster): vulnerabilities, misconfigurations, secrets, licenses"

    def sniff(self, report: Report) -> bool:
        if report.content == b"null":
            return True  # what legacy Trivy prints when it scanned nothing
        doc = report.json() if report.looks_like_json() else None
        if isinstance(doc, dict):
            if "ClusterName" in doc:  # trivy k8s
                return any(isinstance(doc.get(key), list) for key in _WORKLOAD_LISTS)
            return "SchemaVersion" in doc and ("Results" in doc or "ArtifactName" in doc or "Resources" in doc)
        return (isinstance(doc, list) and bool(doc) and isinstance(doc[0], dict) and "Target" in doc[0]
                and ("Vulnerabilities" in doc[0] or "Type" in doc[0]))

    def parse(self, report: Report) -> list[Finding]:
        findings: list[Finding] = []
        for result in _results(report, report.json()):
            target = str(result.get("Target") or "unknown")
            for vuln in result.get("Vulnerabilities") or []:
                expect(report, isinstance(vuln, dict) and "VulnerabilityID" in vuln, "a Trivy vulnerability has no 'VulnerabilityID'")
                findings.append(self._vulnerability(vuln, result, target))
            for misconfiguration in result.get("Misconfigurations") or []:
                expect(report, isinstance(misconfiguration, dict), "a Trivy misconfiguration is not an object")
                if str(misconfiguration.get("Status", "FAIL")).upper() not in _PASSED:
                    findings.append(self._misconfiguration(misconfiguration, target))
            for secret in result.get("Secrets") or []:
                expect(report, isinstance(secret, dict), "a Trivy secret is not an object")
                findings.append(self._secret(secret, target))
            for license_ in result.get("Licenses") or []:
                expect(report, isinstance(license_, dict), "a Trivy license entry is not an object")
                findings.append(self._license(license_, target))
        return findings

    def _vulnerability(self, vuln: dict[str, Any], result: dict[str, Any], target: str) -> Finding:
        vuln_id = str(vuln["VulnerabilityID"])
        name, version = str(vuln.get("PkgName") or "unknown"), vuln.get("InstalledVersion")
        every, deciding = _cvss(vuln)
        native = vuln.get("Severity")
        status = str(vuln.get("Status") or "").lower()
        references = [vuln["PrimaryURL"]] if vuln.get("PrimaryURL") else []
        references += [r for r in vuln.get("References") or [] if isinstance(r, str) and r not in references]
        fixed = vuln.get("FixedVersion") or None
        title = vuln.get("Title")
        return Finding(
            tool=self.name,
            rule_id=vuln_id,
            title=f"{vuln_id} {name} {version or ''}".strip(),
            description="\n\n".join(filter(None, [title, vuln.get("Description")])) or vuln_id,
            severity=severity.decide(self.name, native, deciding),
            native_severity=str(native) if native else None,
            category=Category.SCA,
            cwes=cwe_numbers(" ".join(map(str, vuln.get("CweIDs") or []))),
            vulnerability_ids=[vuln_id],
            cvss=every,
            packages=[Package(name=name, version=version, fixed_version=fixed, ecosystem=result.get("Type"),
                              file_path=vuln.get("PkgPath") or _manifest(result, target))],
            references=references,
            remediation=f"Upgrade {name} to {fixed}." if fixed else None,
            suppressed=status in SUPPRESSING_STATUSES,
            suppression_reason=SUPPRESSING_STATUSES.get(status),
            extra={k: v for k, v in {"target": target, "status": status, "severity-source": vuln.get("SeveritySource") or "",
                                     "title": title or ""}.items() if v},
        )

    def _misconfiguration(self, check: dict[str, Any], target: str) -> Finding:
        check_id = str(check.get("ID") or check.get("AVDID") or "unknown")
        cause = check.get("CauseMetadata") or {}
        native = check.get("Severity")
        references = [check["PrimaryURL"]] if check.get("PrimaryURL") else []
        references += [r for r in check.get("References") or [] if isinstance(r, str) and r not in references]
        start_line = cause.get("StartLine")
        start = start_line if isinstance(start_line, int) and start_line > 0 else None
        return Finding(
            tool=self.name,
            rule_id=check_id,
            title=f"{check_id} - {check.get('Title') or check.get('Message') or check_id}",
            description="\n\n".join(filter(None, [check.get("Message"), check.get("Description")])),
            severity=severity.from_native(self.name, native),
            native_severity=str(native) if native else None,
            category=Category.IAC,
            iac_location=IacLocation(template=target, logical_id=cause.get("Resource") or None,
                                     resource_type=cause.get("Service") or None, line=start),
            references=references,
            remediation=check.get("Resolution") or None,
            extra={k: str(v) for k, v in {"check-type": check.get("Type"), "avd-id": check.get("AVDID"),
                                          "provider": cause.get("Provider"), "status": check.get("Status")}.items() if v},
        )

    def _secret(self, secret: dict[str, Any], target: str) -> Finding:
        rule = str(secret.get("RuleID") or "secret")
        native = secret.get("Severity")
        start = secret.get("StartLine") if isinstance(secret.get("StartLine"), int) else None
        match = str(secret.get("Match") or "")
        finding = Finding(
            tool=self.name,
            rule_id=rule,
            title=f"Secret detected in {target} - {secret.get('Title') or rule}",
            description=f"{secret.get('Title') or rule} ({secret.get('Category') or 'secret'}) found in {target}"
                        + (f" at line {start}" if start else "") + (f": {match}" if match else "."),
            severity=severity.from_native(self.name, native),
            native_severity=str(native) if native else None,
            category=Category.SECRET,
            code_locations=[CodeLocation(path=target, start_line=start, end_line=secret.get("EndLine") or start,
                                         snippet=match or None)],
            remediation="Revoke and rotate this secret, then remove it from the code and its history.",
            extra={"secret-category": str(secret.get("Category") or "")} if secret.get("Category") else {},
        )
        # The whole matched line is treated as secret: Trivy's own masking depends on its version and flags.
        return redact(finding, [match, *_code_lines(secret)])

    def _license(self, license_: dict[str, Any], target: str) -> Finding:
        name = str(license_.get("Name") or "unknown")
        package = license_.get("PkgName")
        native = license_.get("Severity")
        where = f"{package}" if package else str(license_.get("FilePath") or target)
        link = license_.get("Link")
        return Finding(
            tool=self.name,
            rule_id=f"license:{name}",
            title=f"License {name} ({license_.get('Category') or 'unclassified'}) in {where}",
            description=f"{where} in {target} is licensed under {name}, category {license_.get('Category') or 'unknown'}.",
            severity=severity.from_native(self.name, native),
            native_severity=str(native) if native else None,
            category=Category.SCA,
            packages=[Package(name=str(package), file_path=license_.get("FilePath") or target)] if package else [],
            code_locations=[] if package else [CodeLocation(path=str(license_.get("FilePath") or target))],
            references=[link] if isinstance(link, str) and link else [],
            extra={"license-category": str(license_.get("Category") or "")} if license_.get("Category") else {},
        )
