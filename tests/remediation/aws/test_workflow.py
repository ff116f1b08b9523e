"""The state machine's items and task states (pipeline.remediation.workflow), the Proxy's
request validation and remote errors, throttling, and the failure message."""
from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pipeline.errors import ConfigError
from pipeline.remediation.archive_policy import parse_archive_policy
from pipeline.remediation.normalise import normalise_finding
from pipeline.remediation.notification import failure_notification
from pipeline.remediation.outcome import Outcome, OutcomeKind
from pipeline.remediation.proxy import (
    ProxySettings,
    RemediationFunctionError,
    RemediationInProgress,
    RemediationRequest,
    invoke_remediation,
)
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.throttling import Throttled, is_throttling, throttling_raised_as_throttled
from pipeline.remediation.workflow import (
    Route,
    WorkflowInputError,
    WorkItem,
    needs_people,
    outcome_of_state,
    outcome_to_json,
    readdressed,
    work_items,
)
from pipeline.sinks.retrying import HubError
from tests.remediation.aws.samples import cis_1_2, consolidated, standard_specific

ACCOUNT = "111122223333"
BUCKET = "arn:aws:s3:::member-bucket"
TODAY = date(2026, 12, 1)
FUNCTION = "arn:aws:lambda:us-east-1:210987654321:function:secpipe-remediation"


def _items(findings: list[dict[str, Any]], policy: str = "{}", custom_action: bool = False) -> list[WorkItem]:
    return work_items(findings, custom_action, parse_archive_policy(policy), PLAYBOOKS.__contains__, TODAY,
                      normalise_finding)


