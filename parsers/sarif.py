"""SARIF 2.1.0 from any producer: one finding per result x location.

Everything that is per rule (descriptions, CWE, advisory ids, default level,
`security-severity`, whether it is a secret rule) is worked out once per rule
when a run is indexed, so a result costs a few dict look-ups: the benchmark
parses 100,000 results.
"""
from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from parsers._advisory_ids import cwe_numbers, vulnerability_ids
from parsers._whitespace import single_spaced
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, CodeLocation, Finding
from pipeline.masking import redact

TITLE_WIDTH = 150  # long messages are shortened at a word boundary, the full text stays in the description
SARIF_DEFAULT_LEVEL = "warning"  # SARIF 2.1.0 §3.27.10: a result without a level is a warning

# "{0}" is replaced by arguments[0]; "{{" and "}}" are literal braces (SARIF §3.11.5).
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\d+)\}")
_WINDOWS_DRIVE = re.compile(r"^/[A-Za-z]:/")
_SECRET_WORDS = ("secret",)  # rule id, name, tags or short description
_SECRET_TOOLS = ("gitleaks", "trufflehog", "detect-secrets", "detect_secrets", "secretlint", "ggshield")
_SECRET_PROPERTY_KEYS = ("secret", "match", "value", "offender")
_MANIFESTS = frozenset({
    "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "requirements.txt", "pipfile",
    "pipfile.lock", "poetry.lock", "pyproject.toml", "setup.py", "pom.xml", "build.gradle", "build.gradle.kts",
    "gradle.lockfile", "go.mod", "go.sum", "gemfile", "gemfile.lock", "composer.json", "composer.lock",
    "cargo.toml", "cargo.lock", "packages.config", "packages.lock.json", "mix.lock", "pubspec.lock",
})
_PACKAGE_SUFFIXES = (".jar", ".war", ".ear", ".whl", ".egg", ".nupkg", ".gem", ".tgz", ".csproj")
_PACKAGE_DIRS = ("node_modules/", "site-packages/", "dist-packages/", "vendor/")
_IN_PACKAGE_DIR = re.compile("|".join(map(re.escape, _PACKAGE_DIRS)))  # one search, not one per folder


@dataclass(frozen=True)
class RuleInfo:
    """What a result inherits from its rule, computed once per rule."""

    id: str
    name: str | None = None
    short: str | None = None
    full: str | None = None
    help_text: str | None = None
    help_uri: str | None = None
    level: str | None = None
    security_severity: float | None = None
    cwes: tuple[int, ...] = ()
    vulnerability_ids: tuple[str, ...] = ()
    is_secret: bool = False
    message_strings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Component:
    """The driver or one extension, with its rules indexed both ways."""

    name: str
    rules_by_index: list[RuleInfo]
    rules_by_id: dict[str, RuleInfo]
    message_strings: dict[str, Any]


@dataclass
class RunIndex:
    tool_name: str
    driver: Component
    extensions: list[Component]
    extensions_by_name: dict[str, Component]
    artifacts: list[Any]
    roots: tuple[str, ...]  # absolute directory paths that resolved URIs are made relative to
    taxonomy_names: list[str]
    secret_tool: bool
    observed_at: datetime | None
    _ids_of_unknown_rule: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def rule_for(self, result: dict[str, Any]) -> tuple[RuleInfo | None, Component]:
        """Resolve ruleIndex / ruleId / rule.{id,index,toolComponent} (SARIF §3.27.5-7, §3.52)."""
        reference = result.get("rule") or {}
        component = self.driver
        pinned = False
        tool_component = reference.get("toolComponent")
        if isinstance(tool_component, dict):
            found = self._component(tool_component)
            if found is not None:
                component, pinned = found, True
        index = result.get("ruleIndex", reference.get("index"))
        if isinstance(index, int) and 0 <= index < len(component.rules_by_index):
            return component.rules_by_index[index], component
        rule_id = result.get("ruleId") or reference.get("id")
        if not isinstance(rule_id, str):
            return None, component
        rule = component.rules_by_id.get(rule_id)
        if rule is None and "/" in rule_id:
            # Hierarchical ids ("C2001/sub") name a sub-rule of rule "C2001".
            rule = component.rules_by_id.get(rule_id.split("/", 1)[0])
        if rule is None and not pinned:
            for extension in self.extensions:
                rule = extension.rules_by_id.get(rule_id)
                if rule is not None:
                    return rule, extension
        return rule, component

    def _component(self, reference: dict[str, Any]) -> Component | None:
        index = reference.get("index")
        if isinstance(index, int) and 0 <= index < len(self.extensions):
            return self.extensions[index]
        for key in ("name", "guid"):
            value = reference.get(key)
            if isinstance(value, str):
                if value.lower() == self.driver.name.lower():
                    return self.driver
                if value.lower() in self.extensions_by_name:
                    return self.extensions_by_name[value.lower()]
        return None

    def ids_of_unknown_rule(self, rule_id: str) -> tuple[str, ...]:
        """Advisory ids in the id of a rule the run does not describe (e.g. Dependency-Check's 'CVE-...')."""
        cached = self._ids_of_unknown_rule.get(rule_id)
        if cached is None:
            cached = self._ids_of_unknown_rule[rule_id] = tuple(vulnerability_ids(rule_id))
        return cached


