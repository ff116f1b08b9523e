"""Lambda (Security account): archive a finding the archive policy accepts (SUPPRESSED + Note).

Payload: the state machine's task state {"item", "correlation_id"}. Returns {"archived": {...}}.
Throttling raises `Throttled`, which the state machine retries with backoff and jitter.
"""
from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools import Logger

from pipeline.remediation import lambda_env
from pipeline.remediation.archival import archive
from pipeline.remediation.workflow import WorkItem

logger = Logger(service="secpipe-remediation-archive")


@functools.cache
def container() -> lambda_env.SecurityHubAccess:
    return lambda_env.securityhub_access()


@logger.inject_lambda_context(correlation_id_path="correlation_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = container()
    item = WorkItem.from_json(event.get("item"))
    archived = archive(state.securityhub, item, state.retry_policy)
    logger.info("archived", finding_id=item.finding_id, control_id=item.control_id, note=archived.note)
    return {"archived": archived.to_json()}
