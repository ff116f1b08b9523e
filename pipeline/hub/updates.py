"""What BatchUpdateFindings does to one finding: the customer's fields, never UpdatedAt."""
from __future__ import annotations

import copy
from typing import Any

from pipeline.hub.imports import complete_severity
from pipeline.hub.storage import Note, StagedFinding, StoredFinding

# Request members copied onto the finding as they are (after the model has validated them).
_PLAIN_FIELDS = ("VerificationState", "Confidence", "Criticality", "Types", "RelatedFindings")


def apply(stored: StoredFinding, request: dict[str, Any], now: str) -> tuple[StagedFinding, Note | None]:
    doc = copy.deepcopy(stored.doc)
    customer = set(stored.customer_fields)
    for name in _PLAIN_FIELDS:
        if name in request:
            doc[name] = copy.deepcopy(request[name])
            customer.add(name)
    if "UserDefinedFields" in request:
        doc["UserDefinedFields"] = {**(doc.get("UserDefinedFields") or {}), **request["UserDefinedFields"]}
    if "Severity" in request:
        severity = {k: v for k, v in request["Severity"].items() if k in ("Label", "Normalized", "Product")}
        if "Label" in severity and "Normalized" in severity:
            severity.pop("Normalized")  # Label wins when both are given, as in Security Hub
        merged = {k: v for k, v in doc["Severity"].items() if k in ("Original", "Product")}
        merged.update(severity)
        doc["Severity"] = complete_severity(merged)
        customer.add("Severity")
    status = (request.get("Workflow") or {}).get("Status")
    if status:
        doc["Workflow"] = {**(doc.get("Workflow") or {}), "Status": status}
    note = None
    if "Note" in request:
        note = Note(request["Note"]["Text"], request["Note"]["UpdatedBy"], now, status)
        doc["Note"] = {"Text": note.text, "UpdatedBy": note.updated_by, "UpdatedAt": now}
    return StagedFinding(doc, frozenset(customer)), note