def _text(message: Any) -> str | None:
    if isinstance(message, dict):
        value = message.get("text") or message.get("markdown")
        return value if isinstance(value, str) and value.strip() else None
    return None


def _score(value: Any) -> float | None:
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return score if 0.0 <= score <= 10.0 else None


def _taxon_cwes(references: Any, taxonomy_names: list[str]) -> list[int]:
    """CWE numbers from rule relationships or result taxa that point into a CWE taxonomy."""
    found: list[int] = []
    if not isinstance(references, list):
        return found
    for reference in references:
        if not isinstance(reference, dict):
            continue
        target = reference.get("target", reference)
        if not isinstance(target, dict):
            continue
        ident = str(target.get("id", ""))
        component = target.get("toolComponent") or {}
        taxonomy = str(component.get("name", ""))
        index = component.get("index")
        if not taxonomy and isinstance(index, int) and 0 <= index < len(taxonomy_names):
            taxonomy = taxonomy_names[index]
        if ident.isdigit() and taxonomy.upper() == "CWE":
            found.append(int(ident))
        else:
            found.extend(cwe_numbers(ident))
    return found


def _rule_info(rule: dict[str, Any], taxonomy_names: list[str], secret_tool: bool) -> RuleInfo:
    rule_id = str(rule.get("id") or rule.get("name") or "unknown-rule")
    properties = rule.get("properties") or {}
    tags = [str(t) for t in properties.get("tags") or [] if isinstance(t, (str, int))]
    cwes = cwe_numbers(" ".join(tags))
    cwes += [c for c in _taxon_cwes(rule.get("relationships"), taxonomy_names) if c not in cwes]
    name = rule.get("name") if isinstance(rule.get("name"), str) else None
    short, full = _text(rule.get("shortDescription")), _text(rule.get("fullDescription"))
    id_text = " ".join(filter(None, [rule_id, name, " ".join(tags), str(properties.get("cve") or ""),
                                     str(properties.get("ghsa") or "")]))
    identifying = " ".join(filter(None, [rule_id, name, " ".join(tags), short])).lower()
    default = rule.get("defaultConfiguration") or {}
    help_uri = rule.get("helpUri") if isinstance(rule.get("helpUri"), str) else None
    return RuleInfo(
        id=rule_id,
        name=name,
        short=short,
        full=full,
        help_text=_text(rule.get("help")),
        help_uri=help_uri,
        level=default.get("level") if isinstance(default.get("level"), str) else None,
        security_severity=_score(properties.get("security-severity")),
        cwes=tuple(cwes),
        vulnerability_ids=tuple(vulnerability_ids(id_text)),
        is_secret=secret_tool or any(word in identifying for word in _SECRET_WORDS),
        message_strings=rule.get("messageStrings") or {},
    )


def _component(tool_component: dict[str, Any], taxonomy_names: list[str], secret_tool: bool) -> Component:
    rules = [_rule_info(r, taxonomy_names, secret_tool) for r in tool_component.get("rules") or [] if isinstance(r, dict)]
    by_id: dict[str, RuleInfo] = {}
    for rule in rules:
        by_id.setdefault(rule.id, rule)
    return Component(
        name=str(tool_component.get("name") or ""),
        rules_by_index=rules,
        rules_by_id=by_id,
        message_strings=tool_component.get("globalMessageStrings") or {},
    )


