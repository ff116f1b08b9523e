"""OWASP Dependency-Check reports, JSON (`--format JSON`) and XML (`--format XML`, any schema version).

One finding per vulnerability AND per suppressed vulnerability of each
dependency; suppressed ones are kept with `suppressed=True` and the notes of the
suppression as the reason, so an audit sees what was waived. Related
dependencies (the same library found again elsewhere) are listed in the
description, not made into findings of their own.

Both formats are read into the JSON report's shape first, so the mapping to a
Finding exists once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from parsers._advisory_ids import cwe_numbers
from parsers._whitespace import single_spaced
from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, Cvss, Finding, Package, Severity

_ADVISORY_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$")
_NO_SUPPRESSION_NOTES = "suppressed by the dependency-check suppression file (it gives no notes)"

# Full words Dependency-Check writes for CVSS metrics -> the vector letters.
_V3_LETTERS = {"NETWORK": "N", "ADJACENT_NETWORK": "A", "ADJACENT": "A", "LOCAL": "L", "PHYSICAL": "P",
               "LOW": "L", "HIGH": "H", "NONE": "N", "REQUIRED": "R", "UNCHANGED": "U", "CHANGED": "C"}
_V2_LETTERS = {"NETWORK": "N", "ADJACENT_NETWORK": "A", "LOCAL": "L", "LOW": "L", "MEDIUM": "M", "HIGH": "H",
               "NONE": "N", "SINGLE": "S", "SINGLE_INSTANCE": "S", "MULTIPLE": "M", "MULTIPLE_INSTANCES": "M",
               "PARTIAL": "P", "COMPLETE": "C"}
_V3_METRICS = (("AV", "attackVector"), ("AC", "attackComplexity"), ("PR", "privilegesRequired"),
               ("UI", "userInteraction"), ("S", "scope"), ("C", "confidentialityImpact"),
               ("I", "integrityImpact"), ("A", "availabilityImpact"))
_V2_METRICS = (("AV", "accessVector"), ("AC", "accessComplexity"), ("Au", "authenticationr", "authentication"),
               ("C", "confidentialImpact", "confidentialityImpact"), ("I", "integrityImpact"),
               ("A", "availabilityImpact"))


# --- XML -> the JSON report's shape -------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _child(element: Element | None, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _leaf_dict(element: Element | None) -> dict[str, str] | None:
    if element is None:
        return None
    return {_local(c.tag): (c.text or "").strip() for c in element if len(c) == 0 and (c.text or "").strip()}


def _xml_vulnerability(element: Element) -> dict[str, Any]:
    vuln: dict[str, Any] = {
        "source": element.get("source"),
        "name": _text(element, "name"),
        "severity": _text(element, "severity"),
        "description": _text(element, "description"),
        "notes": _text(element, "notes"),
        "cwes": [c.text.strip() for c in _children(_child(element, "cwes"), "cwe") if c.text and c.text.strip()],
        "references": [_leaf_dict(r) for r in _children(_child(element, "references"), "reference")],
        "vulnerableSoftware": [{"software": {**dict(s.attrib), "id": (s.text or "").strip()}}
                               for s in _children(_child(element, "vulnerableSoftware"), "software")],
    }
    if _text(element, "cwe"):  # schema 1.x: one <cwe> with its name after the id
        vuln["cwes"].append(_text(element, "cwe"))
    for key, tag in (("cvssv2", "cvssV2"), ("cvssv3", "cvssV3"), ("cvssv4", "cvssV4")):
        metrics = _leaf_dict(_child(element, tag))
        if metrics:
            vuln[key] = metrics
    if "cvssv2" not in vuln and _text(element, "cvssScore"):
        # schema 1.x: the CVSS v2 metrics sit directly in <vulnerability>, prefixed "cvss".
        vuln["cvssv2"] = {"score": _text(element, "cvssScore"), **{
            name[4].lower() + name[5:]: value for name, value in (_leaf_dict(element) or {}).items()
            if name.startswith("cvss") and name != "cvssScore"}}
    return vuln


def _xml_dependency(element: Element) -> dict[str, Any]:
    identifiers = _child(element, "identifiers")
    packages = [{"id": _text(p, "id")} for p in (identifiers.iter() if identifiers is not None else [])
                if _local(p.tag) == "package" and _text(p, "id")]
    legacy = [{"type": i.get("type"), "name": _text(i, "name")} for i in _children(identifiers, "identifier")]
    evidence: dict[str, list[dict[str, str | None]]] = {"productEvidence": [], "versionEvidence": []}
    for item in _children(_child(element, "evidenceCollected"), "evidence"):
        key = f"{item.get('type')}Evidence"
        if key in evidence:
            evidence[key].append({"confidence": item.get("confidence"), "value": _text(item, "value")})
    vulnerabilities, suppressed = [], []
    for container in ("vulnerabilities", "suppressedVulnerabilities"):
        for child in _child(element, container) or []:
            if _local(child.tag) == "vulnerability":
                vulnerabilities.append(_xml_vulnerability(child))
            elif _local(child.tag) == "suppressedVulnerability":
                suppressed.append(_xml_vulnerability(child))
    return {
        "fileName": _text(element, "fileName"),
        "filePath": _text(element, "filePath"),
        "packages": packages,
        "legacyIdentifiers": legacy,
        "evidenceCollected": evidence,
        "relatedDependencies": [{"fileName": _text(r, "fileName"), "filePath": _text(r, "filePath")}
                                for r in _children(_child(element, "relatedDependencies"), "relatedDependency")],
        "vulnerabilities": vulnerabilities,
        "suppressedVulnerabilities": suppressed,
    }


def _xml_document(root: Element) -> dict[str, Any]:
    project = _child(root, "projectInfo")
    return {
        "projectInfo": {"reportDate": _text(project, "reportDate")},
        "dependencies": [_xml_dependency(d) for d in _children(_child(root, "dependencies"), "dependency")],
    }


# --- component, CVSS, severity --------------------------------------------------------------------

def component_from_purl(purl: str) -> tuple[str, str | None, str | None] | None:
    """(name, version, ecosystem) of a package URL; maven names are group:artifact."""
    if not purl.startswith("pkg:"):
        return None
    body = purl[4:].split("#", 1)[0].split("?", 1)[0]
    ecosystem, _, rest = body.partition("/")
    path, _, version = rest.rpartition("@") if "@" in rest.lstrip("@") else (rest, "", "")
    parts = [unquote(p) for p in path.split("/") if p]
    if not parts:
        return None
    name = ":".join(parts) if ecosystem == "maven" else "/".join(parts)
    return name, unquote(version) or None, ecosystem or None


def _best_evidence(items: list[dict[str, Any]]) -> str | None:
    order = {"HIGHEST": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3}
    ranked = sorted((i for i in items if i.get("value")), key=lambda i: order.get(str(i.get("confidence")).upper(), 4))
    return ranked[0]["value"] if ranked else None


def component_of(dependency: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """The dependency's (name, version, ecosystem): package URL, else a maven
    identifier, else product/version evidence, else the file name."""
    for package in dependency.get("packages") or []:
        parsed = component_from_purl(str(package.get("id") or ""))
        if parsed:
            return parsed
    for identifier in dependency.get("legacyIdentifiers") or []:
        if identifier.get("type") == "maven" and identifier.get("name", "").count(":") >= 2:
            group, artifact, version = identifier["name"].split(":")[:3]
            return f"{group}:{artifact}", version or None, "maven"
    evidence = dependency.get("evidenceCollected") or {}
    product = _best_evidence(evidence.get("productEvidence") or [])
    if product:
        return product, _best_evidence(evidence.get("versionEvidence") or []), None
    return str(dependency.get("fileName") or dependency.get("filePath") or "unknown dependency"), None, None


def _float(value: Any) -> float | None:
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return score if 0.0 <= score <= 10.0 else None


@dataclass(frozen=True)
class _CvssWords:
    """How one CVSS version's metrics are written out in words, and the vectors already worked out."""

    metrics: tuple[tuple[str, ...], ...]  # (abbreviation, the keys that may hold its word, first first)
    letters: dict[str, str]
    keys: tuple[str, ...]  # every key of `metrics`, in order
    #: A report repeats a few combinations of words thousands of times: each is worked out once.
    vectors: dict[tuple[str | None, ...], str | None] = field(default_factory=dict)


