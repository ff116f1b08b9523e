from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.result import write_summary
from tests.reports.conftest import make_result, sample_findings, sample_gate, sample_runs


@pytest.fixture
def summary_path(tmp_path: Path) -> Path:
    findings = sample_findings()
    return write_summary(make_result(findings, sample_runs(findings), sample_gate()), tmp_path / "summary.json")