def _base_path(base_id: str, bases: dict[str, Any], depth: int = 0) -> str | None:
    """The absolute path an originalUriBaseIds entry stands for, following uriBaseId chains."""
    entry = bases.get(base_id)
    if not isinstance(entry, dict) or depth > 8:
        return None
    uri = str(entry.get("uri") or "").strip()
    parent = entry.get("uriBaseId")
    if parent:
        parent_path = _base_path(str(parent), bases, depth + 1)
        if parent_path is None:
            return None
        uri = parent_path.rstrip("/") + "/" + uri.lstrip("/")
    elif uri.startswith("file:"):
        uri = _file_uri_path(uri)
    else:
        return None
    return uri if uri.endswith("/") else uri + "/"


def _file_uri_path(uri: str) -> str:
    path = unquote(urlsplit(uri).path)
    if _WINDOWS_DRIVE.match(path):
        path = path[1:]
    return "/" + path.lstrip("/") if path.startswith("/") else path


def _roots(run: dict[str, Any]) -> tuple[str, ...]:
    bases = run.get("originalUriBaseIds") or {}
    roots = [_base_path(name, bases) for name in bases] if isinstance(bases, dict) else []
    for invocation in run.get("invocations") or []:
        directory = (invocation or {}).get("workingDirectory") or {}
        if isinstance(directory.get("uri"), str) and directory["uri"].startswith("file:"):
            path = _file_uri_path(directory["uri"])
            roots.append(path if path.endswith("/") else path + "/")
    # Longest first, so the most specific root wins.
    return tuple(sorted({r for r in roots if r and r != "/"}, key=len, reverse=True))


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _index_run(run: dict[str, Any]) -> RunIndex:
    tool = run.get("tool") or {}
    driver = tool.get("driver") or {}
    tool_name = str(driver.get("name") or "unknown")
    taxonomy_names = [str((t or {}).get("name", "")) for t in run.get("taxonomies") or []]
    secret_tool = any(name in tool_name.lower() for name in _SECRET_TOOLS)
    extensions = [_component(e, taxonomy_names, secret_tool) for e in tool.get("extensions") or [] if isinstance(e, dict)]
    by_name: dict[str, Component] = {}
    for extension, raw in zip(extensions, [e for e in tool.get("extensions") or [] if isinstance(e, dict)], strict=True):
        by_name.setdefault(extension.name.lower(), extension)
        if isinstance(raw.get("guid"), str):
            by_name.setdefault(raw["guid"].lower(), extension)
    invocations = run.get("invocations") or [{}]
    last = invocations[-1] if isinstance(invocations[-1], dict) else {}
    return RunIndex(
        tool_name=tool_name,
        driver=_component(driver, taxonomy_names, secret_tool),
        extensions=extensions,
        extensions_by_name=by_name,
        artifacts=run.get("artifacts") or [],
        roots=_roots(run),
        taxonomy_names=taxonomy_names,
        secret_tool=secret_tool,
        observed_at=_parse_time(last.get("endTimeUtc") or last.get("startTimeUtc")),
    )


@lru_cache(maxsize=4096)
def _template_parts(template: str) -> tuple[str | int, ...]:
    """A message template split once into literal text and argument positions."""
    parts: list[str | int] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[position:match.start()])
        token = match.group(0)
        parts.append("{" if token == "{{" else "}" if token == "}}" else int(match.group(1)))
        position = match.end()
    parts.append(template[position:])
    return tuple(parts)


def _format(template: str, arguments: list[Any]) -> str:
    """Substitute {n} with arguments[n]; text without arguments is taken literally."""
    if not arguments or "{" not in template:
        return template
    out = []
    for part in _template_parts(template):
        if isinstance(part, int):
            out.append(str(arguments[part]) if part < len(arguments) else f"{{{part}}}")
        else:
            out.append(part)
    return "".join(out)


def _message(result: dict[str, Any], rule: RuleInfo | None, component: Component, run: RunIndex) -> str | None:
    message = result.get("message") or {}
    template = _text(message)
    if template is None and isinstance(message.get("id"), str):
        # messageStrings of the rule first, then the component's and the driver's global strings.
        for strings in (rule.message_strings if rule else {}, component.message_strings, run.driver.message_strings):
            template = _text(strings.get(message["id"]))
            if template:
                break
    if template is None:
        return None
    arguments = message.get("arguments") or []
    return _format(template, arguments if isinstance(arguments, list) else [])


