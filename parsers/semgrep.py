"""Semgrep JSON (`semgrep --json`): one finding per entry of `results`.

Two results of one rule on one line at different columns are two places to fix;
at the same line and column (semgrep repeats a match for each binding of its
metavariables) they are one finding. The identity of each comes from semgrep's
own fingerprint when it gives a real one.
"""
from __future__ import annotations

import re
from typing import Any

from parsers._advisory_ids import cwe_numbers, vulnerability_ids
from parsers.base import Parser, Report, expect
from parsers.cwe_map import weakness_cwes
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, CodeLocation, Finding
from pipeline.masking import redact

# What semgrep prints instead of the matched code and the fingerprint when the
# user is not logged in (semgrep >= 1.x without `semgrep login`).
PLACEHOLDER = "requires login"
_SECRET_CATEGORIES = {"secret", "secrets"}
# A sentence ends at . ! or ? before whitespace or the end (not at the dots of os.path.join).
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
# Hard-coded credentials, password, key: the matched text is the secret whatever the rule is called.
_CREDENTIAL_CWES = ("798", "259", "321")


def _strings(value: Any) -> list[str]:
    """Semgrep metadata fields are a string or a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int))]
    return []


def _real(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or value.strip() == PLACEHOLDER:
        return None
    return value


def _place(result: dict[str, Any]) -> tuple[str, str, Any, Any]:
    """Rule, file, line and column of a result: what makes two results one finding."""
    raw = result.get("start")
    start = raw if isinstance(raw, dict) else {}
    return str(result["check_id"]), str(result["path"]), start.get("line"), start.get("col")


def first_sentence(message: str) -> str:
    """A rule message's first sentence: what was found, without the advice that follows."""
    match = _SENTENCE_END.search(message)
    return message[:match.end()].strip() if match else message.strip()


def _line(point: Any) -> int | None:
    line = point.get("line") if isinstance(point, dict) else None
    return line if isinstance(line, int) and line > 0 else None


def _is_secret(check_id: str, metadata: dict[str, Any]) -> bool:
    category = str(metadata.get("category", "")).lower()
    subcategory = " ".join(_strings(metadata.get("subcategory"))).lower()
    cwes = " ".join(_strings(metadata.get("cwe"))).upper()
    hard_coded = any(f"CWE-{n}" in cwes for n in _CREDENTIAL_CWES)
    return category in _SECRET_CATEGORIES or "secret" in check_id.lower() or "secret" in subcategory or hard_coded


def _secret_values(extra: dict[str, Any], lines: str | None) -> list[str]:
    """The matched text and metavariable values of a secret rule: each may be the secret itself."""
    values = [lines] if lines else []
    for metavar in (extra.get("metavars") or {}).values():
        if isinstance(metavar, dict) and isinstance(metavar.get("abstract_content"), str):
            values.append(metavar["abstract_content"])
    return [v for v in values if len(v.strip()) >= 4]


@register
class SemgrepParser(Parser):
    name = "semgrep"
    category = Category.SAST
    formats = "semgrep --json (severities ERROR/WARNING/INFO and CRITICAL/HIGH/MEDIUM/LOW)"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), list) or "errors" not in doc:
            return False
        if "metrics" in doc or "generated_at" in doc:  # bandit's report also has results + errors
            return False
        results = doc["results"]
        return not results or (isinstance(results[0], dict) and "check_id" in results[0])

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        expect(report, isinstance(doc, dict) and isinstance(doc.get("results"), list),
               "not a semgrep JSON report (no 'results' list)")
        findings = []
        places: set[tuple[str, str, Any, Any]] = set()
        for result in doc["results"]:
            expect(report, isinstance(result, dict) and "check_id" in result and "path" in result,
                   "a semgrep result lacks 'check_id' or 'path'")
            place = _place(result)
            if place in places:
                continue  # the same rule at the same spot (other metavariable bindings): one thing to fix
            places.add(place)
            findings.append(self._finding(result))
        return findings

    def _finding(self, result: dict[str, Any]) -> Finding:
        check_id = str(result["check_id"])
        extra = result.get("extra") or {}
        metadata = extra.get("metadata") or {}
        native = extra.get("severity")
        message = str(extra.get("message") or "").strip()
        lines = _real(extra.get("lines"))
        start = _line(result.get("start"))
        references = [r for r in _strings(metadata.get("references")) if r.startswith("http")]
        for key in ("source", "shortlink", "source-rule-url"):
            url = metadata.get(key)
            if isinstance(url, str) and url.startswith("http") and url not in references:
                references.append(url)
        fix = extra.get("fix") if isinstance(extra.get("fix"), str) else None
        facts = {
            "owasp": "; ".join(_strings(metadata.get("owasp"))),
            "confidence": str(metadata.get("confidence") or ""),
            "likelihood": str(metadata.get("likelihood") or ""),
            "impact": str(metadata.get("impact") or ""),
            "technology": ", ".join(_strings(metadata.get("technology"))),
            "fix": fix or "",
            "references": " ".join(references),
        }
        secret = _is_secret(check_id, metadata)
        finding = Finding(
            tool=self.name,
            rule_id=check_id,
            title=first_sentence(message) or check_id,
            description=message,
            severity=severity.from_native(self.name, native),
            native_severity=str(native) if native else None,
            confidence=str(metadata["confidence"]) if metadata.get("confidence") else None,
            category=Category.SECRET if secret else self.category,
            cwes=weakness_cwes(self.name, check_id, cwe_numbers(" ".join(_strings(metadata.get("cwe"))))),
            vulnerability_ids=vulnerability_ids(" ".join(_strings(metadata.get("cve")) + _strings(metadata.get("ghsa")))),
            code_locations=[CodeLocation(
                path=str(result["path"]),
                start_line=start,
                end_line=_line(result.get("end")) or start,
                start_column=(result.get("start") or {}).get("col"),
                snippet=lines,
            )],
            references=references,
            remediation=f"Suggested fix: {fix}" if fix else None,
            remediation_url=references[0] if references else None,
            suppressed=bool(extra.get("is_ignored")),
            suppression_reason="ignored in the code (nosemgrep)" if extra.get("is_ignored") else None,
            fingerprint=_real(extra.get("fingerprint")),
            extra={k: v for k, v in facts.items() if v},
        )
        if secret:
            finding = redact(finding, _secret_values(extra, lines))
        return finding
