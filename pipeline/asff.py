"""Finding -> ASFF. The only place in the project that builds an ASFF finding.

Every string is cleaned (no control characters, no empty values) and cut to the
Security Hub limits with a visible marker; lists beyond their limit are cut and
the number left out is recorded in ProductFields, so nothing vanishes silently.
The result is checked by `pipeline.asff_validation.validate`.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from pipeline import identity
from pipeline.asff_validation import MAX_FINDING_BYTES
from pipeline.context import ScanContext
from pipeline.finding import Category, Finding, Severity

SCHEMA_VERSION = "2018-10-08"
TRUNCATION_MARKER = " …[truncated]"

TITLE_MAX = 256
DESCRIPTION_MAX = 1024
RECOMMENDATION_MAX = 512
PRODUCT_FIELD_KEY_MAX = 128
PRODUCT_FIELD_VALUE_MAX = 2048
PRODUCT_FIELDS_MAX = 50
DETAILS_OTHER_VALUE_MAX = 1023  # "under 1,024"
DETAILS_OTHER_MAX = 50
RESOURCES_MAX = 32
REFERENCE_URLS_MAX = 20
VULNERABLE_PACKAGES_MAX = 20
CWES_MAX = 10
RESOURCE_ID_MAX = 1024  # no documented maximum; long paths are cut like any other text
#: Room left under Security Hub's 240 KB per finding.
SIZE_BUDGET = MAX_FINDING_BYTES - 4096
#: Successive caps for the bulky free-text values when a finding is over the size budget.
SIZE_CAPS = (512, 128, 64)
#: ProductFields that are identity and scope, never shortened to fit the size.
_CORE_FIELDS = frozenset({"secpipe/tool", "secpipe/rule", "secpipe/repo", "secpipe/branch", "secpipe/commit"})

# Types from the Security Hub taxonomy (namespace/category/classifier).
TYPES: dict[Category, str] = {
    Category.SCA: "Software and Configuration Checks/Vulnerabilities/CVE",
    Category.SAST: "Software and Configuration Checks/Vulnerabilities/CWE",
    Category.IAC: "Software and Configuration Checks/AWS Security Best Practices",
    Category.DAST: "Software and Configuration Checks/Vulnerabilities/Web Application",
    Category.SECRET: "Sensitive Data Identifications/Passwords",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean(text: Any) -> str:
    """Printable text: control characters and lone surrogates removed, outer space stripped."""
    text = str(text)
    if text.isprintable():  # the common case, checked in C; it has nothing _CONTROL would remove
        return text.strip()
    return _CONTROL.sub("", text).strip()


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARKER)].rstrip() + TRUNCATION_MARKER


def text_or_none(value: Any, limit: int | None = None) -> str | None:
    """Cleaned (and cut) text, or None where nothing printable is left: ASFF rejects empty strings."""
    if value is None:
        return None
    text = clean(value)
    if not text:
        return None
    return truncate(text, limit) if limit else text


def timestamp(moment: datetime) -> str:
    """RFC 3339 with a zone, at most 9 fractional digits (Python gives 6)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        # Outside datetime's range once in UTC (year 1 with a positive offset,
        # 9999 with a negative one): clamp rather than fail the finding.
        moment = (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


def to_asff(finding: Finding, context: ScanContext) -> dict[str, Any]:
    now = timestamp(context.now)
    title = text_or_none(finding.title, TITLE_MAX) or text_or_none(finding.rule_id, TITLE_MAX) or "Untitled finding"
    description = text_or_none(finding.description, DESCRIPTION_MAX) or title
    types = [TYPES[finding.category]]
    severity = {"Label": finding.severity.name, "Original": text_or_none(finding.native_severity, 256) or finding.severity.name}
    asff: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": identity.finding_id(finding, context.repo, context.branch),
        "ProductArn": context.effective_product_arn,
        "ProductName": "secpipe",
        "CompanyName": "secpipe",
        "Region": context.region,
        "GeneratorId": clean(identity.generator_id(finding)) or "secpipe/unknown",
        "AwsAccountId": context.account,
        "Types": types,
        "CreatedAt": now,
        "UpdatedAt": now,
        "FirstObservedAt": timestamp(finding.observed_at) if finding.observed_at else now,
        "LastObservedAt": now,
        "Severity": severity,
        "FindingProviderFields": {"Severity": dict(severity), "Types": list(types)},
        "Title": title,
        "Description": description,
        "ProductFields": _product_fields(finding, context),
        "Resources": _resources(finding, context),
        "RecordState": "ACTIVE",
    }
    confidence = _confidence_percent(finding.confidence)
    if confidence is not None:
        asff["FindingProviderFields"]["Confidence"] = confidence
    remediation = _remediation(finding)
    if remediation:
        asff["Remediation"] = {"Recommendation": remediation}
    vulnerabilities = _vulnerabilities(finding)
    if vulnerabilities:
        asff["Vulnerabilities"] = vulnerabilities
    source_url = next((u for u in (text_or_none(r) for r in finding.references) if u and u.startswith("http")), None)
    if source_url:
        asff["SourceUrl"] = source_url
    return _fit_size(asff)


