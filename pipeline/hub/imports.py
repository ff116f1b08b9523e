"""What BatchImportFindings does to one finding: Security Hub's provider/customer split.

A finding provider owns most fields and re-imports replace them. Customer fields
(Workflow, Note, UserDefinedFields, VerificationState) belong to whoever reviews
the finding, so an import of an existing finding never changes them; neither does
it change Severity, Types, Confidence, Criticality or RelatedFindings once a
customer has set them through BatchUpdateFindings. CreatedAt stays the first one.
"""
from __future__ import annotations

import copy
from typing import Any

from pipeline.asff_validation import problems
from pipeline.checked_finding import CheckedFinding
from pipeline.hub.storage import StagedFinding, StoredFinding

CUSTOMER_FIELDS = ("Workflow", "Note", "UserDefinedFields", "VerificationState")
LABEL_FOR_NORMALIZED = ((90, "CRITICAL"), (70, "HIGH"), (40, "MEDIUM"), (1, "LOW"), (0, "INFORMATIONAL"))
NORMALIZED_FOR_LABEL = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 40, "HIGH": 70, "CRITICAL": 90}
# Security Hub reopens a finding that was dealt with when it comes back.
_REOPENED_STATUSES = ("NOTIFIED", "RESOLVED")
_FAILING_COMPLIANCE = ("FAILED", "WARNING", "NOT_AVAILABLE")


class RejectedFinding(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def check(finding: Any) -> None:
    """Raise RejectedFinding with Security Hub's error code when the finding would be refused.
    A CheckedFinding has passed the same checks in this process already (pipeline.checked_finding)."""
    if type(finding) is CheckedFinding:
        return
    if not isinstance(finding, dict):
        raise RejectedFinding("InvalidInput", "a finding must be a JSON object")
    found = problems(finding)
    if found:
        code = "FindingSizeExceeded" if any(p.startswith("size:") for p in found) else "InvalidInput"
        raise RejectedFinding(code, "; ".join(found)[:1024])


def complete_severity(severity: dict[str, Any]) -> dict[str, Any]:
    """Security Hub fills in whichever of Label and Normalized is missing."""
    severity = dict(severity)
    if "Label" not in severity:
        normalized = int(severity["Normalized"])
        severity["Label"] = next(label for floor, label in LABEL_FOR_NORMALIZED if normalized >= floor)
    severity.setdefault("Normalized", NORMALIZED_FOR_LABEL[severity["Label"]])
    return severity


def stage(incoming: dict[str, Any], existing: StoredFinding | None, processed_at: str) -> StagedFinding:
    """The finding as stored. `incoming` is left as it is: the stored finding is a new top level
    that shares the values it does not change (an in-process caller still holds the finding)."""
    doc = dict(incoming)
    doc["Severity"] = complete_severity(doc["Severity"])
    doc.setdefault("RecordState", "ACTIVE")
    doc["ProcessedAt"] = processed_at
    if existing is None:
        workflow = doc.get("Workflow")
        if workflow is None:
            doc["Workflow"] = {"Status": "NEW"}
        elif "Status" not in workflow:
            doc["Workflow"] = {**workflow, "Status": "NEW"}
        return StagedFinding(doc, frozenset())
    old = existing.doc
    for name in CUSTOMER_FIELDS + tuple(existing.customer_fields):
        doc.pop(name, None)
        if name in old:
            doc[name] = copy.deepcopy(old[name])
    doc["CreatedAt"] = old["CreatedAt"]
    if _reopens(old, doc):
        doc["Workflow"] = {**doc.get("Workflow", {}), "Status": "NEW"}
    return StagedFinding(doc, existing.customer_fields)


def _reopens(old: dict[str, Any], new: dict[str, Any]) -> bool:
    if (old.get("Workflow") or {}).get("Status") not in _REOPENED_STATUSES:
        return False
    came_back = old.get("RecordState") == "ARCHIVED" and new.get("RecordState") == "ACTIVE"
    failing_again = ((old.get("Compliance") or {}).get("Status") == "PASSED"
                     and (new.get("Compliance") or {}).get("Status") in _FAILING_COMPLIANCE)
    return came_back or failing_again
