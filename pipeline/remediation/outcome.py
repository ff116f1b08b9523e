"""What one finding's remediation ended as: the CLI's JSON row and the Lambdas' record."""
from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


class OutcomeKind(enum.Enum):
    REMEDIATED = "remediated"
    ALREADY_COMPLIANT = "already-compliant"
    PLANNED = "planned"  # dry run
    SKIPPED = "skipped"
    NO_PLAYBOOK = "no-playbook"
    FAILED = "failed"


# Security Hub Workflow status each outcome is written back as (None: nothing written, dry run).
WORKFLOW_FOR: dict[OutcomeKind, str | None] = {
    OutcomeKind.REMEDIATED: "RESOLVED",
    OutcomeKind.ALREADY_COMPLIANT: "RESOLVED",
    OutcomeKind.PLANNED: None,
    OutcomeKind.SKIPPED: "NOTIFIED",
    OutcomeKind.NO_PLAYBOOK: "NOTIFIED",
    OutcomeKind.FAILED: "NOTIFIED",
}


@dataclass(frozen=True)
class Outcome:
    finding_id: str
    control_id: str
    account: str
    region: str
    resource: str
    outcome: OutcomeKind
    detail: str
    product_arn: str = ""  # the finding's ProductArn, needed by BatchUpdateFindings
    # False for findings that were never ours to act on (archived, passed, already handled, not a
    # control we know): writing NOTIFIED onto them would overwrite someone else's decision.
    write_back: bool = True

    def to_json(self) -> dict[str, Any]:
        """The CLI contract: finding_id, control_id, account, region, resource, outcome, detail."""
        row = asdict(self)
        row["outcome"] = self.outcome.value
        row.pop("product_arn")
        row.pop("write_back")
        return row
