"""report.html: one self-contained page (no external resources), autoescaped throughout.

The findings travel as JSON inside a non-executable <script type="application/json">
block with '<', '>' and '&' escaped, and the page's script builds the table rows with
textContent, so finding text can never become markup. Rows are drawn a page at a
time and details only when opened, which keeps 10,000 findings usable. A CSP with a
per-report nonce forbids every script but ours and every external load.
"""
from __future__ import annotations

import json
import secrets
from typing import Any

from markupsafe import Markup

from pipeline.finding import Finding, Severity
from pipeline.result import Item, ScanResult, location_text
from pipeline.stages import Stage
from reports.chart import SEVERITY_COLOURS, stacked_bars
from reports.registry import register
from reports.templating import static_text, template, web_links

SHORT_LABELS = {Severity.CRITICAL: "Crit", Severity.HIGH: "High", Severity.MEDIUM: "Med",
                Severity.LOW: "Low", Severity.INFORMATIONAL: "Info"}
_JSON_IN_SCRIPT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: Any) -> Markup:
    """JSON that cannot close its <script> element or open a comment."""
    return Markup(json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_JSON_IN_SCRIPT))


def finding_record(item: Item) -> dict[str, Any]:
    """What the page's script needs about one finding; short keys, empty values left out."""
    f: Finding = item.finding
    record: dict[str, Any] = {
        "id": item.id, "sev": f.severity.name, "rank": int(f.severity), "tool": f.tool, "stage": item.stage.value,
        "cat": f.category.value, "rule": f.rule_id, "title": f.title, "loc": location_text(f),
        "gate": item.verdict.counts, "verdict": item.verdict.reason,
    }
    optional: dict[str, Any] = {
        "desc": f.description, "native": f.native_severity, "conf": f.confidence,
        "rem": f.remediation, "remUrl": f.remediation_url, "refs": f.references,
        "cwes": [f"CWE-{c}" for c in f.cwes], "vulns": f.vulnerability_ids,
        "cvss": [{"v": c.version, "score": c.score, "vector": c.vector, "source": c.source} for c in f.cvss],
        "pkgs": [{"name": p.name, "version": p.version, "fixed": p.fixed_version, "eco": p.ecosystem, "file": p.file_path}
                 for p in f.packages],
        "code": [{"path": c.path, "line": c.start_line, "end": c.end_line, "col": c.start_column, "snippet": c.snippet}
                 for c in f.code_locations],
        "web": [{"url": w.url, "method": w.method, "param": w.parameter, "attack": w.attack, "evidence": w.evidence}
                for w in f.web_locations],
        "iac": None if f.iac_location is None else {
            "template": f.iac_location.template, "logical": f.iac_location.logical_id,
            "type": f.iac_location.resource_type, "line": f.iac_location.line},
        "supp": not item.verdict.standing.is_open,
        "suppReason": item.verdict.reason if not item.verdict.standing.is_open else None,
    }
    record.update({k: _compact(v) for k, v in optional.items() if v})
    return record


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


@register("html", "report.html")
def render_html(result: ScanResult) -> str:
    by_stage = result.counts_by_stage()
    records = [finding_record(item) for item in result.items()]
    nonce = secrets.token_urlsafe(18)
    return template("report.html.j2").render(
        result=result,
        ctx=result.context,
        severities=sorted(Severity, reverse=True),
        short_labels=SHORT_LABELS,
        links=web_links(result.links),
        colours={s.name: c for s, c in SEVERITY_COLOURS.items()},
        by_severity=result.counts_by_severity(),
        by_stage=by_stage,
        by_tool=result.counts_by_tool(),
        stage_chart=stacked_bars({stage.value.upper(): counts for stage, counts in by_stage.items()}),
        stages=list(Stage),
        tools=sorted({r["tool"] for r in records} | {run.tool for run in result.runs}),
        incomplete=result.incomplete_runs(),
        not_run=result.not_run(),
        duration_s=(result.finished_at - result.started_at).total_seconds(),
        findings_json=script_json(records),
        total=len(records),
        nonce=nonce,
        css=static_text("report.css"),
        js=static_text("report.js"),
    )
