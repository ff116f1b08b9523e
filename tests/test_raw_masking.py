"""Raw reports under raw/ are masked like every other output, unless the scan is asked to keep them verbatim."""
from __future__ import annotations

import io
import json
from pathlib import Path

from parsers.registry import parse_report
from pipeline.masking import collecting_secrets, mask_file
from pipeline.progress import PlainProgress
from pipeline.scan import scan
from pipeline.stages import Stage
from pipeline.tools.base import ScanTarget, ToolRun, ToolStatus
from tests.test_scan_flow import FakeRunner, fake_reports, request, runners  # noqa: F401  (fixture)

SECRET = "AKIAIOSFODNN7EXAMPLE"
SEMGREP_REPORT = {
    "results": [{
        "check_id": "secrets.aws-access-key", "path": "config.py",
        "start": {"line": 3, "col": 1}, "end": {"line": 3, "col": 30},
        "extra": {"message": "AWS key", "severity": "ERROR", "lines": f'KEY = "{SECRET}"',
                  "metadata": {"category": "security", "subcategory": ["secret"]}},
    }],
    "errors": [], "paths": {"scanned": ["config.py"]},
}


class SecretReportingRunner(FakeRunner):
    """Writes a semgrep report holding a secret, and parses it as the real runner does."""

    def run(self, target: ScanTarget, raw_dir: Path, timeout_s: float) -> ToolRun:
        report = raw_dir / "semgrep.json"
        report.write_text(json.dumps(SEMGREP_REPORT))
        findings = parse_report("semgrep", report.read_bytes(), str(report))
        return ToolRun(self.name, self.stage, ToolStatus.FINDINGS, findings=findings, report_path=report)


def test_the_kept_raw_report_is_masked_like_the_findings(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [SecretReportingRunner("semgrep", Stage.SAST)]
    outcome = scan(request(tmp_path), PlainProgress(io.StringIO()), fake_reports)
    raw = (tmp_path / "out" / "raw" / "semgrep.json").read_text()
    assert SECRET not in raw and "***(sha256:" in raw
    assert SECRET not in json.dumps(outcome.result.asff)


def test_unmasked_raw_reports_only_when_asked(runners, tmp_path: Path) -> None:  # noqa: F811
    runners += [SecretReportingRunner("semgrep", Stage.SAST)]
    job = request(tmp_path)
    job.mask_raw = False
    scan(job, PlainProgress(io.StringIO()), fake_reports)
    assert SECRET in (tmp_path / "out" / "raw" / "semgrep.json").read_text()


def test_mask_file_masks_json_escaped_secrets_too(tmp_path: Path) -> None:
    secret = 'pa"ss\\word-1234'
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"match": secret}))
    assert mask_file(path, [secret])
    assert "ss\\\\word" not in path.read_text()
    assert not mask_file(path, ["not-there-at-all"])


def test_collecting_secrets_sees_what_parsers_mask() -> None:
    with collecting_secrets() as seen:
        parse_report("semgrep", json.dumps(SEMGREP_REPORT).encode(), "semgrep.json")
    assert any(SECRET in s for s in seen)
