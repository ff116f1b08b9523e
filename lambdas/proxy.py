"""Lambda (Security account): hand a finding routed to a playbook to the Remediation
Lambda in the Service account, and its outcome back to the state machine.

Payload: the task state {"item", "correlation_id"}, validated before anything is invoked.
Invokes only SECPIPE_REMEDIATION_FUNCTION at SECPIPE_REMEDIATION_FUNCTION_VERSION.
Returns {"outcome": {...}}; the remote function's throttling comes back as `Throttled`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger

from pipeline.remediation import lambda_env
from pipeline.remediation.proxy import ProxySettings, RemediationRequest, invoke_remediation

logger = Logger(service="secpipe-remediation-proxy")


@dataclass(frozen=True)
class Container:
    settings: ProxySettings
    lambda_client: Any


@functools.cache
def container() -> Container:
    return Container(ProxySettings.from_environment(), lambda_env.lambda_client())


@logger.inject_lambda_context(correlation_id_path="correlation_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = container()
    request = RemediationRequest.from_state(event)
    answer = invoke_remediation(state.lambda_client, state.settings, request)
    logger.info("remediation answered", finding_id=request.item.finding_id, control_id=request.item.control_id,
                outcome=answer["outcome"].get("outcome"))
    return {"outcome": answer["outcome"]}
