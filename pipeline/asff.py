"""Finding -> ASFF. The only place in the project that builds an ASFF finding.

Every string is cleaned (no control characters, no empty values) and cut to the
Security Hub limits with a visible marker; lists beyond their limit are cut and
the number left out is recorded in ProductFields, so nothing vanishes silently.
The result is checked by `pipeline.asff_validation.validate`.

It runs once per finding of every report (100,000 for a large SARIF), so the
values that depend only on the scan context are cleaned once per context, each
string is cleaned once and reused, and the 240 KB size check serialises the
finding with json.dumps only when orjson's (an upper bound, in C) does not already fit.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pipeline import identity
from pipeline.asff_validation import (
    COUNT_LIMITS,
    DETAILS_OTHER_VALUE_MAX,
    MAX_FINDING_BYTES,
    PRODUCT_FIELD_KEY_MAX,
    PRODUCT_FIELD_VALUE_MAX,
    STRING_LIMITS,
    UNKNOWN_SIZE,
    encoded_size,
    encoded_size_bound,
)
from pipeline.context import ScanContext
from pipeline.finding import Category, CodeLocation, Finding, Severity

SCHEMA_VERSION: Final = "2018-10-08"
TRUNCATION_MARKER: Final = " …[truncated]"

# Security Hub's limits are the validator's; the builder cuts text to fit them.
TITLE_MAX: Final = STRING_LIMITS["Title"]
DESCRIPTION_MAX: Final = STRING_LIMITS["Description"]
RECOMMENDATION_MAX: Final = STRING_LIMITS["Remediation.Recommendation.Text"]
PRODUCT_FIELDS_MAX: Final = COUNT_LIMITS["ProductFields"]
RESOURCES_MAX: Final = COUNT_LIMITS["Resources"]
REFERENCE_URLS_MAX: Final = 20
VULNERABLE_PACKAGES_MAX: Final = 20
CWES_MAX: Final = 10
RESOURCE_ID_MAX: Final = 1024  # no documented maximum; long paths are cut like any other text
#: Room left under Security Hub's 240 KB per finding.
SIZE_BUDGET: Final = MAX_FINDING_BYTES - 4096
#: Successive caps for the bulky free-text values when a finding is over the size budget.
SIZE_CAPS: Final = (512, 128, 64)
#: ProductFields that are identity and scope, never shortened to fit the size.
_CORE_FIELDS: Final = frozenset({"secpipe/tool", "secpipe/rule", "secpipe/repo", "secpipe/branch", "secpipe/commit"})
#: ProductFields that a finding's `extra` cannot replace (its values for these keys are ignored).
_BASE_FIELDS: Final = frozenset({"secpipe/tool", "secpipe/rule", "secpipe/repo", "secpipe/branch", "secpipe/commit",
                          "secpipe/build", "secpipe/category", "secpipe/confidence", "secpipe/cwe",
                          "secpipe/suppressed", "secpipe/suppression-reason"})
_CODE_FIELDS: Final = _BASE_FIELDS | {"secpipe/file", "secpipe/line"}
_IAC_FIELDS: Final = frozenset({"secpipe/template", "secpipe/logical-id"})
_WEB_FIELDS: Final = frozenset({"secpipe/url"})

# Types from the Security Hub taxonomy (namespace/category/classifier).
TYPES: dict[Category, str] = {
    Category.SCA: "Software and Configuration Checks/Vulnerabilities/CVE",
    Category.SAST: "Software and Configuration Checks/Vulnerabilities/CWE",
    Category.IAC: "Software and Configuration Checks/AWS Security Best Practices",
    Category.DAST: "Software and Configuration Checks/Vulnerabilities/Web Application",
    Category.SECRET: "Sensitive Data Identifications/Passwords",
}

_SEVERITY_NAMES: Final = {severity: severity.name for severity in Severity}
_CATEGORY_VALUES: Final = {category: category.value for category in Category}

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: What _CONTROL matches in ASCII text, as bytes: tab, line feed and carriage return stay.
_CONTROL_BYTES: Final = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])


#: From this length on, ASCII text goes straight to bytes.translate: long texts mostly hold line breaks.
_LONG_TEXT: Final = 128


def _without_control(text: str) -> str:
    """`_CONTROL.sub("", text)`, the same object when there is nothing to remove.

    A short printable text (a title, a path, an id) is told by isprintable(), checked in C. Long
    texts (descriptions, snippets) are mostly ASCII with line breaks, which isprintable() refuses,
    so they used to take the regex: 2-3 us for a description, on every finding. For ASCII,
    deleting the control bytes with bytes.translate is one table-driven pass in C, a third of the
    regex's time, and removes exactly the characters the regex would; its table costs as much as
    a short text's whole check, hence short texts try isprintable() first.
    """
    if len(text) < _LONG_TEXT and text.isprintable():
        return text
    if text.isascii():  # a flag of the string, not a scan
        encoded = text.encode("ascii")
        kept = encoded.translate(None, _CONTROL_BYTES)
        return text if len(kept) == len(encoded) else kept.decode("ascii")
    if text.isprintable():  # nothing _CONTROL would remove
        return text
    return _CONTROL.sub("", text)


def clean(text: Any) -> str:
    """Printable text: control characters and lone surrogates removed, outer space stripped."""
    return _without_control(str(text)).strip()


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARKER)].rstrip() + TRUNCATION_MARKER


def text_or_none(value: Any, limit: int | None = None) -> str | None:
    """Cleaned (and cut) text, or None where nothing printable is left: ASFF rejects empty strings."""
    if value is None:
        return None
    # clean() and truncate() inlined: this runs for nearly every string of every finding.
    text = _without_control(value if type(value) is str else str(value)).strip()
    if not text:
        return None
    if limit and len(text) > limit:
        return text[: limit - len(TRUNCATION_MARKER)].rstrip() + TRUNCATION_MARKER
    return text


def _put_texts(out: dict[str, Any], entries: Iterable[tuple[str, Any]], limit: int) -> dict[str, Any]:
    """out[key] = text_or_none(value, limit) for each entry that leaves printable text; one call per dict."""
    for key, value in entries:
        if value is None:
            continue
        text = _without_control(value if type(value) is str else str(value)).strip()
        if text:
            out[key] = text if len(text) <= limit else text[: limit - len(TRUNCATION_MARKER)].rstrip() + TRUNCATION_MARKER
    return out


def timestamp(moment: datetime) -> str:
    """RFC 3339 with a zone, at most 9 fractional digits (Python gives 6)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        # Outside datetime's range once in UTC (year 1 with a positive offset,
        # 9999 with a negative one): clamp rather than fail the finding.
        moment = (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


#: The last observed_at converted, by identity: the findings of one report share one datetime object.
_last_observed: tuple[datetime | None, str] = (None, "")


def _observed_timestamp(moment: datetime) -> str:
    global _last_observed
    last = _last_observed  # one read: another thread may replace the pair, never half of it
    if last[0] is moment:
        return last[1]
    text = timestamp(moment)
    _last_observed = (moment, text)
    return text


@dataclass(frozen=True)
class _Scope:
    """What every finding of one scan context shares, cleaned once."""

    now: str
    product_arn: str
    repo_prefix: str
    #: ProductFields secpipe/repo, branch, commit and build.
    fields: dict[str, str]
    #: Details.Other repository and branch (and commit) of a resource.
    repository_branch: dict[str, str]
    repository_branch_commit: dict[str, str]

    @classmethod
    def of(cls, context: ScanContext) -> _Scope:
        repo_branch = (("repository", context.repo), ("branch", context.branch))
        return cls(
            now=timestamp(context.now),
            product_arn=context.effective_product_arn,
            repo_prefix=f"{context.repo}@{context.branch}",
            fields=_put_texts({}, (("secpipe/repo", context.repo), ("secpipe/branch", context.branch),
                                   ("secpipe/commit", context.commit), ("secpipe/build", context.build_id)),
                              PRODUCT_FIELD_VALUE_MAX),
            repository_branch=_put_texts({}, repo_branch, DETAILS_OTHER_VALUE_MAX),
            repository_branch_commit=_put_texts({}, (*repo_branch, ("commit", context.commit)), DETAILS_OTHER_VALUE_MAX),
        )


#: The last context's scope, by identity: a ScanContext is frozen, and one scan converts with one context.
_last_scope: tuple[ScanContext | None, _Scope | None] = (None, None)


def _scope(context: ScanContext) -> _Scope:
    global _last_scope
    last = _last_scope
    if last[0] is context and last[1] is not None:
        return last[1]
    scope = _Scope.of(context)
    _last_scope = (context, scope)
    return scope


def to_asff(finding: Finding, context: ScanContext) -> dict[str, Any]:
    return _fit_size(_unsized_asff(finding, context))[0]


def to_asff_with_size_bound(finding: Finding, context: ScanContext) -> tuple[dict[str, Any], float]:
    """The ASFF and `encoded_size_bound` of it, which fitting it to the size limit has taken anyway
    (infinity when it had to shorten the finding: then the bound of what it returns is not known).
    The validator checks the size by the same bound: handed over, one orjson encoding of each
    finding (2-3 us) is spared."""
    return _fit_size(_unsized_asff(finding, context))


def _unsized_asff(finding: Finding, context: ScanContext) -> dict[str, Any]:
    scope = _scope(context)
    now = scope.now
    title = text_or_none(finding.title, TITLE_MAX) or text_or_none(finding.rule_id, TITLE_MAX) or "Untitled finding"
    description = text_or_none(finding.description, DESCRIPTION_MAX) or title
    kind = TYPES[finding.category]
    severity = finding.severity
    # An enum member's .name and .value are Python-level descriptors: read from a table for the members.
    label = _SEVERITY_NAMES[severity] if type(severity) is Severity else severity.name
    original = text_or_none(finding.native_severity, 256) or label
    # The primary location's path, normalised once for ProductFields, Resources and CodeVulnerabilities.
    location = finding.code_locations[0] if finding.code_locations else None
    path = identity.normalise_path(location.path) if location is not None else None
    # Cleaned once; the source URL is the first web address among them.
    references = [text_or_none(r) for r in finding.references]
    source_url = next((u for u in references if u and u.startswith("http")), None)
    observed = finding.observed_at
    asff: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": identity.finding_id(finding, context.repo, context.branch),
        "ProductArn": scope.product_arn,
        "ProductName": "secpipe",
        "CompanyName": "secpipe",
        "Region": context.region,
        "GeneratorId": clean(identity.generator_id(finding)) or "secpipe/unknown",
        "AwsAccountId": context.account,
        "Types": [kind],
        "CreatedAt": now,
        "UpdatedAt": now,
        "FirstObservedAt": _observed_timestamp(observed) if observed else now,
        "LastObservedAt": now,
        "Severity": {"Label": label, "Original": original},
        "FindingProviderFields": {"Severity": {"Label": label, "Original": original}, "Types": [kind]},
        "Title": title,
        "Description": description,
        "ProductFields": _product_fields(finding, scope, location, path),
        "Resources": _resources(finding, context, scope, path),
        "RecordState": "ACTIVE",
    }
    confidence = _confidence_percent(finding.confidence)
    if confidence is not None:
        asff["FindingProviderFields"]["Confidence"] = confidence
    remediation = _remediation(finding, source_url)
    if remediation:
        asff["Remediation"] = {"Recommendation": remediation}
    vulnerabilities = _vulnerabilities(finding, references, location, path)
    if vulnerabilities:
        asff["Vulnerabilities"] = vulnerabilities
    if source_url:
        asff["SourceUrl"] = source_url
    return asff


