"""PHPStan JSON (`phpstan analyse --error-format=json`).

Every message of every file is a finding (the reference pipeline kept only the
first message per file). Generic `errors` that PHPStan could not tie to a file
(a crashed worker, a bad config path) are findings too, without a location:
they mean part of the code was not analysed, which a reviewer must see.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from parsers.base import Parser, Report, expect
from parsers.registry import register
from pipeline import severity
from pipeline.finding import Category, CodeLocation, Finding

# PHPStan's only level: everything it reports is an error of the analysed level.
NATIVE_SEVERITY = "error"
_VOLATILE = re.compile(r"\d+")


def derived_rule_id(message: str) -> str:
    """A stable id for messages without `identifier` (PHPStan < 1.11): a hash of the
    first line with numbers blanked, so "line 12" and "line 13" stay one rule."""
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    digest = hashlib.sha256(_VOLATILE.sub("#", first_line).encode()).hexdigest()[:12]
    return f"message.{digest}"


def _first_line(message: str) -> str:
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[0].strip() if lines else message


@register
class PhpstanParser(Parser):
    name = "phpstan"
    category = Category.SAST
    formats = "phpstan --error-format=json"

    def sniff(self, report: Report) -> bool:
        doc = report.json() if report.looks_like_json() else None
        return (isinstance(doc, dict) and isinstance(doc.get("totals"), dict)
                and "file_errors" in doc["totals"] and "files" in doc)

    def parse(self, report: Report) -> list[Finding]:
        doc = report.json()
        expect(report, isinstance(doc, dict) and isinstance(doc.get("totals"), dict) and "files" in doc,
               "not a PHPStan JSON report (no 'totals' and 'files')")
        files = doc["files"]
        # PHP encodes an empty associative array as [], so no files is a list.
        expect(report, isinstance(files, dict) or files == [],
               "not a PHPStan JSON report ('files' must be an object)")
        findings: list[Finding] = []
        for path, result in (files.items() if isinstance(files, dict) else ()):
            expect(report, isinstance(result, dict) and isinstance(result.get("messages", []), list),
                   f"not a PHPStan JSON report (file entry {path!r} has no 'messages' list)")
            for message in result.get("messages", []):
                findings.append(self._file_finding(report, path, message))
        generic = doc.get("errors") or []
        expect(report, isinstance(generic, list), "not a PHPStan JSON report ('errors' must be a list)")
        findings.extend(self._generic_finding(str(text)) for text in generic)
        return findings

    def _file_finding(self, report: Report, path: str, entry: Any) -> Finding:
        expect(report, isinstance(entry, dict) and isinstance(entry.get("message"), str),
               f"not a PHPStan JSON report (a message of {path!r} has no 'message' text)")
        message = entry["message"]
        line = entry.get("line") if isinstance(entry.get("line"), int) and entry["line"] > 0 else None
        tip = entry.get("tip")
        extra = {"ignorable": str(bool(entry.get("ignorable", True))).lower()}
        if entry.get("identifier"):
            extra["identifier"] = entry["identifier"]
        return Finding(
            tool=self.name,
            rule_id=entry.get("identifier") or derived_rule_id(message),
            title=_first_line(message),
            description=message + (f"\n\nTip: {tip}" if tip else ""),
            severity=severity.from_native(self.name, NATIVE_SEVERITY),
            native_severity=NATIVE_SEVERITY,
            category=self.category,
            code_locations=[CodeLocation(path=path, start_line=line, end_line=line)],
            # PHPStan gives no snippet; the message names the symbol, so it keeps two
            # errors of one rule in one file apart even when lines move.
            fingerprint=hashlib.sha256(f"{path}\n{message}".encode()).hexdigest()[:32],
            remediation=tip or None,
            extra=extra,
        )

    def _generic_finding(self, message: str) -> Finding:
        return Finding(
            tool=self.name,
            rule_id=derived_rule_id(message),
            title=f"PHPStan error not tied to a file: {_first_line(message)}",
            description=message,
            severity=severity.from_native(self.name, NATIVE_SEVERITY),
            native_severity=NATIVE_SEVERITY,
            category=self.category,
            extra={"scope": "generic", "ignorable": "false"},
        )
