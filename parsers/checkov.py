"""checkov JSON (`checkov -o json`): one finding per `results.failed_checks` entry.

The document is one report object, a list of them (one per check type when
several frameworks ran), or, from checkov 2 when nothing was scanned, a bare
summary object without results. `skipped_checks` are imported as suppressed
findings carrying the suppress comment, so an accepted risk stays visible and
is not re-opened as new when the skip is removed.
"""
from __future__ import annotations

from typing import Any, TypeGuard

from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import masking, severity
from pipeline.finding import Category, CodeLocation, Cvss, Finding, IacLocation, Package

#: Check types whose `resource` names a resource in a template: findings get an IaC location.
IAC_CHECK_TYPES = frozenset({
    "terraform", "terraform_plan", "terraform_json", "cloudformation", "kubernetes", "helm", "kustomize",
    "serverless", "arm", "bicep", "openapi",
})
#: Check types whose findings are not infrastructure settings.
CATEGORY_BY_CHECK_TYPE = {
    "secrets": Category.SECRET,
    "sca_package": Category.SCA,
    "sca_image": Category.SCA,
}
_SUMMARY_KEYS = frozenset({"passed", "failed", "skipped", "checkov_version"})


def _is_report(item: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(item, dict) and "check_type" in item and isinstance(item.get("results"), dict)


def _is_summary_only(item: Any) -> bool:
    """checkov 2 prints only the summary when it found nothing to scan."""
    return isinstance(item, dict) and _SUMMARY_KEYS <= item.keys() and "results" not in item


def _repo_path(check: dict[str, Any]) -> str:
    """checkov writes scan-root-relative paths with a leading '/'; the repository path has none."""
    path = check.get("repo_file_path") or check.get("file_path") or check.get("file_abs_path") or "unknown"
    return path[1:] if path.startswith("/") and len(path) > 1 else path


def _split_resource(resource: str) -> tuple[str | None, str]:
    """(resource type, logical id) from checkov's resource address.

    CloudFormation: 'AWS::S3::Bucket.PublicBucket' -> ('AWS::S3::Bucket', 'PublicBucket').
    Terraform: 'module.m.aws_s3_bucket.data' -> ('aws_s3_bucket', 'module.m.aws_s3_bucket.data'): the full
    address is the logical id because the bare name repeats across resource types and modules.
    """
    if "::" in resource:
        kind, _, name = resource.rpartition(".")
        return (kind or None), (name or resource)
    parts = resource.split(".")
    if len(parts) >= 2:
        return parts[-2], resource
    return None, resource


def _snippet(check: dict[str, Any]) -> str | None:
    lines = [line[1] if isinstance(line, list) and len(line) == 2 else str(line) for line in check.get("code_block") or []]
    text = "".join(lines).strip()
    return text or None


def _line_range(check: dict[str, Any]) -> tuple[int | None, int | None]:
    lines = [n for n in (check.get("file_line_range") or []) if isinstance(n, int) and n > 0]
    if not lines:
        return None, None
    return min(lines), max(lines)


def _secret_values(check: dict[str, Any]) -> list[str]:
    """The unmasked part of a reported secret, where checkov left one in the snippet.

    checkov masks the middle of a secret with '*' but keeps its first characters;
    the whole quoted value is treated as the secret so nothing of it travels on.
    """
    values: list[str] = []
    for line in check.get("code_block") or []:
        text = line[1] if isinstance(line, list) and len(line) == 2 else str(line)
        for quote in ('"', "'"):
            pieces = text.split(quote)
            values.extend(p for p in pieces[1::2] if p.strip())
        _, sep, rest = text.partition("=")
        if sep and rest.strip() and not values:
            values.append(rest.strip())
    return values


def _vulnerability(details: dict[str, Any] | None, path: str) -> tuple[list[str], list[Cvss], list[Package]]:
    """checkov's SCA checks carry the CVE and package in `vulnerability_details`."""
    if not isinstance(details, dict):
        return [], [], []
    ids = [details["id"]] if details.get("id") else []
    cvss = []
    if isinstance(details.get("cvss"), (int, float)):
        cvss.append(Cvss(version="3.1", score=float(details["cvss"]), vector=details.get("vector") or None))
    packages = []
    if details.get("package_name"):
        packages.append(Package(name=details["package_name"], version=details.get("package_version"),
                                fixed_version=details.get("lowest_fixed_version") or details.get("fixed_version"),
                                file_path=path))
    return ids, cvss, packages


@register
class CheckovParser(Parser):
    name = "checkov"
    category = Category.IAC
    formats = "checkov -o json (one report, a list per check type, or the checkov 2 summary-only object)"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        items = doc if isinstance(doc, list) else [doc]
        if not items or not all(_is_report(i) or _is_summary_only(i) for i in items):
            return False
        return all("failed_checks" in i["results"] or "passed_checks" in i["results"] for i in items if _is_report(i))

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        items = doc if isinstance(doc, list) else [doc]
        findings: list[Finding] = []
        for item in items:
            if _is_summary_only(item):
                continue
            expect(report, _is_report(item), "not a checkov JSON report (no 'check_type' with 'results')")
            check_type = str(item["check_type"])
            results = item["results"]
            for check in results.get("failed_checks") or []:
                findings.append(self._finding(check, check_type, suppressed=False))
            for check in results.get("skipped_checks") or []:
                findings.append(self._finding(check, check_type, suppressed=True))
        return findings

    def _finding(self, check: dict[str, Any], check_type: str, suppressed: bool) -> Finding:
        rule_id = check["check_id"]
        title = check.get("check_name") or rule_id
        path = _repo_path(check)
        start, end = _line_range(check)
        resource = check.get("resource") or ""
        category = CATEGORY_BY_CHECK_TYPE.get(check_type, self.category)
        native = check.get("severity")
        ids, cvss, packages = _vulnerability(check.get("vulnerability_details"), path)
        where = f"{resource} in {path}" if resource and category is not Category.SECRET else path
        lines = f" (lines {start}-{end})" if start else ""
        description = check.get("description") or check.get("short_description") or f"{title}: check {rule_id} failed for {where}{lines}."
        details = [d for d in (check.get("details") or []) if isinstance(d, str) and d.strip()]
        if details:
            description += " " + " ".join(details)
        extra = {"check-type": check_type, "check-class": check.get("check_class") or "",
                 "bc-check-id": check.get("bc_check_id") or "", "resource": resource,
                 "evaluated-keys": ",".join(map(str, (check.get("check_result") or {}).get("evaluated_keys") or [])),
                 "bc-category": check.get("bc_category") or ""}
        finding = Finding(
            tool=self.name,
            rule_id=rule_id,
            title=title,
            description=description,
            severity=severity.decide(self.name, native, cvss),
            native_severity=native,
            category=category,
            vulnerability_ids=ids,
            cvss=cvss,
            packages=packages,
            references=[check["guideline"]] if check.get("guideline") else [],
            remediation_url=check.get("guideline") or None,
            suppressed=suppressed,
            suppression_reason=(check.get("check_result") or {}).get("suppress_comment") if suppressed else None,
            extra={k: v for k, v in extra.items() if v},
        )
        if check_type in IAC_CHECK_TYPES and resource:
            resource_type, logical_id = _split_resource(resource)
            finding.iac_location = IacLocation(template=path, logical_id=logical_id, resource_type=resource_type, line=start)
        else:
            # The resource ('/Dockerfile.FROM', or for secrets a hash of the value) is
            # line-insensitive, unlike the snippet, which for whole-file checks is the whole file.
            finding.fingerprint = f"{path}#{resource}" if resource else None
            finding.code_locations = [CodeLocation(path=path, start_line=start, end_line=end, snippet=_snippet(check))]
        if category is Category.SECRET:
            finding = masking.redact(finding, _secret_values(check))
        return finding