def _encoded_size(asff: dict[str, Any]) -> int:
    text = json.dumps(asff, ensure_ascii=False)
    if len(text) * 4 <= SIZE_BUDGET:  # cheap bound: no UTF-8 character is longer than 4 bytes
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def _shorten(value: Any, cap: int) -> Any:
    if isinstance(value, str):
        return truncate(value, cap)
    if isinstance(value, list):
        return [_shorten(v, cap) for v in value]
    if isinstance(value, dict):
        return {k: _shorten(v, cap) for k, v in value.items()}
    return value


def _fit_size(asff: dict[str, Any]) -> dict[str, Any]:
    """Keep a finding under 240 KB by cutting its bulky free text (with the marker), never dropping it.

    Each text is within its own limit already; only many long values together
    (32 resources with snippets, 50 long ProductFields, multi-byte text) exceed it.
    """
    for cap in SIZE_CAPS:
        if _encoded_size(asff) <= SIZE_BUDGET:
            break
        asff["ProductFields"] = {k: (v if k in _CORE_FIELDS else truncate(v, cap)) for k, v in asff["ProductFields"].items()}
        for resource in asff["Resources"]:
            resource["Id"] = truncate(resource["Id"], max(cap, 256))
            if "Details" in resource:
                resource["Details"] = _shorten(resource["Details"], cap)
        if "Vulnerabilities" in asff:
            asff["Vulnerabilities"] = _shorten(asff["Vulnerabilities"], cap)
        recommendation = asff.get("Remediation", {}).get("Recommendation", {})
        if "Url" in recommendation:
            recommendation["Url"] = truncate(recommendation["Url"], max(cap, 256))
        if "SourceUrl" in asff:
            asff["SourceUrl"] = truncate(asff["SourceUrl"], max(cap, 256))
    return asff


def _confidence_percent(confidence: str | None) -> int | None:
    if not confidence:
        return None
    scale = {"low": 30, "medium": 60, "high": 90, "certain": 100, "firm": 80, "tentative": 40,
             "confirmed": 100, "false positive": 0, "1": 30, "2": 60, "3": 90, "4": 100}
    return scale.get(confidence.strip().lower())


def _remediation(finding: Finding) -> dict[str, str] | None:
    text = text_or_none(finding.remediation, RECOMMENDATION_MAX)
    url = text_or_none(finding.remediation_url) or next(
        (u for u in (text_or_none(r) for r in finding.references) if u and u.startswith("http")), None
    )
    if not text and not url:
        return None
    recommendation: dict[str, str] = {}
    recommendation["Text"] = text or "See the referenced page for how to remediate this finding."
    if url:
        recommendation["Url"] = url
    return recommendation


def _product_fields(finding: Finding, context: ScanContext) -> dict[str, str]:
    fields: dict[str, str | None] = {
        "secpipe/tool": finding.tool,
        "secpipe/rule": finding.rule_id,
        "secpipe/repo": context.repo,
        "secpipe/branch": context.branch,
        "secpipe/commit": context.commit,
        "secpipe/build": context.build_id,
        "secpipe/category": finding.category.value,
        "secpipe/confidence": finding.confidence,
        "secpipe/cwe": ",".join(f"CWE-{c}" for c in finding.cwes) or None,
        "secpipe/suppressed": "true" if finding.suppressed else None,
        "secpipe/suppression-reason": finding.suppression_reason,
    }
    location = finding.primary_code_location
    if location:
        fields["secpipe/file"] = identity.normalise_path(location.path)
        fields["secpipe/line"] = str(location.start_line) if location.start_line else None
    if finding.iac_location:
        fields["secpipe/template"] = identity.normalise_path(finding.iac_location.template)
        fields["secpipe/logical-id"] = finding.iac_location.logical_id
    web = finding.primary_web_location
    if web:
        fields["secpipe/url"] = web.url
    for key, value in sorted(finding.extra.items()):
        fields.setdefault(f"secpipe/{key}", value)
    result: dict[str, str] = {}
    dropped = 0
    for key, value in fields.items():
        text = text_or_none(value, PRODUCT_FIELD_VALUE_MAX)
        key_text = text_or_none(key, PRODUCT_FIELD_KEY_MAX)
        if text is None or key_text is None:
            continue
        if len(result) >= PRODUCT_FIELDS_MAX - 1 or key_text in result:
            # Over the count, or two long keys that are equal once cut: counted, not lost unseen.
            dropped += 1
            continue
        result[key_text] = text
    if dropped:
        result["secpipe/extra-fields-omitted"] = str(dropped)
    return result


def _details(pairs: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs.items():
        text = text_or_none(value, DETAILS_OTHER_VALUE_MAX)
        if text is not None and len(out) < DETAILS_OTHER_MAX:
            out[key[:127]] = text
    return out


def _resource(kind: str, resource_id: str, details: dict[str, Any], context: ScanContext) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "Type": kind,
        "Id": text_or_none(resource_id, RESOURCE_ID_MAX) or "unknown",
        "Partition": context.partition,
        "Region": context.region,
    }
    other = _details(details)
    if other:
        resource["Details"] = {"Other": other}
    return resource


