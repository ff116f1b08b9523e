"""The message people get when a remediation needs them: account, region, resource,
control, error and a console link to the finding (the lesson: without those it is useless)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from pipeline.console_links import console_base
from pipeline.remediation.outcome import Outcome

SUBJECT_LIMIT = 100  # SNS Subject: at most 100 characters


@dataclass(frozen=True)
class Notification:
    subject: str
    message: str


def finding_console_url(finding_id: str, region: str, partition: str) -> str:
    """The Security Hub console's findings page filtered to this one finding Id.

    The console reads its filter from the fragment: `Id=\\operator\\:EQUALS\\:VALUE`,
    with the value URL-encoded twice (once for the filter, once for the fragment)."""
    value = quote(quote(finding_id, safe=""), safe="")
    search = quote("Id=", safe="") + "%255Coperator%255C%253AEQUALS%255C%253A" + value
    return (f"{console_base(region, partition)}/securityhub/home?region={quote(region, safe='')}"
            f"#/findings?search={search}")


def failure_notification(outcome: Outcome, partition: str) -> Notification:
    subject = f"secpipe remediation {outcome.outcome.value}: {outcome.control_id} in {outcome.account}/{outcome.region}"
    lines = [
        f"The automatic remediation of {outcome.control_id or 'an unknown control'} did not fix the finding; "
        "a person must look at it.",
        "",
        f"Account:  {outcome.account}",
        f"Region:   {outcome.region}",
        f"Resource: {outcome.resource}",
        f"Control:  {outcome.control_id}",
        f"Outcome:  {outcome.outcome.value}",
        f"Error:    {outcome.detail}",
        f"Finding:  {outcome.finding_id}",
        "",
        f"Console:  {finding_console_url(outcome.finding_id, outcome.region, partition)}",
    ]
    return Notification(subject=subject[:SUBJECT_LIMIT], message="\n".join(lines))
