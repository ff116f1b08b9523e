"""The three Security Hub operations the project uses, on a FindingStore.

Request bodies are checked against botocore's securityhub model (the same one
boto3 sends with), so anything boto3 accepts the hub accepts and anything
malformed is an InvalidInputException, never a crash.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pipeline.hub import filters, imports, updates
from pipeline.hub.errors import invalid_input
from pipeline.hub.storage import FindingStore, StagedFinding, StoredFinding
from pipeline.hub.timestamps import now_iso

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

MAX_RESULTS = 100
MAX_IDENTIFIERS = 100


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str


@cache
def operation_model(name: str) -> OperationModel:
    # botocore's model is read when a request needs it (routing HTTP, checking a GetFindings or
    # BatchUpdateFindings body): an import into the embedded hub never does.
    from pipeline.botocore_loader import new_session

    return new_session().get_service_model("securityhub").operation_model(name)


def _operation(name: str) -> Operation:
    http = operation_model(name).http
    return Operation(name, http["method"], http["requestUri"])


@cache
def operations() -> dict[tuple[str, str], Operation]:
    """The API's routes, (method, path) -> operation. From botocore's model, so they are the paths
    boto3 calls; read on the first HTTP request, not at import: a publish into the embedded hub
    calls it directly (pipeline.hub.direct_client) and need not read the 1.7 MB model for them."""
    return {(op.method, op.path): op
            for op in map(_operation, ("BatchImportFindings", "GetFindings", "BatchUpdateFindings"))}


def _validate(operation: str, body: dict[str, Any]) -> None:
    shape = operation_model(operation).input_shape
    from botocore.validate import ParamValidator

    report = ParamValidator().validate(body, shape)
    if report.has_errors():
        raise invalid_input(" ".join(line.strip() for line in report.generate_report().splitlines()[1:]))
    problems: list[str] = []
    _check_enums(body, shape, "", problems)
    if problems:
        raise invalid_input("; ".join(problems))


def _check_enums(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    """Enum values from the model, which botocore's ParamValidator leaves unchecked."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _check_enums(value[name], member, f"{path}.{name}" if path else name, problems)
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            _check_enums(item, shape.member, f"{path}[{index}]", problems)
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            _check_enums(item, shape.value, f"{path}[{key!r}]", problems)
    elif shape.type_name == "string" and getattr(shape, "enum", None) and value not in shape.enum:
        problems.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")


class HubApi:
    def __init__(self, store: FindingStore, clock: Callable[[], str] = now_iso):
        self.store = store
        self.clock = clock
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "BatchImportFindings": self.batch_import_findings,
            "GetFindings": self.get_findings,
            "BatchUpdateFindings": self.batch_update_findings,
        }

    def call(self, operation: str, body: Any) -> dict[str, Any]:
        """Run one operation on a decoded request body. An import's findings are read, never changed:
        the in-process client hands over the caller's own (pipeline.hub.direct_client)."""
        if not isinstance(body, dict):
            raise invalid_input("the request body must be a JSON object")
        return self._handlers[operation](body)

    # -- BatchImportFindings -------------------------------------------------------------

    def batch_import_findings(self, body: dict[str, Any]) -> dict[str, Any]:
        findings = body.get("Findings")
        if not isinstance(findings, list) or not 1 <= len(findings) <= 100:
            raise invalid_input("Findings must be a list of 1 to 100 findings")
        failed: list[dict[str, str]] = []
        valid: list[dict[str, Any]] = []
        for finding in findings:
            try:
                imports.check(finding)
            except imports.RejectedFinding as rejection:
                ident = finding.get("Id") if isinstance(finding, dict) else None
                failed.append({"Id": ident if isinstance(ident, str) and ident else "unknown",
                               "ErrorCode": rejection.code, "ErrorMessage": rejection.message})
            else:
                valid.append(finding)
        processed_at = self.clock()
        with self.store.exclusive():  # a BatchUpdateFindings in between would be overwritten
            existing = self.store.fetch_by_keys((f["ProductArn"], f["Id"]) for f in valid)
            staged: dict[tuple[str, str], StagedFinding] = {}
            for finding in valid:
                key = (finding["ProductArn"], finding["Id"])
                # A second copy in the same batch upserts onto the first, as a later request would.
                previous = staged.get(key)
                base = existing.get(key) if previous is None else _as_stored(existing.get(key), previous)
                staged[key] = imports.stage(finding, base, processed_at)
            self.store.upsert(list(staged.values()), existing)
        return {"FailedCount": len(failed), "SuccessCount": len(valid), "FailedFindings": failed}

    # -- GetFindings ------------------------------------------------------------------------

    def get_findings(self, body: dict[str, Any]) -> dict[str, Any]:
        _validate("GetFindings", body)
        limit = body.get("MaxResults", MAX_RESULTS)
        if not 1 <= limit <= MAX_RESULTS:  # botocore's validator checks only the minimum
            raise invalid_input(f"MaxResults must be between 1 and {MAX_RESULTS}")
        query = filters.build(body.get("Filters") or {}, body.get("SortCriteria") or [])
        fingerprint = _fingerprint(body)
        where, params = query.where, list(query.params)
        if body.get("NextToken"):
            values, pk = _decode_token(body["NextToken"], fingerprint, len(query.sort))
            after_sql, after_params = query.after(values, pk)
            where, params = f"({where}) AND {after_sql}", params + after_params
        rows = self.store.select(where, params, query.order_by, limit + 1, query.sort_columns)
        result: dict[str, Any] = {"Findings": [doc for _, _, doc in rows[:limit]]}
        if len(rows) > limit:
            pk, values, _ = rows[limit - 1]
            result["NextToken"] = _encode_token(values, pk, fingerprint)
        return result

    # -- BatchUpdateFindings ----------------------------------------------------------------

    def batch_update_findings(self, body: dict[str, Any]) -> dict[str, Any]:
        _validate("BatchUpdateFindings", body)
        identifiers = body["FindingIdentifiers"]
        if not 1 <= len(identifiers) <= MAX_IDENTIFIERS:
            raise invalid_input(f"FindingIdentifiers must hold 1 to {MAX_IDENTIFIERS} entries")
        _check_update(body)
        keys = [(i["ProductArn"], i["Id"]) for i in identifiers]
        now = self.clock()
        processed, unprocessed, changes, notes, seen = [], [], [], [], set()
        with self.store.exclusive():  # an import in between would be overwritten
            stored = self.store.fetch_by_keys(keys)
            for key, identifier in zip(keys, identifiers, strict=True):
                if key in seen:
                    unprocessed.append(_unprocessed(identifier, "DuplicatedFindingIdentifier",
                                                    "the finding is named more than once in this request"))
                    continue
                seen.add(key)
                if key not in stored:
                    unprocessed.append(_unprocessed(identifier, "FindingNotFound",
                                                    "no finding with this Id and ProductArn"))
                    continue
                staged, note = updates.apply(stored[key], body, now)
                changes.append((stored[key].pk, staged))
                if note:
                    notes.append((stored[key].pk, note))
                processed.append({"Id": identifier["Id"], "ProductArn": identifier["ProductArn"]})
            self.store.update(changes, notes)
        return {"ProcessedFindings": processed, "UnprocessedFindings": unprocessed}


