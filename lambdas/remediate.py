"""Lambda (Service account): the Remediation function the Proxy invokes.

Assumes the member role in the finding's account (SECPIPE_MEMBER_ROLE_NAME) and runs the
engine (plan, opt-out tag read live, apply, verify; SECPIPE_REMEDIATION_DRY_RUN=true plans
only). Payload: {"item", "correlation_id"} from the Proxy, validated again here.
Returns {"outcome": {...}}. Powertools Idempotency on DynamoDB (SECPIPE_IDEMPOTENCY_TABLE)
keyed by (account, region, control, resource): a second request for the same resource
within SECPIPE_IDEMPOTENCY_SECONDS gets the first run's outcome instead of a second fix.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function

from pipeline.remediation import lambda_env
from pipeline.remediation.engine import Engine
from pipeline.remediation.guards import state_key
from pipeline.remediation.member import MemberSessions
from pipeline.remediation.normalise import NormalisedFinding, normalise_finding
from pipeline.remediation.proxy import RemediationRequest
from pipeline.remediation.workflow import outcome_to_json, readdressed

logger = Logger(service="secpipe-remediation")


@dataclass(frozen=True)
class Container:
    idempotency: IdempotencyConfig
    remediate_once: Callable[..., dict[str, Any]]


@functools.cache
def container() -> Container:
    options = lambda_env.engine_options()
    engine = Engine(options, MemberSessions(boto3.session.Session(), options.role_name))
    config = IdempotencyConfig(expires_after_seconds=lambda_env.idempotency_seconds())
    persistence = DynamoDBPersistenceLayer(table_name=lambda_env.idempotency_table())

    @idempotent_function(data_keyword_argument="key", config=config, persistence_store=persistence)
    def remediate_once(*, key: dict[str, str], finding: NormalisedFinding) -> dict[str, Any]:
        return outcome_to_json(engine.remediate(finding))

    return Container(config, remediate_once)


def idempotency_key(finding: NormalisedFinding) -> dict[str, str]:
    """(account, region, control, resource), as the engine's own claims key it."""
    return {"resource": state_key(finding.target)}


@logger.inject_lambda_context(correlation_id_path="correlation_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = container()
    request = RemediationRequest.from_state(event)
    finding = normalise_finding(dict(request.item.finding), custom_action=request.item.custom_action)
    state.idempotency.register_lambda_context(context)
    outcome = readdressed(state.remediate_once(key=idempotency_key(finding), finding=finding),
                          finding.finding_id, finding.product_arn)
    logger.info("remediated", finding_id=finding.finding_id, control_id=finding.control_id,
                account=finding.target.account, region=finding.target.region, outcome=outcome["outcome"])
    return {"outcome": outcome}