def _shorten(value: Any, cap: int) -> Any:
    if isinstance(value, str):
        return truncate(value, cap)
    if isinstance(value, list):
        return [_shorten(v, cap) for v in value]
    if isinstance(value, dict):
        return {k: _shorten(v, cap) for k, v in value.items()}
    return value


def _fit_size(asff: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Keep a finding under 240 KB by cutting its bulky free text (with the marker), never dropping it;
    with the finding, its encoded_size_bound when that was taken of it as returned, else infinity.

    Each text is within its own limit already; only many long values together
    (32 resources with snippets, 50 long ProductFields, multi-byte text) exceed it.
    """
    bound = encoded_size_bound(asff)
    if bound <= SIZE_BUDGET:
        return asff, bound  # the usual finding: orjson's size of it fits, and json.dumps is spared
    for cap in SIZE_CAPS:
        if encoded_size(asff) <= SIZE_BUDGET:
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
    return asff, UNKNOWN_SIZE


_CONFIDENCE_PERCENT: Final = {"low": 30, "medium": 60, "high": 90, "certain": 100, "firm": 80, "tentative": 40,
                       "confirmed": 100, "false positive": 0, "1": 30, "2": 60, "3": 90, "4": 100}


def _confidence_percent(confidence: str | None) -> int | None:
    if not confidence:
        return None
    return _CONFIDENCE_PERCENT.get(confidence.strip().lower())


def _remediation(finding: Finding, source_url: str | None) -> dict[str, str] | None:
    text = text_or_none(finding.remediation, RECOMMENDATION_MAX)
    url = text_or_none(finding.remediation_url) or source_url
    if not text and not url:
        return None
    recommendation: dict[str, str] = {}
    recommendation["Text"] = text or "See the referenced page for how to remediate this finding."
    if url:
        recommendation["Url"] = url
    return recommendation


def _product_fields(finding: Finding, scope: _Scope, location: CodeLocation | None, path: str | None) -> dict[str, str]:
    category = finding.category
    result = _put_texts({}, (("secpipe/tool", finding.tool), ("secpipe/rule", finding.rule_id)), PRODUCT_FIELD_VALUE_MAX)
    result.update(scope.fields)
    entries: list[tuple[str, Any]] = [
        ("secpipe/category", _CATEGORY_VALUES[category] if type(category) is Category else category.value),
        ("secpipe/confidence", finding.confidence),
        ("secpipe/cwe", ",".join(f"CWE-{c}" for c in finding.cwes) or None),
        ("secpipe/suppressed", "true" if finding.suppressed else None),
        ("secpipe/suppression-reason", finding.suppression_reason),
    ]
    # The keys set so far, whether or not their value was printable: `extra` cannot replace them.
    taken = _BASE_FIELDS
    if location is not None:
        entries.append(("secpipe/file", path))
        entries.append(("secpipe/line", str(location.start_line) if location.start_line else None))
        taken = _CODE_FIELDS
    iac = finding.iac_location
    if iac:
        entries.append(("secpipe/template", identity.normalise_path(iac.template)))
        entries.append(("secpipe/logical-id", iac.logical_id))
        taken = taken | _IAC_FIELDS
    web = finding.web_locations[0] if finding.web_locations else None
    if web:
        entries.append(("secpipe/url", web.url))
        taken = taken | _WEB_FIELDS
    _put_texts(result, entries, PRODUCT_FIELD_VALUE_MAX)
    if not finding.extra:
        return result
    dropped = 0
    for key, value in sorted(finding.extra.items()):
        field = f"secpipe/{key}"
        if field in taken:
            continue
        text = text_or_none(value, PRODUCT_FIELD_VALUE_MAX)
        if text is None:
            continue
        key_text = _field_key(field)
        if key_text is None:
            continue
        if len(result) >= PRODUCT_FIELDS_MAX - 1 or key_text in result:
            # Over the count, or two long keys that are equal once cut: counted, not lost unseen.
            dropped += 1
            continue
        result[key_text] = text
    if dropped:
        result["secpipe/extra-fields-omitted"] = str(dropped)
    return result


#: Cleaned ProductFields keys: a tool's extra keys are the same few for every finding of a report.
_field_keys: dict[str, str | None] = {}
_FIELD_KEYS_MAX: Final = 4096


def _field_key(field: str) -> str | None:
    key_text = _field_keys.get(field)
    if key_text is None:
        key_text = text_or_none(field, PRODUCT_FIELD_KEY_MAX)
        if len(_field_keys) < _FIELD_KEYS_MAX:
            _field_keys[field] = key_text
    return key_text


def _resource(resource_id: str, other: dict[str, str], context: ScanContext) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "Type": "Other",
        "Id": text_or_none(resource_id, RESOURCE_ID_MAX) or "unknown",
        "Partition": context.partition,
        "Region": context.region,
    }
    if other:
        resource["Details"] = {"Other": other}
    return resource


def _resources(finding: Finding, context: ScanContext, scope: _Scope, primary_path: str | None) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    repo_prefix = scope.repo_prefix
    for index, loc in enumerate(finding.code_locations):
        path = primary_path if index == 0 and primary_path is not None else identity.normalise_path(loc.path)
        other = _put_texts(dict(scope.repository_branch_commit), (
            ("path", path), ("startLine", loc.start_line), ("endLine", loc.end_line), ("column", loc.start_column),
            ("snippet", loc.snippet)), DETAILS_OTHER_VALUE_MAX)
        resources.append(_resource(f"{repo_prefix}:{path}", other, context))
    for web in finding.web_locations:
        other = _put_texts({}, (("url", web.url), ("method", web.method), ("parameter", web.parameter),
                                ("attack", web.attack), ("evidence", web.evidence)), DETAILS_OTHER_VALUE_MAX)
        resources.append(_resource(web.url, other, context))
    if finding.iac_location:
        iac = finding.iac_location
        template = identity.normalise_path(iac.template)
        other = _put_texts(dict(scope.repository_branch), (
            ("template", template), ("logicalId", iac.logical_id), ("resourceType", iac.resource_type),
            ("line", iac.line)), DETAILS_OTHER_VALUE_MAX)
        resources.append(_resource(f"{repo_prefix}:{template}#{iac.logical_id or '*'}", other, context))
    if not resources:
        for pkg in finding.packages:
            other = _put_texts(dict(scope.repository_branch), (
                ("package", pkg.name), ("version", pkg.version), ("fixedVersion", pkg.fixed_version),
                ("manifest", pkg.file_path)), DETAILS_OTHER_VALUE_MAX)
            resources.append(_resource(f"{repo_prefix}:{pkg.ecosystem or 'package'}:{pkg.name}@{pkg.version or '*'}",
                                       other, context))
    if not resources:
        resources.append(_resource(repo_prefix, dict(scope.repository_branch_commit), context))
    if len(resources) > RESOURCES_MAX:
        omitted = len(resources) - (RESOURCES_MAX - 1)
        resources = resources[: RESOURCES_MAX - 1]
        # The last slot says how many locations are not listed, so the count is never lost.
        other = _put_texts({}, (("omittedLocations", str(omitted)),
                                ("note", f"{omitted} further locations of this finding are in the raw report")),
                           DETAILS_OTHER_VALUE_MAX)
        resources.append(_resource(f"{repo_prefix}:more-locations", other, context))
    return resources


def _vulnerabilities(finding: Finding, references: list[str | None], location: CodeLocation | None,
                     path: str | None) -> list[dict[str, Any]]:
    ids = [i for i in (text_or_none(v) for v in finding.vulnerability_ids) if i]
    packages = []
    for pkg in finding.packages[:VULNERABLE_PACKAGES_MAX]:
        entry = _put_texts({}, (("Name", pkg.name), ("Version", pkg.version), ("FixedInVersion", pkg.fixed_version)), 1024)
        _put_texts(entry, (("PackageManager", pkg.ecosystem),), 256)
        _put_texts(entry, (("FilePath", pkg.file_path),), 1024)
        if "Name" in entry:
            packages.append(entry)
    cvss = []
    for score in finding.cvss:
        entry = {"Version": text_or_none(score.version, 16), "BaseScore": score.score,
                 "BaseVector": text_or_none(score.vector, 512), "Source": text_or_none(score.source, 256)}
        entry = {k: v for k, v in entry.items() if v is not None}
        if "Version" in entry and ("BaseScore" in entry or "BaseVector" in entry):
            cvss.append(entry)
    urls = [truncate(u, 2048) for u in references if u][:REFERENCE_URLS_MAX]
    code = _code_vulnerabilities(finding, location, path)

    if not ids and not packages and not code:
        return []
    primary: dict[str, Any] = {"Id": ids[0] if ids else text_or_none(finding.rule_id, 512) or text_or_none(finding.tool, 512) or "unknown"}
    if packages:
        primary["VulnerablePackages"] = packages
        fixed = [p for p in packages if "FixedInVersion" in p]
        primary["FixAvailable"] = "YES" if len(fixed) == len(packages) else ("PARTIAL" if fixed else "NO")
    if cvss:
        primary["Cvss"] = cvss
    if urls:
        primary["ReferenceUrls"] = urls
    if len(ids) > 1:
        primary["RelatedVulnerabilities"] = ids[1:50]
    if code:
        primary["CodeVulnerabilities"] = code
    return [primary]


def _code_vulnerabilities(finding: Finding, loc: CodeLocation | None, path: str | None) -> list[dict[str, Any]]:
    if loc is None and not finding.cwes:
        return []
    entry: dict[str, Any] = {}
    if finding.cwes:
        entry["Cwes"] = [f"CWE-{c}" for c in finding.cwes[:CWES_MAX]]
    if loc is not None and path is not None:
        file_path: dict[str, Any] = {"FilePath": text_or_none(path, 1024) or "unknown",
                                     "FileName": text_or_none(path.rsplit("/", 1)[-1], 1024) or "unknown"}
        if loc.start_line:
            file_path["StartLine"] = loc.start_line
            file_path["EndLine"] = max(loc.end_line or loc.start_line, loc.start_line)
        entry["FilePath"] = file_path
    return [entry]

