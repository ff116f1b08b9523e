"""results.sarif: SARIF 2.1.0, one run per tool.

Rules carry the metadata GitHub code scanning reads (help, tags, security-severity);
results carry a level, locations (a file and region, a template with its logical
resource, or the URL of a web finding), the ASFF Id as a partial fingerprint so the
same issue matches across runs, and suppressions with their justification.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from pipeline import jsonout
from pipeline.finding import Finding, Severity
from pipeline.identity import normalise_path
from pipeline.result import Item, ScanResult
from pipeline.severity import best_cvss_score
from pipeline.tools.base import ToolRun
from reports.registry import register

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
VERSION = "2.1.0"
FINGERPRINT_KEY = "secpipeFindingId/v1"
SRCROOT = "SRCROOT"

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFORMATIONAL: "note"}
# GitHub ranks by a 0.0-10.0 "security-severity"; without a CVSS score the label's band decides.
SECURITY_SEVERITY = {Severity.CRITICAL: 9.5, Severity.HIGH: 8.0, Severity.MEDIUM: 5.5,
                     Severity.LOW: 2.0, Severity.INFORMATIONAL: 0.0}


def _text(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _security_severity(finding: Finding) -> str:
    score = best_cvss_score(finding.cvss)
    return f"{score if score is not None else SECURITY_SEVERITY[finding.severity]:.1f}"


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "shortDescription": {"text": _text(finding.title) or finding.rule_id},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {
            "tags": ["security", finding.category.value] + [f"external/cwe/cwe-{c}" for c in finding.cwes],
            "security-severity": _security_severity(finding),
        },
    }
    if _text(finding.description):
        rule["fullDescription"] = {"text": finding.description.strip()}
    help_uri = finding.remediation_url or next((r for r in finding.references if r.startswith(("http://", "https://"))), None)
    if help_uri:
        rule["helpUri"] = help_uri
    remediation = _text(finding.remediation)
    if remediation:
        rule["help"] = {"text": remediation}
    if finding.confidence:
        rule["properties"]["precision"] = {"high": "high", "medium": "medium", "low": "low",
                                           "certain": "very-high", "confirmed": "very-high"}.get(
            finding.confidence.strip().lower(), "medium")
    return rule


_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"  # reserved characters and existing %-escapes stay as they are
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def _artifact(location: str) -> dict[str, Any]:
    """A URL stays absolute; a relative path hangs off SRCROOT; an absolute path becomes a file: URI."""
    if "://" in location:
        return {"uri": quote(location.strip(), safe=_URI_SAFE)}
    path = normalise_path(location)
    if _WINDOWS_DRIVE.match(path):
        return {"uri": "file:///" + quote(path, safe=":/")}
    if path.startswith("/"):
        return {"uri": "file://" + quote(path, safe="/")}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(start: int | None, end: int | None = None, column: int | None = None, snippet: str | None = None) -> dict[str, Any] | None:
    region: dict[str, Any] = {}
    if start and start > 0:
        region["startLine"] = start
        if end and end >= start:
            region["endLine"] = end
        if column and column > 0:
            region["startColumn"] = column
    if snippet and region:
        region["snippet"] = {"text": snippet}
    return region or None


def _locations(finding: Finding) -> list[dict[str, Any]]:
    locations: list[dict[str, Any]] = []
    for code in finding.code_locations:
        physical: dict[str, Any] = {"artifactLocation": _artifact(code.path)}
        region = _region(code.start_line, code.end_line, code.start_column, code.snippet)
        if region:
            physical["region"] = region
        locations.append({"physicalLocation": physical})
    if finding.iac_location is not None:
        iac = finding.iac_location
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": _artifact(iac.template)}}
        region = _region(iac.line)
        if region:
            location["physicalLocation"]["region"] = region
        if iac.logical_id:
            logical = {"name": iac.logical_id, "kind": "resource"}
            if iac.resource_type:
                logical["fullyQualifiedName"] = f"{iac.resource_type}/{iac.logical_id}"
            location["logicalLocations"] = [logical]
        locations.append(location)
    for web in finding.web_locations:
        name = f"{web.method.upper()} {web.url}" if web.method else web.url
        if web.parameter:
            name += f" [{web.parameter}]"
        locations.append({"physicalLocation": {"artifactLocation": _artifact(web.url)},
                          "logicalLocations": [{"name": name, "kind": "member"}]})
    if not locations and finding.packages:
        for pkg in finding.packages:
            location = {"logicalLocations": [{"name": f"{pkg.name}@{pkg.version}" if pkg.version else pkg.name,
                                              "kind": "module"}]}
            if pkg.file_path:
                location["physicalLocation"] = {"artifactLocation": _artifact(pkg.file_path)}
            locations.append(location)
    return locations


def _result(item: Item, rule_index: int) -> dict[str, Any]:
    f = item.finding
    message = (_text(f.title) or f.rule_id) + (f" ({item.location})" if item.location else "")
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "partialFingerprints": {FINGERPRINT_KEY: item.id},
        "properties": {"severity": f.severity.name, "stage": item.stage.value, "category": f.category.value,
                       "countsAgainstGate": item.verdict.counts, "gate": item.verdict.reason},
    }
    if f.fingerprint:
        result["partialFingerprints"][f"{f.tool}/v1"] = f.fingerprint
    locations = _locations(f)
    if locations:
        result["locations"] = locations
    if f.native_severity:
        result["properties"]["nativeSeverity"] = f.native_severity
    if f.vulnerability_ids:
        result["properties"]["vulnerabilities"] = list(f.vulnerability_ids)
    if f.cvss:
        result["properties"]["cvss"] = [{"version": c.version, "score": c.score, "vector": c.vector, "source": c.source}
                                        for c in f.cvss]
    if f.packages:
        result["properties"]["packages"] = [{"name": p.name, "version": p.version, "fixedVersion": p.fixed_version,
                                             "ecosystem": p.ecosystem} for p in f.packages]
    if not item.verdict.standing.is_open:
        # Suppressed in the code or by policy, or triaged by a reviewer in the hub: the gate's reason says which.
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": item.verdict.reason}]
    return result


def _run(tool: str, run: ToolRun | None, items: list[Item]) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for item in items:
        rule_id = item.finding.rule_id
        if rule_id not in index:
            index[rule_id] = len(rules)
            rules.append(_rule(item.finding))
        results.append(_result(item, index[rule_id]))
    invocation: dict[str, Any] = {"executionSuccessful": run is not None and run.status.complete}
    if run is not None:
        invocation["properties"] = {"status": run.status.value, "durationSeconds": round(run.duration_s, 3)}
        if run.detail:
            invocation["toolExecutionNotifications"] = [{
                "message": {"text": f"{run.status.value}: {run.detail}"},
                "level": "note" if run.status.complete else "error",
            }]
    return {
        "tool": {"driver": {"name": tool, "rules": rules}},
        "automationDetails": {"id": f"secpipe/{tool}/"},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "the root of the scanned source tree"}}},
        "results": results,
    }


def build_sarif(result: ScanResult) -> dict[str, Any]:
    items = result.items()
    runs = {run.tool: run for run in result.runs}
    tools = list(runs) + sorted({i.finding.tool for i in items} - set(runs))
    return {
        "$schema": SCHEMA_URI,
        "version": VERSION,
        "runs": [_run(tool, runs.get(tool), [i for i in items if i.finding.tool == tool]) for tool in tools],
    }


@register("sarif", "results.sarif")
def render_sarif(result: ScanResult) -> str:
    # The bytes of json.dumps(indent=2, ensure_ascii=False), through orjson: the pure-Python
    # indenting encoder was most of the time a scan spent writing its reports.
    return jsonout.dumps_indented(build_sarif(result)).decode("utf-8", "surrogatepass") + "\n"