def _as_stored(existing: StoredFinding | None, staged: StagedFinding) -> StoredFinding:
    return StoredFinding(existing.pk if existing else 0, staged.doc, staged.customer_fields)


def _unprocessed(identifier: dict[str, str], code: str, message: str) -> dict[str, Any]:
    return {"FindingIdentifier": {"Id": identifier["Id"], "ProductArn": identifier["ProductArn"]},
            "ErrorCode": code, "ErrorMessage": message}


_UPDATABLE = ("Note", "Severity", "VerificationState", "Confidence", "Criticality", "Types",
              "UserDefinedFields", "Workflow", "RelatedFindings")


def _check_update(body: dict[str, Any]) -> None:
    """The rules of BatchUpdateFindings the model's shapes do not carry."""
    if not any(name in body for name in _UPDATABLE):
        raise invalid_input("nothing to update: give at least one of " + ", ".join(_UPDATABLE))
    note = body.get("Note")
    if note is not None and not (note.get("Text", "").strip() and note.get("UpdatedBy", "").strip()):
        raise invalid_input("Note needs a non-blank Text and UpdatedBy")
    if note is not None and len(note["Text"]) > 512:
        raise invalid_input("Note.Text is longer than 512 characters")
    for name in ("Confidence", "Criticality"):
        if name in body and not 0 <= body[name] <= 100:
            raise invalid_input(f"{name} must be between 0 and 100")
    severity = body.get("Severity")
    if severity is not None:
        if "Label" not in severity and "Normalized" not in severity:
            raise invalid_input("Severity needs a Label or Normalized")
        if "Normalized" in severity and not 0 <= severity["Normalized"] <= 100:
            raise invalid_input("Severity.Normalized must be between 0 and 100")
    if "Workflow" in body and "Status" not in body["Workflow"]:
        raise invalid_input("Workflow needs a Status")


def _fingerprint(body: dict[str, Any]) -> str:
    shape = {"Filters": body.get("Filters") or {}, "SortCriteria": body.get("SortCriteria") or []}
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


def _encode_token(values: list[Any], pk: int, fingerprint: str) -> str:
    raw = json.dumps({"v": values, "pk": pk, "q": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str, sort_count: int) -> tuple[list[Any], int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        values, pk, query = data["v"], data["pk"], data["q"]
    except (ValueError, KeyError, TypeError):
        raise invalid_input("NextToken is not a token this hub gave out") from None
    if query != fingerprint or not isinstance(values, list) or len(values) != sort_count or not isinstance(pk, int):
        raise invalid_input("NextToken belongs to a different query (Filters and SortCriteria must not change)")
    return values, pk
