"""Shared test helpers. The corpus lives beside the checkout (../shared/corpus)
and is never copied into the project; tests that need it skip without it."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.asff_validation import problems
from pipeline.context import ScanContext

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = PROJECT.parent / "shared" / "corpus"


def corpus_manifest() -> list[dict[str, Any]]:
    manifest = CORPUS / "manifest.json"
    if not manifest.is_file():
        return []
    return json.loads(manifest.read_text())["entries"]


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "manifest.json").is_file():
        pytest.skip(f"conformance corpus not found at {CORPUS} (it sits beside the checkout in CI)")
    return CORPUS


@pytest.fixture
def context() -> ScanContext:
    return ScanContext(account="123456789012", region="eu-west-1", repo="demo-repo", branch="main", commit="abc123")


def assert_valid_asff(findings: list[dict[str, Any]]) -> None:
    """Every finding passes the one validator, and Ids are unique."""
    for finding in findings:
        found = problems(finding)
        assert not found, f"{finding.get('Id')}: {found}"
    ids = [f["Id"] for f in findings]
    assert len(ids) == len(set(ids)), "duplicate Ids in one report"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never Playwright's own browser download)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium); CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="python Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield launched
        finally:
            launched.close()
