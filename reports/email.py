"""The approval email (subject, text and HTML parts), rendered from summary.json.

Rendering from the Summary, not the ScanResult, means `scan` (which writes the
parts beside the reports) and `approval send` (which only has summary.json) send
the same message. The HTML part uses inline styles only: mail clients drop <style>.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.console_links import securityhub_findings_url
from pipeline.context import ScanContext
from pipeline.finding import Severity
from pipeline.result import ScanResult, Summary, summary_dict, summary_from_dict
from reports.chart import SEVERITY_COLOURS
from reports.registry import register
from reports.templating import shorten, template, web_links

SUBJECT_MAX = 100  # SNS rejects longer subjects; mail clients cut them anyway
TOP_IN_EMAIL = 10
LINK_LABELS = {"report": "Full report", "securityhub": "AWS Security Hub findings"}


@dataclass(frozen=True)
class ApprovalEmail:
    subject: str
    text: str
    html: str


def email_links(summary: Summary) -> dict[str, str]:
    """The scan's links, plus the Security Hub console for the summary's region and partition."""
    links = web_links(summary.links)
    if "securityhub" not in links:
        links["securityhub"] = securityhub_findings_url(
            ScanContext(account=summary.account, region=summary.region, partition=summary.partition))
    return links


def link_label(name: str) -> str:
    """'report' -> 'Full report'; a merged summary's per-stage 'report (sast)' -> 'Full report (sast)'."""
    base, _, stage = name.partition(" (")
    return LINK_LABELS.get(base, base) + (f" ({stage}" if stage else "")


def subject_line(summary: Summary) -> str:
    counts = ", ".join(f"{n} {label.lower()}" for label, n in summary.by_severity.items()
                       if n and Severity.parse(label) >= Severity.HIGH)
    commit = f" {summary.commit[:8]}" if summary.commit else ""
    # A merged (whole-pipeline) summary names the stages that failed; a single stage's subject is as it was.
    failed = f" in {', '.join(summary.failed_stages)}" if summary.failed_stages else ""
    text = f"[secpipe] {summary.decision}{failed}: {summary.repo}@{summary.branch}{commit}"
    text += f" ({counts})" if counts else " (no high or critical findings)"
    return shorten(text, SUBJECT_MAX)


def render_email(summary: Summary) -> ApprovalEmail:
    values = dict(
        s=summary,
        links={link_label(name): url for name, url in email_links(summary).items()},
        severities=[s.name for s in sorted(Severity, reverse=True)],
        colours={s.name: c for s, c in SEVERITY_COLOURS.items()},
        top=summary.top_findings[:TOP_IN_EMAIL],
        incomplete=[r for r in summary.runs if r.incomplete],
    )
    return ApprovalEmail(
        subject=subject_line(summary),
        text=template("email.txt.j2").render(**values),
        html=template("email.html.j2").render(**values),
    )


def _summary_of(result: ScanResult) -> Summary:
    return summary_from_dict(summary_dict(result))


# The two formats are one rendering: write_all asks for the text and then the HTML of the
# same result, so the last one is kept (by identity: a result is never changed once made).
_last_email: tuple[ScanResult, ApprovalEmail] | None = None


def _email_of(result: ScanResult) -> ApprovalEmail:
    global _last_email
    last = _last_email
    if last is not None and last[0] is result:
        return last[1]
    email = render_email(_summary_of(result))
    _last_email = (result, email)
    return email


@register("email-text", "approval-email.txt")
def render_email_text(result: ScanResult) -> str:
    return _email_of(result).text


@register("email-html", "approval-email.html")
def render_email_html(result: ScanResult) -> str:
    return _email_of(result).html