def _cvss_words(metrics: tuple[tuple[str, ...], ...], letters: dict[str, str]) -> _CvssWords:
    return _CvssWords(metrics, letters, tuple(key for _, *keys in metrics for key in keys))


_V2 = _cvss_words(_V2_METRICS, _V2_LETTERS)
_V3 = _cvss_words(_V3_METRICS, _V3_LETTERS)


def _vector(metrics: dict[str, Any], words: _CvssWords) -> str | None:
    """The vector of the metrics' words; the words are the memo's key (values of other types, which
    a real report never has, are worked out every time: 1 and True would be one key)."""
    key = tuple(map(metrics.get, words.keys))
    if not _WORD_TYPES.issuperset(map(type, key)):
        return _words_to_vector(metrics, words.metrics, words.letters)
    vector = words.vectors.get(key, _UNKNOWN)
    if vector is _UNKNOWN:
        if len(words.vectors) >= _MAX_SHARED:  # a hostile report's endless combinations: start afresh
            words.vectors.clear()
        vector = words.vectors[key] = _words_to_vector(metrics, words.metrics, words.letters)
    return vector  # type: ignore[return-value]  # never _UNKNOWN here


_WORD_TYPES = frozenset({str, type(None)})
_UNKNOWN = object()
#: How many entries a memo of this module holds before it starts afresh.
_MAX_SHARED = 4096


