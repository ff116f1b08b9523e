"""What the console shows of one ASFF finding, read out of the finding's JSON.

Findings are attacker-controlled text: this module only picks values out; the
templates escape them, and `safe_url` lets through nothing but http(s) links.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


def safe_url(value: Any) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript:, data: or relative tricks)."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass
class CodeLocation:
    path: str
    start_line: Any = None
    end_line: Any = None


@dataclass
class WebLocation:
    url: str
    method: str | None = None
    parameter: str | None = None


@dataclass
class ResourceView:
    type: str
    id: str
    details: dict[str, str]


@dataclass
class FindingView:
    doc: dict[str, Any]
    tool: str | None
    repo: str | None
    branch: str | None
    rule: str | None
    remediation_text: str | None
    remediation_url: str | None
    source_url: str | None
    code_locations: list[CodeLocation] = field(default_factory=list)
    web_locations: list[WebLocation] = field(default_factory=list)
    resources: list[ResourceView] = field(default_factory=list)
    vulnerability_ids: list[str] = field(default_factory=list)
    cvss: list[dict[str, Any]] = field(default_factory=list)
    packages: list[dict[str, Any]] = field(default_factory=list)
    cwes: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def raw_json(self) -> str:
        return json.dumps(self.doc, indent=2, ensure_ascii=False, sort_keys=True)


def view(doc: dict[str, Any]) -> FindingView:
    fields = doc.get("ProductFields") or {}
    recommendation = (doc.get("Remediation") or {}).get("Recommendation") or {}
    result = FindingView(
        doc=doc, tool=fields.get("secpipe/tool"), repo=fields.get("secpipe/repo"),
        branch=fields.get("secpipe/branch"), rule=fields.get("secpipe/rule"),
        remediation_text=recommendation.get("Text"), remediation_url=safe_url(recommendation.get("Url")),
        source_url=safe_url(doc.get("SourceUrl")),
    )
    for resource in doc.get("Resources") or []:
        other = {str(k): str(v) for k, v in ((resource.get("Details") or {}).get("Other") or {}).items()}
        result.resources.append(ResourceView(str(resource.get("Type", "")), str(resource.get("Id", "")), other))
        if "path" in other:
            result.code_locations.append(CodeLocation(other["path"], other.get("startLine"), other.get("endLine")))
        if "url" in other:
            result.web_locations.append(WebLocation(other["url"], other.get("method"), other.get("parameter")))
    for vulnerability in doc.get("Vulnerabilities") or []:
        for ident in [vulnerability.get("Id"), *(vulnerability.get("RelatedVulnerabilities") or [])]:
            if isinstance(ident, str) and ident not in result.vulnerability_ids:
                result.vulnerability_ids.append(ident)
        result.cvss.extend(vulnerability.get("Cvss") or [])
        result.packages.extend(vulnerability.get("VulnerablePackages") or [])
        result.references.extend(u for u in (safe_url(r) for r in vulnerability.get("ReferenceUrls") or []) if u)
        for code in vulnerability.get("CodeVulnerabilities") or []:
            result.cwes.extend(c for c in code.get("Cwes") or [] if c not in result.cwes)
            file_path = code.get("FilePath") or {}
            if file_path.get("FilePath") and not any(c.path == file_path["FilePath"] for c in result.code_locations):
                result.code_locations.append(
                    CodeLocation(file_path["FilePath"], file_path.get("StartLine"), file_path.get("EndLine")))
    if not result.cwes and fields.get("secpipe/cwe"):
        result.cwes = fields["secpipe/cwe"].split(",")
    return result
