"""What `remediate run` and the Lambdas are given -> the ASFF findings in it.

Accepted documents: a JSON array of findings, one finding, a GetFindings reply
(`{"Findings": [...]}`), or an EventBridge event from Security Hub: "Security Hub
Findings - Imported" (automatic) or "Security Hub Findings - Custom Action" (a person
chose the findings in the console, so their Workflow status does not stop a run).
"""
from __future__ import annotations

from typing import Any

from pipeline.errors import SecpipeError

IMPORTED = "Security Hub Findings - Imported"
CUSTOM_ACTION = "Security Hub Findings - Custom Action"

# EventBridge detail-type -> whether it is a custom action.
EVENT_KINDS: dict[str, bool] = {IMPORTED: False, CUSTOM_ACTION: True}


class EventError(SecpipeError):
    """A document that holds no findings secpipe can read (CLI exit 2)."""


def findings_from_document(doc: Any) -> tuple[list[dict[str, Any]], bool]:
    """(findings, custom_action)."""
    if isinstance(doc, list):
        return _objects(doc, "the array"), False
    if not isinstance(doc, dict):
        raise EventError(f"expected a finding, an array of findings or a Security Hub event, got {type(doc).__name__}")
    if "detail-type" in doc:
        return _from_event(doc)
    if isinstance(doc.get("Findings"), list):
        return _objects(doc["Findings"], "Findings"), False
    if "Id" in doc:
        return [doc], False
    raise EventError("the JSON object is neither an ASFF finding (no Id) nor a Security Hub event (no detail-type)")


def _from_event(event: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    kind = event.get("detail-type")
    if kind not in EVENT_KINDS:
        raise EventError(f"unsupported event detail-type {kind!r}; use {IMPORTED!r} or {CUSTOM_ACTION!r}")
    detail = event.get("detail")
    if not isinstance(detail, dict) or not isinstance(detail.get("findings"), list):
        raise EventError(f"{kind!r} event has no detail.findings array")
    return _objects(detail["findings"], "detail.findings"), EVENT_KINDS[kind]


def _objects(items: list[Any], where: str) -> list[dict[str, Any]]:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise EventError(f"{where}[{index}] is a {type(item).__name__}, not a finding object")
    return list(items)