def _words_to_vector(metrics: dict[str, Any], spec: tuple[tuple[str, ...], ...], letters: dict[str, str]) -> str | None:
    parts = []
    for abbreviation, *keys in spec:
        # The first key that has a value (a loop, not next() over a generator: this runs per vulnerability).
        raw = None
        for key in keys:
            if metrics.get(key):
                raw = str(metrics[key]).strip().upper()
                break
        if raw is None:
            return None
        letter = raw if len(raw) == 1 else letters.get(raw)
        if letter is None:
            return None
        parts.append(f"{abbreviation}:{letter}")
    return "/".join(parts)


def cvss_of(vuln: dict[str, Any]) -> list[Cvss]:
    scores = []
    v2 = vuln.get("cvssv2")
    if isinstance(v2, dict):
        scores.append(_cvss(str(v2.get("version") or "2.0"), _float(v2.get("score")),
                            v2.get("vectorString") or _vector(v2, _V2), vuln.get("source")))
    v3 = vuln.get("cvssv3")
    if isinstance(v3, dict):
        version = str(v3.get("version") or "3.1")
        vector = v3.get("vectorString") or _vector(v3, _V3)
        if vector and not vector.startswith("CVSS:"):
            vector = _versioned(version, vector) if type(vector) is str else f"CVSS:{version}/{vector}"
        scores.append(_cvss(version, _float(v3.get("baseScore")), vector, vuln.get("source")))
    v4 = vuln.get("cvssv4")
    if isinstance(v4, dict):
        cvss_data = v4.get("cvssData")
        data = cvss_data if isinstance(cvss_data, dict) else v4
        scores.append(_cvss(str(data.get("version") or "4.0"), _float(data.get("baseScore")),
                            data.get("vectorString"), v4.get("source") or vuln.get("source")))
    return [s for s in scores if s.score is not None or s.vector]


@lru_cache(maxsize=1024)
def _versioned(version: str, vector: str) -> str:
    """A v3 vector with its version prefix, once per distinct vector rather than once per vulnerability."""
    return f"CVSS:{version}/{vector}"


def _cvss(version: str, score: float | None, vector: Any, source: Any) -> Cvss:
    """A Cvss is immutable, so equal ones can be one object: a report repeats a few scores and
    vectors thousands of times. Only values that are equal exactly when they look alike are
    keys (text, None, scores but 0, which would make -0.0 and 0.0 one)."""
    if not ((vector is None or type(vector) is str) and (source is None or type(source) is str) and score != 0):
        return Cvss(version=version, score=score, vector=vector, source=source)
    key = (version, score, vector, source)
    found = _CVSS.get(key)
    if found is None:
        if len(_CVSS) >= _MAX_SHARED:  # a hostile report's endless values: start afresh
            _CVSS.clear()
        found = _CVSS[key] = Cvss(version=version, score=score, vector=vector, source=source)
    return found


_CVSS: dict[tuple[str, float | None, str | None, str | None], Cvss] = {}


