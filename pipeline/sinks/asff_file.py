"""Read a JSON array of ASFF findings (what `secpipe parse` prints) and check every one."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pipeline.asff_validation import problems
from pipeline.errors import ReportError


STDIN = "-"


def load_asff_file(path: str) -> list[dict[str, Any]]:
    """`-` reads standard input, so `secpipe parse ... | secpipe publish -` works."""
    try:
        data = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
    except OSError as exc:
        raise ReportError(path, f"cannot read ({exc.strerror})") from None
    try:
        findings = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReportError(path, f"not JSON ({exc})") from None
    if not isinstance(findings, list):
        raise ReportError(path, "expected a JSON array of ASFF findings (as `secpipe parse` prints)")
    seen: set[str] = set()
    for index, finding in enumerate(findings):
        if not isinstance(finding, dict):
            raise ReportError(path, f"item {index} is not a JSON object")
        found = problems(finding)
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            raise ReportError(path, f"finding {index} ({finding.get('Id', 'no Id')}) is not valid ASFF: {found[0]}{more}")
        if finding["Id"] in seen:
            raise ReportError(path, f"finding {index}: Id {finding['Id']!r} appears more than once")
        seen.add(finding["Id"])
    return findings