def _shorten(text: str) -> str:
    flat = single_spaced(text)
    if len(flat) <= TITLE_WIDTH:
        return flat
    return textwrap.shorten(flat, TITLE_WIDTH, placeholder=" [...]")


def _suppression(result: dict[str, Any]) -> tuple[bool, str | None]:
    """A result is suppressed by any suppression that was not rejected (SARIF §3.35.3)."""
    for suppression in result.get("suppressions") or []:
        if not isinstance(suppression, dict):
            continue
        status = str(suppression.get("status") or suppression.get("state") or "accepted")
        if status.lower() == "rejected":
            continue
        reason = suppression.get("justification") or f"suppressed ({suppression.get('kind', 'external')}, {status})"
        return True, str(reason)
    return False, None


def _fingerprint(result: dict[str, Any]) -> str | None:
    for key in ("fingerprints", "partialFingerprints"):
        prints = result.get(key)
        if isinstance(prints, dict) and prints:
            if len(prints) == 1:  # the usual single fingerprint: nothing to sort
                ((name, value),) = prints.items()
                return f"{name}={value}"
            return ";".join(f"{k}={v}" for k, v in sorted(prints.items()))
    return None


def _resolve_uri(uri: str, run: RunIndex) -> str:
    """A path relative to the scanned tree wherever the report lets us know the tree's root."""
    if uri.startswith("file:"):
        path = _file_uri_path(uri)
        for root in run.roots:
            if path.startswith(root):
                return path[len(root):]
        return path
    if "%" in uri:
        uri = unquote(uri)
    while uri.startswith("./"):
        uri = uri[2:]
    return uri


def _code_location(location: Any, run: RunIndex) -> CodeLocation | None:
    if not isinstance(location, dict):
        return None
    physical = location.get("physicalLocation")
    if not isinstance(physical, dict):
        return None
    artifact = physical.get("artifactLocation") or {}
    uri = artifact.get("uri")
    index = artifact.get("index")
    if not uri and isinstance(index, int) and 0 <= index < len(run.artifacts):
        uri = ((run.artifacts[index] or {}).get("location") or {}).get("uri")
    if not isinstance(uri, str) or not uri:
        return None
    region = physical.get("region") or {}
    start = region.get("startLine")
    end = region.get("endLine")
    column = region.get("startColumn")
    snippet = region.get("snippet") or (physical.get("contextRegion") or {}).get("snippet") or {}
    return CodeLocation(
        path=sys.intern(_resolve_uri(uri, run)),
        start_line=start if isinstance(start, int) and start > 0 else None,
        end_line=end if isinstance(end, int) and end > 0 else (start if isinstance(start, int) and start > 0 else None),
        start_column=column if isinstance(column, int) else None,
        snippet=snippet.get("text") if isinstance(snippet, dict) and isinstance(snippet.get("text"), str) else None,
    )


def _looks_like_package(path: str) -> bool:
    lowered = path.lower()
    return (lowered[lowered.rfind("/") + 1:] in _MANIFESTS or lowered.endswith(_PACKAGE_SUFFIXES)
            or _IN_PACKAGE_DIR.search(lowered) is not None)


def _secret_candidates(result: dict[str, Any], locations: list[CodeLocation | None]) -> list[str]:
    """Every string in the result that may hold the secret: snippets, message arguments, secret-ish properties."""
    candidates = [loc.snippet for loc in locations if loc is not None and loc.snippet]
    arguments = (result.get("message") or {}).get("arguments") or []
    candidates += [str(a) for a in arguments if isinstance(a, (str, int, float)) and len(str(a)) >= 4]
    for key, value in (result.get("properties") or {}).items():
        if isinstance(value, str) and any(word in key.lower() for word in _SECRET_PROPERTY_KEYS):
            candidates.append(value)
    return candidates


def _result_vulnerability_ids(result: dict[str, Any]) -> list[str]:
    properties = result.get("properties")
    if not isinstance(properties, dict) or not properties:
        return []
    texts = [v if isinstance(v, str) else " ".join(map(str, v))
             for v in properties.values() if isinstance(v, (str, list))]
    texts = [t for t in texts if "CVE-" in t or "GHSA-" in t]
    return vulnerability_ids(" ".join(texts)) if texts else []


