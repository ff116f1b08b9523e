"""Reports rendered from one ScanResult: HTML, Markdown, JUnit XML, SARIF 2.1.0, approval email.

Each format is a module that registers its renderer in `reports.registry`;
`write_all` writes every registered format into the output directory.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.result import ScanResult
from reports import email, html, junit, markdown, sarif  # noqa: F401  (each registers its format)
from reports.registry import formats


def write_all(result: ScanResult, out_dir: Path) -> dict[str, Path]:
    """Render every format into out_dir; returns format name -> file written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for fmt in formats():
        path = out_dir / fmt.filename
        path.write_text(fmt.render(result), encoding="utf-8")
        written[fmt.name] = path
    return written
