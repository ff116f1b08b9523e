"""The Proxy: from the Security account's state machine to the Service account's
Remediation Lambda, and back.

It invokes only the function its environment names (`SECPIPE_REMEDIATION_FUNCTION`, a
function ARN, and `SECPIPE_REMEDIATION_FUNCTION_VERSION`), never one named in the input,
and only with a request that passed `RemediationRequest.from_state`. The Remediation
Lambda validates the same request again on its side (it trusts no caller).
A failed remote invocation comes back as the remote error's own name where the state
machine acts on it (throttling is retried), as `RemediationFunctionError` otherwise.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import ConfigError
from pipeline.remediation.throttling import Throttled, throttling_raised_as_throttled
from pipeline.remediation.workflow import Route, WorkflowInputError, WorkItem

FUNCTION_VARIABLE = "SECPIPE_REMEDIATION_FUNCTION"
VERSION_VARIABLE = "SECPIPE_REMEDIATION_FUNCTION_VERSION"
_FUNCTION_ARN = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}")
_QUALIFIER = re.compile(r"\d+|[A-Za-z][A-Za-z0-9_-]{0,127}|\$LATEST")
_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
_CONTROL = re.compile(r"[A-Za-z0-9]+\.\d+")
_PARTITION = re.compile(r"aws(-[a-z]+)*")
MAX_FINDING_BYTES = 240 * 1024  # Security Hub's own limit per finding; anything larger is not a finding


class RemediationFunctionError(Exception):
    """The Remediation Lambda failed; the message carries its error type and message."""


class RemediationInProgress(Exception):
    """Another run holds this (account, region, control, resource); the state machine retries."""


# Remote error types (the Remediation Lambda's errorType) the state machine retries under their own name.
REMOTE_ERRORS: dict[str, type[Exception]] = {
    "Throttled": Throttled,
    "IdempotencyAlreadyInProgressError": RemediationInProgress,
}


@dataclass(frozen=True)
class ProxySettings:
    function_arn: str
    version: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> ProxySettings:
        arn = environ.get(FUNCTION_VARIABLE, "").strip()
        version = environ.get(VERSION_VARIABLE, "").strip()
        if not _FUNCTION_ARN.fullmatch(arn):
            raise ConfigError(f"{FUNCTION_VARIABLE} must be the Remediation function's ARN without a qualifier, "
                              f"not {arn!r}")
        if not _QUALIFIER.fullmatch(version):
            raise ConfigError(f"{VERSION_VARIABLE} must be a version number or alias, not {version!r}")
        return cls(function_arn=arn, version=version)


@dataclass(frozen=True)
class RemediationRequest:
    item: WorkItem
    correlation_id: str

    @classmethod
    def from_state(cls, state: Any) -> RemediationRequest:
        """A request only for a finding routed to a playbook, whose body agrees with its item."""
        if not isinstance(state, Mapping):
            raise WorkflowInputError("the remediation request must be an object")
        item = WorkItem.from_json(state.get("item"))
        if item.route is not Route.REMEDIATE:
            raise WorkflowInputError(f"item {item.finding_id!r} is routed {item.route.value}, not remediate")
        checks = ((_ACCOUNT, item.account, "account"), (_REGION, item.region, "region"),
                  (_CONTROL, item.control_id, "control_id"), (_PARTITION, item.partition, "partition"))
        for pattern, value, name in checks:
            if not pattern.fullmatch(value):
                raise WorkflowInputError(f"item.{name}: {value!r} is not valid")
        if not item.resource:
            raise WorkflowInputError("item.resource: empty")
        finding = item.finding
        if finding.get("Id") != item.finding_id or finding.get("AwsAccountId") != item.account:
            raise WorkflowInputError(f"item.finding does not match the item ({item.finding_id}, {item.account})")
        if len(json.dumps(finding)) > MAX_FINDING_BYTES:
            raise WorkflowInputError(f"item.finding {item.finding_id}: larger than a Security Hub finding can be")
        correlation_id = state.get("correlation_id", "")
        if not isinstance(correlation_id, str):
            raise WorkflowInputError("correlation_id: must be a string")
        return cls(item=item, correlation_id=correlation_id)

    def payload(self) -> dict[str, Any]:
        return {"item": self.item.to_json(), "correlation_id": self.correlation_id}


def invoke_remediation(lambda_client: Any, settings: ProxySettings, request: RemediationRequest) -> dict[str, Any]:
    """Invoke the configured function synchronously; its answer, or its error raised here."""
    with throttling_raised_as_throttled(f"invoking {settings.function_arn}:{settings.version}"):
        reply = lambda_client.invoke(FunctionName=settings.function_arn, Qualifier=settings.version,
                                     InvocationType="RequestResponse",
                                     Payload=json.dumps(request.payload()).encode("utf-8"))
    body = reply["Payload"].read()
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        answer = {"errorType": "InvalidResponse", "errorMessage": body[:500].decode("utf-8", "replace")}
    if reply.get("FunctionError"):
        raise remote_error(answer if isinstance(answer, Mapping) else {})
    if not isinstance(answer, Mapping) or "outcome" not in answer:
        raise RemediationFunctionError(f"{settings.function_arn} answered without an outcome: {str(answer)[:300]}")
    return dict(answer)


def remote_error(answer: Mapping[str, Any]) -> Exception:
    kind = str(answer.get("errorType") or "Error")
    message = str(answer.get("errorMessage") or "")
    local = REMOTE_ERRORS.get(kind)
    if local is not None:
        return local(message)
    return RemediationFunctionError(f"{kind}: {message}" if message else kind)