def _v2_band(score: float) -> Severity:
    # CVSS v2 has three bands (NVD): 0-3.9 low, 4-6.9 medium, 7-10 high; it has no "critical".
    return Severity.LOW if score < 4.0 else Severity.MEDIUM if score < 7.0 else Severity.HIGH


def decide_severity(native: str | None, cvss: list[Cvss]) -> Severity:
    """CVSS v3/v4 score, else Dependency-Check's own severity word, else the CVSS v2 score.

    A v2 score is not read through the v3 bands: Dependency-Check already turned
    it into its severity word, and v2 7.5 "Moderate" must stay MEDIUM.
    """
    modern = [c for c in cvss if not c.version.startswith("2")]
    score = severity.best_cvss_score(modern)
    if score is not None:
        return severity.from_cvss_score(score)  # what severity.decide makes of it
    if native and native.strip().lower() in severity.TABLES["dependency-check"]:
        return severity.from_native("dependency-check", native)
    v2 = severity.best_cvss_score(cvss)
    return _v2_band(v2) if v2 is not None else severity.from_native("dependency-check", native)


def _native_word(vuln: dict[str, Any]) -> str | None:
    for value in (vuln.get("severity"), (vuln.get("cvssv3") or {}).get("baseSeverity"),
                  (vuln.get("cvssv2") or {}).get("severity")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def advisory_id(vuln: dict[str, Any]) -> str | None:
    """CVE-, GHSA-, sonatype-... ids as they are; a bare number (an npm advisory) gets its source as prefix."""
    name = str(vuln.get("name") or "").strip()
    if name.isdigit():
        return f"{(vuln.get('source') or 'ADVISORY').upper()}-{name}"
    if _ADVISORY_ID.match(name) and not name.upper().startswith("CWE-"):
        return name
    return None


def _fixed_version(vuln: dict[str, Any]) -> str | None:
    """The upper bound of the vulnerable range that matched, which is the first fixed version."""
    for entry in vuln.get("vulnerableSoftware") or []:
        software = entry.get("software") if isinstance(entry, dict) else None
        if isinstance(software, dict) and str(software.get("vulnerabilityIdMatched", software.get("matched"))).lower() == "true":
            return software.get("versionEndExcluding")
    return None


def _references(vuln: dict[str, Any]) -> list[str]:
    urls = []
    for ref in vuln.get("references") or []:
        if not isinstance(ref, dict):
            continue
        for candidate in (ref.get("url"), ref.get("name")):
            if isinstance(candidate, str) and candidate.strip().startswith("http"):
                urls.append(candidate.strip())
                break
    return list(dict.fromkeys(urls))


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@dataclass(frozen=True)
class _Dependency:
    """What every vulnerability of one dependency shares, worked out once per dependency."""

    name: str
    version: str | None
    ecosystem: str | None
    file_path: str | None
    component: str  # name:version, as titles and descriptions name it
    description_tail: str  # what follows the vulnerability's own text in a description
    file_name: Any  # ProductFields' file-name; any value the report has, for the type check to judge
    #: Its Package by fixed version: immutable, so the vulnerabilities fixed by one version share one.
    packages: dict[str | None, Package] = field(default_factory=dict)

    def package(self, fixed_version: Any) -> Package:
        if fixed_version is not None and type(fixed_version) is not str:
            return self._new_package(fixed_version)
        found = self.packages.get(fixed_version)
        if found is None:
            found = self.packages[fixed_version] = self._new_package(fixed_version)
        return found

    def _new_package(self, fixed_version: Any) -> Package:
        return Package(name=self.name, version=self.version, fixed_version=fixed_version, ecosystem=self.ecosystem,
                       file_path=self.file_path)


def _shared_by_vulnerabilities(dependency: dict[str, Any]) -> _Dependency:
    name, version, ecosystem = component_of(dependency)
    component = f"{name}:{version}" if version else name
    lines = ["", f"Dependency: {component} ({(dependency.get('filePath') or dependency.get('fileName') or '').strip()})"]
    related = [(r.get("filePath") or r.get("fileName") or "").strip() for r in dependency.get("relatedDependencies") or []
               if isinstance(r, dict)]
    related = [r for r in related if r]
    if related:
        lines.append(f"Also found as ({len(related)} related): " + "; ".join(related))
    return _Dependency(name=name, version=version, ecosystem=ecosystem,
                       file_path=(dependency.get("filePath") or "").strip() or None, component=component,
                       description_tail="\n".join(lines), file_name=dependency.get("fileName"))


def _cwe_numbers(text: str) -> tuple[int, ...]:
    """cwe_numbers of a text: none without the letters "cwe" (a vulnerability's CVE name), else once
    per distinct text (a report names the same few CWEs over and over)."""
    return _cached_cwe_numbers(text) if "cwe" in text.lower() else ()


@lru_cache(maxsize=4096)
def _cached_cwe_numbers(text: str) -> tuple[int, ...]:
    return tuple(cwe_numbers(text))


@register
class DependencyCheckParser(Parser):
    name = "dependency-check"
    category = Category.SCA
    formats = "dependency-check --format JSON | XML (any schema version)"

    def sniff(self, report: Report) -> bool:
        if report.looks_like_xml():
            root = report.xml()
            return _local(root.tag) == "analysis" and "dependency-check" in root.tag.lower()
        doc = report.json() if report.looks_like_json() else None
        return isinstance(doc, dict) and "reportSchema" in doc and "dependencies" in doc

    def parse(self, report: Report) -> list[Finding]:
        if report.looks_like_xml():
            root = report.xml()
            expect(report, _local(root.tag) == "analysis",
                   f"not a dependency-check XML report (root element is <{_local(root.tag)}>, expected <analysis>)")
            doc = _xml_document(root)
        else:
            doc = report.take_json()
            expect(report, isinstance(doc, dict) and isinstance(doc.get("dependencies"), list),
                   "not a dependency-check JSON report (no 'dependencies' list)")
        observed = _parse_date((doc.get("projectInfo") or {}).get("reportDate"))
        findings = []
        dependencies = doc["dependencies"]
        for position, dependency in enumerate(dependencies):
            dependencies[position] = None  # let go once read: the report is held as dependencies or as findings
            expect(report, isinstance(dependency, dict), "not a dependency-check report (a dependency is not an object)")
            vulnerabilities = dependency.get("vulnerabilities") or []
            suppressed = dependency.get("suppressedVulnerabilities") or []
            if not vulnerabilities and not suppressed:
                continue  # most dependencies of a scan: nothing to work out
            shared = _shared_by_vulnerabilities(dependency)
            for vuln in vulnerabilities:
                findings.append(self._finding(shared, vuln, suppressed=False, observed=observed))
            for vuln in suppressed:
                findings.append(self._finding(shared, vuln, suppressed=True, observed=observed))
        return findings

    def _finding(self, dependency: _Dependency, vuln: dict[str, Any], suppressed: bool,
                 observed: datetime | None) -> Finding:
        vuln_name = str(vuln.get("name") or "unnamed vulnerability").strip()
        ident = advisory_id(vuln)
        numbers: list[int] = []
        for text in [*(vuln.get("cwes") or []), vuln_name]:
            numbers.extend(_cwe_numbers(str(text)))
        cwes = list(dict.fromkeys(numbers))
        cvss = cvss_of(vuln)
        native = _native_word(vuln)
        notes = (vuln.get("notes") or "").strip()
        text = single_spaced(str(vuln.get("description") or "")) or str(vuln.get("name") or "")
        extra: dict[str, Any] = {}
        source = vuln.get("source")
        if source:
            extra["source"] = source
        if dependency.file_name:
            extra["file-name"] = dependency.file_name
        return Finding(
            tool=self.name,
            rule_id=ident or (f"CWE-{cwes[0]}" if vuln_name.upper().startswith("CWE-") and cwes else vuln_name[:128]),
            title=f"{dependency.component} | {vuln_name}",
            description=f"{text}\n{dependency.description_tail}",
            severity=decide_severity(native, cvss),
            native_severity=native,
            category=self.category,
            cwes=cwes,
            vulnerability_ids=[ident] if ident else [],
            cvss=cvss,
            packages=[dependency.package(_fixed_version(vuln))],
            references=_references(vuln),
            suppressed=suppressed,
            suppression_reason=(notes or _NO_SUPPRESSION_NOTES) if suppressed else None,
            observed_at=observed,
            extra=extra,
        )