def _resources(finding: Finding, context: ScanContext) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    repo_prefix = f"{context.repo}@{context.branch}"
    for loc in finding.code_locations:
        path = identity.normalise_path(loc.path)
        resources.append(_resource("Other", f"{repo_prefix}:{path}", {
            "repository": context.repo, "branch": context.branch, "commit": context.commit,
            "path": path, "startLine": loc.start_line, "endLine": loc.end_line, "column": loc.start_column,
            "snippet": loc.snippet,
        }, context))
    for web in finding.web_locations:
        resources.append(_resource("Other", web.url, {
            "url": web.url, "method": web.method, "parameter": web.parameter,
            "attack": web.attack, "evidence": web.evidence,
        }, context))
    if finding.iac_location:
        iac = finding.iac_location
        template = identity.normalise_path(iac.template)
        resources.append(_resource("Other", f"{repo_prefix}:{template}#{iac.logical_id or '*'}", {
            "repository": context.repo, "branch": context.branch, "template": template,
            "logicalId": iac.logical_id, "resourceType": iac.resource_type, "line": iac.line,
        }, context))
    if not resources:
        for pkg in finding.packages:
            resources.append(_resource("Other", f"{repo_prefix}:{pkg.ecosystem or 'package'}:{pkg.name}@{pkg.version or '*'}", {
                "repository": context.repo, "branch": context.branch, "package": pkg.name,
                "version": pkg.version, "fixedVersion": pkg.fixed_version, "manifest": pkg.file_path,
            }, context))
    if not resources:
        resources.append(_resource("Other", repo_prefix, {"repository": context.repo, "branch": context.branch,
                                                           "commit": context.commit}, context))
    if len(resources) > RESOURCES_MAX:
        omitted = len(resources) - (RESOURCES_MAX - 1)
        resources = resources[: RESOURCES_MAX - 1]
        # The last slot says how many locations are not listed, so the count is never lost.
        resources.append(_resource("Other", f"{repo_prefix}:more-locations", {
            "omittedLocations": str(omitted),
            "note": f"{omitted} further locations of this finding are in the raw report",
        }, context))
    return resources


def _vulnerabilities(finding: Finding) -> list[dict[str, Any]]:
    ids = [i for i in (text_or_none(v) for v in finding.vulnerability_ids) if i]
    packages = []
    for pkg in finding.packages[:VULNERABLE_PACKAGES_MAX]:
        entry = {
            "Name": text_or_none(pkg.name, 1024),
            "Version": text_or_none(pkg.version, 1024),
            "FixedInVersion": text_or_none(pkg.fixed_version, 1024),
            "PackageManager": text_or_none(pkg.ecosystem, 256),
            "FilePath": text_or_none(pkg.file_path, 1024),
        }
        entry = {k: v for k, v in entry.items() if v is not None}
        if "Name" in entry:
            packages.append(entry)
    cvss = []
    for score in finding.cvss:
        entry = {"Version": text_or_none(score.version, 16), "BaseScore": score.score,
                 "BaseVector": text_or_none(score.vector, 512), "Source": text_or_none(score.source, 256)}
        entry = {k: v for k, v in entry.items() if v is not None}
        if "Version" in entry and ("BaseScore" in entry or "BaseVector" in entry):
            cvss.append(entry)
    references = [u for u in (text_or_none(r, 2048) for r in finding.references) if u][:REFERENCE_URLS_MAX]
    code = _code_vulnerabilities(finding)

    if not ids and not packages and not code:
        return []
    primary: dict[str, Any] = {"Id": ids[0] if ids else text_or_none(finding.rule_id, 512) or text_or_none(finding.tool, 512) or "unknown"}
    if packages:
        primary["VulnerablePackages"] = packages
        fixed = [p for p in packages if "FixedInVersion" in p]
        primary["FixAvailable"] = "YES" if len(fixed) == len(packages) else ("PARTIAL" if fixed else "NO")
    if cvss:
        primary["Cvss"] = cvss
    if references:
        primary["ReferenceUrls"] = references
    if len(ids) > 1:
        primary["RelatedVulnerabilities"] = ids[1:50]
    if code:
        primary["CodeVulnerabilities"] = code
    return [primary]


def _code_vulnerabilities(finding: Finding) -> list[dict[str, Any]]:
    loc = finding.primary_code_location
    if loc is None and not finding.cwes:
        return []
    entry: dict[str, Any] = {}
    if finding.cwes:
        entry["Cwes"] = [f"CWE-{c}" for c in finding.cwes[:CWES_MAX]]
    if loc is not None:
        path = identity.normalise_path(loc.path)
        file_path: dict[str, Any] = {"FilePath": text_or_none(path, 1024) or "unknown",
                                     "FileName": text_or_none(path.rsplit("/", 1)[-1], 1024) or "unknown"}
        if loc.start_line:
            file_path["StartLine"] = loc.start_line
            file_path["EndLine"] = max(loc.end_line or loc.start_line, loc.start_line)
        entry["FilePath"] = file_path
    return [entry]


def severity_of(asff: dict[str, Any]) -> Severity:
    return Severity[asff["Severity"]["Label"]]