@register
class SarifParser(Parser):
    name = "sarif"
    category = Category.SAST
    formats = "SARIF 2.1.0 from any producer (CodeQL, Semgrep, Gitleaks, Dependency-Check, ...)"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        if not isinstance(doc, dict) or not isinstance(doc.get("runs"), list):
            return False
        return str(doc.get("version", "")).startswith("2.") or "sarif" in str(doc.get("$schema", "")).lower()

    def parse(self, report: Report) -> list[Finding]:
        doc = report.take_json()
        expect(report, isinstance(doc, dict) and isinstance(doc.get("runs"), list),
               "not a SARIF log (no 'runs' list)")
        version = str(doc.get("version", "2.1.0"))
        expect(report, version.startswith("2."), f"SARIF version {version} is not supported (use 2.1.0)")
        findings: list[Finding] = []
        for run in doc["runs"]:
            expect(report, isinstance(run, dict), "a SARIF run is not an object")
            index = _index_run(run)
            results = run.get("results") or []
            expect(report, isinstance(results, list), "a SARIF run's 'results' is not a list")
            for position, result in enumerate(results):
                # Each result is let go once read: the report is held as results or as
                # findings, never as both (half of a large parse's peak memory).
                results[position] = None
                expect(report, isinstance(result, dict), "a SARIF result is not an object")
                findings.extend(self._result_findings(result, index))
        return findings

    def _result_findings(self, result: dict[str, Any], run: RunIndex) -> list[Finding]:
        if result.get("kind", "fail") != "fail":
            # pass / open / review / informational / notApplicable are not problems found.
            return []
        rule, component = run.rule_for(result)
        reference = result.get("rule") or {}
        # Texts that many results share are held once (sys.intern) rather than once per finding:
        # a large report repeats its rule ids, levels, paths and messages thousands of times.
        rule_id = sys.intern(str(result.get("ruleId") or reference.get("id") or (rule.id if rule else "") or "unknown-rule"))
        message = _message(result, rule, component, run)
        title_source = message or (rule and (rule.short or rule.full or rule.name or rule.id)) or rule_id
        properties = result.get("properties")

        level = sys.intern(str(result.get("level") or (rule.level if rule else None) or SARIF_DEFAULT_LEVEL))
        score = _score(properties.get("security-severity")) if isinstance(properties, dict) and properties else None
        if score is None and rule is not None:
            score = rule.security_severity
        if score is not None:
            label, native = severity.from_cvss_score(score), sys.intern(f"security-severity {score:g}")
        else:
            label, native = severity.from_native(self.name, level), level

        cwes = list(rule.cwes) if rule else []
        for cwe in _taxon_cwes(result.get("taxa"), run.taxonomy_names):
            if cwe not in cwes:
                cwes.append(cwe)
        ids = list(rule.vulnerability_ids) if rule else list(run.ids_of_unknown_rule(rule_id))
        ids += [i for i in _result_vulnerability_ids(result) if i not in ids]

        description = message or ""
        if rule and rule.full and rule.full != message:
            description = sys.intern(f"{description}\n\n{rule.full}") if description else rule.full
        suppressed, reason = _suppression(result)
        references = [rule.help_uri] if rule and rule.help_uri else []
        extra = {"sarif-tool": run.tool_name, "sarif-level": level}
        if rule and rule.name and rule.name != rule_id:
            extra["rule-name"] = rule.name
        if component is not run.driver:
            extra["sarif-extension"] = component.name
        is_secret = (rule.is_secret if rule else run.secret_tool or "secret" in rule_id.lower())

        raw_locations = result.get("locations") or [None]
        locations = [_code_location(loc, run) for loc in raw_locations]
        secrets = _secret_candidates(result, locations) if is_secret else []
        title = sys.intern(_shorten(str(title_source)))
        fingerprint = _fingerprint(result)
        findings = []
        for location in locations:
            if is_secret:
                category = Category.SECRET
            elif ids or (location is not None and _looks_like_package(location.path)):
                category = Category.SCA
            else:
                category = Category.SAST
            finding = Finding(
                tool=self.name,
                rule_id=rule_id,
                title=title,
                severity=label,
                category=category,
                description=description,
                native_severity=native,
                cwes=list(cwes),
                vulnerability_ids=list(ids),
                code_locations=[location] if location is not None else [],
                references=list(references),
                remediation=rule.help_text if rule else None,
                remediation_url=rule.help_uri if rule else None,
                suppressed=suppressed,
                suppression_reason=reason,
                fingerprint=fingerprint,
                observed_at=run.observed_at,
                extra=dict(extra),
            )
            findings.append(redact(finding, secrets) if secrets else finding)
        return findings

