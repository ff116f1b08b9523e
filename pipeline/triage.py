"""A reviewer's triage in the hub: the Workflow status and note a person set on a finding.

Read from the hub before a scan publishes, so it is what people decided about
the previous run. A finding a reviewer SUPPRESSED or RESOLVED no longer counts
against the gate; the reports show who said so and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.sinks.suppression import SUPPRESSED_FIELD, UPDATED_BY

#: Workflow statuses with which a reviewer takes a finding off the gate.
TRIAGED_STATUSES = ("SUPPRESSED", "RESOLVED")


@dataclass(frozen=True)
class Triage:
    status: str               # SUPPRESSED or RESOLVED
    note: str | None = None
    updated_by: str | None = None

    def describe(self) -> str:
        who = f" by {self.updated_by}" if self.updated_by else ""
        return f"{self.status.lower()} in the hub{who}" + (f": {self.note}" if self.note else "")


def triage_of(hub_finding: dict[str, Any]) -> Triage | None:
    """The reviewer's triage of one hub finding, or None when nobody took it off the gate.

    secpipe itself sets SUPPRESSED for findings suppressed in the code or by policy
    (ProductFields secpipe/suppressed = true in the hub's copy): that is not a
    person's decision, and once the suppression is gone from the code the finding
    must count again.
    """
    if hub_finding.get("RecordState", "ACTIVE") != "ACTIVE":
        return None
    status = (hub_finding.get("Workflow") or {}).get("Status")
    if status not in TRIAGED_STATUSES:
        return None
    note = hub_finding.get("Note") or {}
    automatic = (status == "SUPPRESSED" and (hub_finding.get("ProductFields") or {}).get(SUPPRESSED_FIELD) == "true"
                 and note.get("UpdatedBy", UPDATED_BY) == UPDATED_BY)
    if automatic:
        return None
    return Triage(status=status, note=note.get("Text") or None, updated_by=note.get("UpdatedBy") or None)