def test_each_shape_is_routed_to_its_playbook_and_carries_its_finding() -> None:
    findings = [consolidated(ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket"),
                standard_specific(ACCOUNT, "1.4.0", "2.1.5.2", BUCKET, "AwsS3Bucket"),
                cis_1_2(ACCOUNT, "2.2", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", "AwsCloudTrailTrail")]
    items = _items(findings)
    assert [(i.route, i.control_id) for i in items] == [(Route.REMEDIATE, "S3.8"), (Route.REMEDIATE, "S3.8"),
                                                         (Route.REMEDIATE, "CloudTrail.4")]
    assert [i.finding["Id"] for i in items] == [f["Id"] for f in findings]
    assert items[0].account == ACCOUNT and items[0].region == "us-east-1" and items[0].resource == BUCKET


def test_archive_no_playbook_and_not_actionable_routes_keep_the_finding_out_of_the_item() -> None:
    findings = [consolidated(ACCOUNT, "EC2.2", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1",
                             "AwsEc2SecurityGroup"),
                consolidated(ACCOUNT, "IAM.6", f"AWS::::Account:{ACCOUNT}", "AwsAccount"),
                consolidated(ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket", Workflow={"Status": "NOTIFIED"})]
    items = _items(findings, '{"controls_off": ["EC2.2"]}')
    assert [i.route for i in items] == [Route.ARCHIVE, Route.NO_PLAYBOOK, Route.NOT_ACTIONABLE]
    assert "switched off" in items[0].reason and "no playbook for control IAM.6" in items[1].reason
    assert "Workflow.Status is NOTIFIED" in items[2].reason
    assert all(i.finding == {} for i in items)


def test_a_custom_action_ignores_the_workflow_status() -> None:
    (item,) = _items([consolidated(ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket", Workflow={"Status": "NOTIFIED"})],
                     custom_action=True)
    assert item.route is Route.REMEDIATE and item.custom_action


def test_items_survive_the_json_round_trip_of_a_state_machine() -> None:
    (item,) = _items([consolidated(ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket")])
    assert WorkItem.from_json(json.loads(json.dumps(item.to_json()))) == item


def _state(**extra: Any) -> dict[str, Any]:
    (item,) = _items([consolidated(ACCOUNT, "S3.8", BUCKET, "AwsS3Bucket")])
    return {"item": item.to_json(), "correlation_id": "run-1", **extra}


def test_the_outcome_of_a_state_is_the_tasks_the_caught_errors_or_the_routes() -> None:
    state = _state()
    item = WorkItem.from_json(state["item"])
    done = Outcome(item.finding_id, "S3.8", ACCOUNT, "us-east-1", BUCKET, OutcomeKind.REMEDIATED, "fixed",
                   item.product_arn)
    assert outcome_of_state({**state, "result": {"outcome": outcome_to_json(done)}})[1] == done
    cause = json.dumps({"errorType": "RemediationFunctionError", "errorMessage": "AccessDenied: no"})
    _, failed = outcome_of_state({**state, "error": {"Error": "RemediationFunctionError", "Cause": cause}})
    assert failed.outcome is OutcomeKind.FAILED and failed.detail == "RemediationFunctionError: AccessDenied: no"
    assert needs_people(failed) and not needs_people(done)
    no_playbook = _items([consolidated(ACCOUNT, "IAM.6", f"AWS::::Account:{ACCOUNT}", "AwsAccount")])[0]
    _, left = outcome_of_state({"item": no_playbook.to_json()})
    assert left.outcome is OutcomeKind.NO_PLAYBOOK and "no playbook" in left.detail
    with pytest.raises(WorkflowInputError, match="neither a result, an error nor a route"):
        outcome_of_state(state)


def test_an_idempotent_outcome_is_readdressed_to_the_finding_that_asked() -> None:
    row = {"finding_id": "first", "product_arn": "p1", "outcome": "remediated", "detail": "x"}
    assert readdressed(row, "second", "p2") == {**row, "finding_id": "second", "product_arn": "p2"}


@pytest.mark.parametrize(("change", "message"), [
    ({"route": "archive"}, "routed archive, not remediate"),
    ({"account": "12"}, "item.account"),
    ({"region": "mars-1"}, "item.region"),
    ({"control_id": "S3 8"}, "item.control_id"),
    ({"finding": {"Id": "another", "AwsAccountId": ACCOUNT}}, "does not match the item"),
    ({"route": "fix-everything"}, "is not one of"),
])
def test_the_proxy_refuses_a_request_that_is_not_the_state_machines(change, message) -> None:
    state = _state()
    state["item"].update(change)
    with pytest.raises(WorkflowInputError, match=message):
        RemediationRequest.from_state(state)


def test_the_proxy_reads_its_target_from_the_environment_only() -> None:
    settings = ProxySettings.from_environment({"SECPIPE_REMEDIATION_FUNCTION": FUNCTION,
                                               "SECPIPE_REMEDIATION_FUNCTION_VERSION": "live"})
    assert settings == ProxySettings(FUNCTION, "live")
    for bad in ({"SECPIPE_REMEDIATION_FUNCTION": f"{FUNCTION}:live", "SECPIPE_REMEDIATION_FUNCTION_VERSION": "1"},
                {"SECPIPE_REMEDIATION_FUNCTION": FUNCTION, "SECPIPE_REMEDIATION_FUNCTION_VERSION": ""}):
        with pytest.raises(ConfigError):
            ProxySettings.from_environment(bad)


class _FakeLambda:
    """Answers Invoke as Lambda does; records what it was asked."""

    def __init__(self, answer: dict[str, Any], function_error: str | None = None):
        self.answer, self.function_error, self.asked = answer, function_error, []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.asked.append(kwargs)
        reply = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(self.answer).encode())}
        if self.function_error:
            reply["FunctionError"] = self.function_error
        return reply


def test_the_proxy_invokes_the_configured_version_with_the_validated_request() -> None:
    fake = _FakeLambda({"outcome": {"outcome": "remediated"}})
    request = RemediationRequest.from_state(_state())
    assert invoke_remediation(fake, ProxySettings(FUNCTION, "7"), request) == {"outcome": {"outcome": "remediated"}}
    (asked,) = fake.asked
    assert (asked["FunctionName"], asked["Qualifier"], asked["InvocationType"]) == (FUNCTION, "7", "RequestResponse")
    assert json.loads(asked["Payload"]) == request.payload()


@pytest.mark.parametrize(("error_type", "raised"), [("Throttled", Throttled),
                                                    ("IdempotencyAlreadyInProgressError", RemediationInProgress),
                                                    ("KeyError", RemediationFunctionError)])
def test_the_remediation_functions_errors_come_back_under_the_names_the_asl_retries(error_type, raised) -> None:
    fake = _FakeLambda({"errorType": error_type, "errorMessage": "boom"}, function_error="Unhandled")
    with pytest.raises(raised, match="boom"):
        invoke_remediation(fake, ProxySettings(FUNCTION, "live"), RemediationRequest.from_state(_state()))


def _client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


def test_throttling_in_any_of_its_forms_becomes_throttled() -> None:
    assert is_throttling(_client_error("TooManyRequestsException"))
    assert is_throttling(_client_error("Anything", 429))
    assert is_throttling(HubError("batch_update_findings failed after 1 attempt(s): TooManyRequestsException: slow"))
    assert not is_throttling(_client_error("AccessDeniedException", 403))
    with pytest.raises(Throttled, match="archiving x"):
        with throttling_raised_as_throttled("archiving x"):
            raise _client_error("ThrottlingException")
    with pytest.raises(ClientError):
        with throttling_raised_as_throttled("archiving x"):
            raise _client_error("AccessDeniedException", 403)


def test_the_failure_message_names_account_region_resource_control_error_and_a_console_link() -> None:
    outcome = Outcome("arn:aws:securityhub:eu-west-1:111122223333:security-control/S3.8/finding/1", "S3.8", ACCOUNT,
                      "eu-west-1", BUCKET, OutcomeKind.FAILED, "AccessDenied: s3:PutBucketPublicAccessBlock")
    notice = failure_notification(outcome, "aws")
    for expected in (ACCOUNT, "eu-west-1", BUCKET, "S3.8", "AccessDenied: s3:PutBucketPublicAccessBlock",
                     "https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings?search=Id%3D"):
        assert expected in notice.message
    assert len(notice.subject) <= 100 and "\n" not in notice.subject
    gov = failure_notification(outcome, "aws-us-gov").message
    assert "https://console.amazonaws-us-gov.com/securityhub/" in gov
