"""Lambda (Security account): write a finding's outcome back to Security Hub
(BatchUpdateFindings: RESOLVED after a verified fix, NOTIFIED with the error or reason
otherwise) and say whether people must hear of it.

Payload: the task state {"item", "correlation_id", "result"? | "error"?}.
Returns {"outcome", "notify", "subject", "message"}: the state machine publishes
subject and message to the failure topic when notify is true.
"""
from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools import Logger

from pipeline.remediation import lambda_env
from pipeline.remediation.notification import failure_notification
from pipeline.remediation.throttling import throttling_raised_as_throttled
from pipeline.remediation.workflow import needs_people, outcome_of_state, outcome_to_json
from pipeline.remediation.writeback import record_outcomes

logger = Logger(service="secpipe-remediation-record")


@functools.cache
def container() -> lambda_env.SecurityHubAccess:
    return lambda_env.securityhub_access()


@logger.inject_lambda_context(correlation_id_path="correlation_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = container()
    item, outcome = outcome_of_state(event)
    with throttling_raised_as_throttled(f"recording the outcome of {item.finding_id}"):
        record_outcomes(state.securityhub, [outcome], policy=state.retry_policy)
    notify = needs_people(outcome)
    notice = failure_notification(outcome, item.partition) if notify else None
    logger.info("recorded", finding_id=outcome.finding_id, control_id=outcome.control_id,
                outcome=outcome.outcome.value, notify=notify)
    return {"outcome": outcome_to_json(outcome), "notify": notify,
            "subject": notice.subject if notice else "", "message": notice.message if notice else ""}
