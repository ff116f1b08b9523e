"""Lambda (Security account), the state machine's first task: a Security Hub event ->
one routed item per finding (archive | remediate | no-playbook | not-actionable).

Payload: {"event": <EventBridge event>, "correlation_id"}. Returns {"items": [WorkItem]}.
The archive policy is the JSON of SECPIPE_ARCHIVE_POLICY (see pipeline/remediation/archive_policy.py).
"""
from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent

from pipeline.remediation import lambda_env
from pipeline.remediation.archive_policy import ArchivePolicy
from pipeline.remediation.events import findings_from_document
from pipeline.remediation.normalise import normalise_finding
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.workflow import work_items

logger = Logger(service="secpipe-remediation-normalise")


@functools.cache
def container() -> ArchivePolicy:
    return lambda_env.archive_policy()


@logger.inject_lambda_context(correlation_id_path="correlation_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bridge = EventBridgeEvent(event.get("event") or {})
    logger.append_keys(event_id=bridge.get("id"), detail_type=bridge.get("detail-type"))
    findings, custom_action = findings_from_document(bridge.raw_event)
    items = work_items(findings, custom_action, container(), PLAYBOOKS.__contains__,
                       datetime.now(UTC).date(), normalise_finding)
    for item in items:
        logger.info("routed", finding_id=item.finding_id, control_id=item.control_id, account=item.account,
                    region=item.region, route=item.route.value, reason=item.reason)
    return {"items": [item.to_json() for item in items]}
