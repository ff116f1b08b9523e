"""The remediation ASL run by moto's Step Functions engine, every task answered by the
project's real handlers (see conftest): fix -> RESOLVED, archive, no playbook,
throttling retried, a failing fix caught -> NOTIFIED and announced on SNS."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.remediation.aws.conftest import MEMBER_ACCOUNT, SECURITY_ACCOUNT, SERVICE_ACCOUNT, Deployment, session_in
from tests.remediation.aws.samples import cis_1_2, consolidated, event, standard_specific

BUCKET = "member-data-bucket"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}


def _open_bucket(deployment: Deployment) -> Any:
    s3 = deployment.member.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    return s3


def _events_of(deployment: Deployment, execution_arn: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in deployment.history(execution_arn) if e["type"] == kind]


def _entered(deployment: Deployment, execution_arn: str) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in deployment.history(execution_arn)
            if "stateEnteredEventDetails" in e]


def test_a_fix_in_the_member_account_is_recorded_resolved(deploy) -> None:
    deployment = deploy()
    s3 = _open_bucket(deployment)
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([finding])

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    # Fixed where the resource lives, by the Service account's function through the member role.
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    (remediation,) = deployment.lambdas.calls_of("secpipe-remediation")
    assert remediation.answer["outcome"]["outcome"] == "remediated"
    assert remediation.answer["outcome"]["account"] == MEMBER_ACCOUNT
    service_role = f"arn:aws:iam::{SERVICE_ACCOUNT}:role/secpipe-remediation-service"
    assert (service_role, deployment.member_role_arn) in deployment.trust.assumed
    recorded = deployment.hub.finding(finding["Id"])
    assert recorded["Workflow"]["Status"] == "RESOLVED"
    assert "remediated" in recorded["Note"]["Text"] and MEMBER_ACCOUNT in recorded["Note"]["Text"]
    assert _entered(deployment, done["executionArn"]).count("Notify") == 0
    assert deployment.notifications() == []


def test_the_remediation_runs_with_the_service_accounts_credentials_and_only_through_the_proxy(deploy) -> None:
    deployment = deploy()
    _open_bucket(deployment)
    finding = standard_specific(MEMBER_ACCOUNT, "1.4.0", "2.1.5.2", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([finding])

    assert deployment.run(event([finding], SECURITY_ACCOUNT))["status"] == "SUCCEEDED"

    names = [call.function for call in deployment.lambdas.invocations]
    assert names == ["secpipe-remediation-normalise", "secpipe-remediation-proxy", "secpipe-remediation",
                     "secpipe-remediation-record"]
    # Nothing changed in the Service or Security accounts: no bucket appeared there.
    assert deployment.service.client("s3").list_buckets()["Buckets"] == []
    assert deployment.security.client("s3").list_buckets()["Buckets"] == []
    assert deployment.hub.finding(finding["Id"])["Workflow"]["Status"] == "RESOLVED"


def test_a_finding_the_archive_policy_accepts_is_suppressed_without_touching_the_member(deploy) -> None:
    policy = {"accepted_risks": [{"control": "S3.8", "resource": "arn:aws:s3:::member-*", "reason": "public website"}]}
    deployment = deploy(archive_policy=json.dumps(policy))
    s3 = _open_bucket(deployment)
    finding = cis_1_2(MEMBER_ACCOUNT, "2.1.5.2", BUCKET_ARN, "AwsS3Bucket",
                      Compliance={"Status": "FAILED", "SecurityControlId": "S3.8"})
    deployment.hub.import_findings([finding])

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    recorded = deployment.hub.finding(finding["Id"])
    assert recorded["Workflow"]["Status"] == "SUPPRESSED"
    assert "accepted risk for S3.8: public website" in recorded["Note"]["Text"]
    assert "Archive" in _entered(deployment, done["executionArn"])
    assert deployment.lambdas.calls_of("secpipe-remediation") == []
    assert _public_access_block(s3) == {}  # archived, so nothing was changed in the member account


def _public_access_block(s3: Any) -> dict[str, Any]:
    try:
        return s3.get_public_access_block(Bucket=BUCKET)
    except s3.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"
        return {}


def test_a_control_without_a_playbook_is_notified_with_a_note_saying_so(deploy) -> None:
    deployment = deploy()
    account_id = f"AWS::::Account:{MEMBER_ACCOUNT}"
    finding = consolidated(MEMBER_ACCOUNT, "IAM.6", account_id, "AwsAccount")
    deployment.hub.import_findings([finding])

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    recorded = deployment.hub.finding(finding["Id"])
    assert recorded["Workflow"]["Status"] == "NOTIFIED"
    assert "no playbook for control IAM.6" in recorded["Note"]["Text"]
    assert "Proxy" not in " ".join(call.function for call in deployment.lambdas.invocations)
    assert "Remediate" not in _entered(deployment, done["executionArn"])


def test_security_hub_throttling_is_retried_by_the_state_machine_until_it_succeeds(deploy, retry_waits) -> None:
    policy = {"controls_off": ["S3.8"]}
    deployment = deploy(archive_policy=json.dumps(policy))
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([finding])
    deployment.hub.quota.refuse["BatchUpdateFindings"] = 2

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    assert deployment.hub.quota.refused == {"BatchUpdateFindings": 2}
    archive_calls = deployment.lambdas.calls_of("secpipe-remediation-archive")
    assert [call.error for call in archive_calls] == [True, True, False]
    assert {call.answer.get("errorType") for call in archive_calls[:2]} == {"Throttled"}
    assert deployment.hub.finding(finding["Id"])["Workflow"]["Status"] == "SUPPRESSED"
    assert len(retry_waits.seconds) == 2  # two back-offs (full jitter: any length up to the cap)


def test_lambda_throttling_of_the_proxy_is_retried(deploy, retry_waits) -> None:
    deployment = deploy()
    s3 = _open_bucket(deployment)
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([finding])
    deployment.lambdas.throttle_next["secpipe-remediation-proxy"] = 1

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    assert len(deployment.lambdas.calls_of("secpipe-remediation-proxy")) == 1  # the refused call never ran
    assert len(retry_waits.seconds) == 1
    failed = _events_of(deployment, done["executionArn"], "TaskFailed")
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["Lambda.TooManyRequestsException"]
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == ALL_BLOCKED


def test_a_failing_fix_is_caught_recorded_notified_and_announced(deploy) -> None:
    deployment = deploy()
    missing = "arn:aws:s3:::bucket-that-is-gone"  # the playbook cannot find it in the member account
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", missing, "AwsS3Bucket")
    deployment.hub.import_findings([finding])
    deployment.lambdas.extra_environment["secpipe-remediation"]["SECPIPE_STATE_TABLE"] = "no-such-table"

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done  # the failure is handled: recorded and announced
    (remediation,) = deployment.lambdas.calls_of("secpipe-remediation")
    assert remediation.error, remediation.answer
    recorded = deployment.hub.finding(finding["Id"])
    assert recorded["Workflow"]["Status"] == "NOTIFIED"
    assert "failed" in recorded["Note"]["Text"]
    (notice,) = deployment.notifications()
    for expected in (MEMBER_ACCOUNT, "us-east-1", missing, "S3.8", "securityhub/home?region=us-east-1#/findings"):
        assert expected in notice["Message"], (expected, notice)
    assert "no-such-table" in notice["Message"] or "ResourceNotFound" in notice["Message"]
    assert "S3.8" in notice["Subject"]


def test_an_opted_out_resource_is_left_alone_notified_and_not_announced(deploy) -> None:
    deployment = deploy()
    s3 = _open_bucket(deployment)
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "secpipe-remediation", "Value": "skip"}]})
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([finding])

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    (remediation,) = deployment.lambdas.calls_of("secpipe-remediation")
    assert remediation.answer["outcome"]["outcome"] == "skipped"
    assert _public_access_block(s3) == {}
    recorded = deployment.hub.finding(finding["Id"])
    assert recorded["Workflow"]["Status"] == "NOTIFIED"
    assert "opted out" in recorded["Note"]["Text"]
    assert deployment.notifications() == []


def test_a_dry_run_plans_in_the_member_account_and_writes_nothing_back(deploy) -> None:
    deployment = deploy(dry_run="true")
    s3 = _open_bucket(deployment)
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([finding])

    assert deployment.run(event([finding], SECURITY_ACCOUNT))["status"] == "SUCCEEDED"

    (remediation,) = deployment.lambdas.calls_of("secpipe-remediation")
    assert remediation.answer["outcome"]["outcome"] == "planned"
    assert _public_access_block(s3) == {}
    assert deployment.hub.finding(finding["Id"])["Workflow"]["Status"] == "NEW"
    assert deployment.notifications() == []


def test_the_service_account_refuses_any_caller_but_the_proxy_role(deploy) -> None:
    deployment = deploy()
    other = deployment.security.client("lambda")  # the test's own identity, not the Proxy role
    reply = None
    try:
        reply = other.invoke(FunctionName=f"arn:aws:lambda:us-east-1:{SERVICE_ACCOUNT}:function:secpipe-remediation",
                             Qualifier="live", Payload=b"{}")
    except other.exceptions.ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDeniedException"
    assert reply is None
    assert deployment.lambdas.calls_of("secpipe-remediation") == []


def test_two_findings_for_one_resource_fix_it_once(deploy, tmp_path) -> None:
    """A consolidated and a CIS 1.4.0 finding for the same bucket: Powertools Idempotency on
    (account, region, control, resource) gives the second the first run's outcome."""
    deployment = deploy()
    s3 = _open_bucket(deployment)
    first = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")
    second = standard_specific(MEMBER_ACCOUNT, "1.4.0", "2.1.5.2", BUCKET_ARN, "AwsS3Bucket")
    deployment.hub.import_findings([first, second])

    assert deployment.run(event([first, second], SECURITY_ACCOUNT))["status"] == "SUCCEEDED"

    answers = [call.answer["outcome"] for call in deployment.lambdas.calls_of("secpipe-remediation")]
    assert [a["outcome"] for a in answers] == ["remediated", "remediated"]
    table = deployment.service.client("dynamodb").scan(TableName="secpipe-remediation-idempotency")["Items"]
    assert [item["status"]["S"] for item in table] == ["COMPLETED"]  # one key, one run
    assert len(list((tmp_path / "records").rglob("*.json"))) == 1  # the engine recorded one fix
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    for finding in (first, second):
        assert deployment.hub.finding(finding["Id"])["Workflow"]["Status"] == "RESOLVED"


def test_the_remediate_custom_action_acts_on_a_finding_whatever_its_workflow(deploy) -> None:
    deployment = deploy()
    s3 = _open_bucket(deployment)
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket", Workflow={"Status": "NOTIFIED"})
    deployment.hub.import_findings([finding])
    action = f"arn:aws:securityhub:us-east-1:{SECURITY_ACCOUNT}:action/custom/Remediate"

    done = deployment.run(event([finding], SECURITY_ACCOUNT, "Security Hub Findings - Custom Action",
                                resources=[action], actionName="Remediate", actionDescription="Remediate"))

    assert done["status"] == "SUCCEEDED", done
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    assert deployment.hub.finding(finding["Id"])["Workflow"]["Status"] == "RESOLVED"


def test_the_same_finding_imported_again_when_not_new_is_left_alone(deploy) -> None:
    deployment = deploy()
    s3 = _open_bucket(deployment)
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket", Workflow={"Status": "NOTIFIED"})
    deployment.hub.import_findings([finding])

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    assert "NotActionable" in _entered(deployment, done["executionArn"])
    assert [call.function for call in deployment.lambdas.invocations] == ["secpipe-remediation-normalise"]
    assert _public_access_block(s3) == {}


def test_an_event_that_holds_no_readable_finding_fails_the_execution_visibly(deploy) -> None:
    deployment = deploy()
    broken = {"detail-type": "Security Hub Findings - Imported", "source": "aws.securityhub",
              "detail": {"findings": [{"Id": "x", "ProductArn": "p", "AwsAccountId": "not-an-account"}]}}

    done = deployment.run(broken)

    assert done["status"] == "FAILED"
    (failed,) = _events_of(deployment, done["executionArn"], "TaskFailed")
    assert failed["taskFailedEventDetails"]["error"] == "FindingError"
    assert "AwsAccountId must be 12 digits" in failed["taskFailedEventDetails"]["cause"]


# AccessDenied is AWS's generic error, not one of STS's modelled ones; moto says so.
@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\) with code AccessDenied:UserWarning")
def test_only_the_service_accounts_remediation_role_may_assume_the_member_role(deploy) -> None:
    deployment = deploy()
    for outsider in (deployment.security, session_in(SECURITY_ACCOUNT, "secpipe-remediation-proxy"),
                     session_in(SERVICE_ACCOUNT, "some-other-role")):
        sts = outsider.client("sts")
        with pytest.raises(sts.exceptions.ClientError, match="AccessDenied"):
            sts.assume_role(RoleArn=deployment.member_role_arn, RoleSessionName="outsider")
    insider = session_in(SERVICE_ACCOUNT, "secpipe-remediation-service").client("sts")
    assert insider.assume_role(RoleArn=deployment.member_role_arn, RoleSessionName="ok")["Credentials"]


def test_an_outcome_that_cannot_be_recorded_is_announced_and_fails_the_execution(deploy) -> None:
    """The hub does not hold the finding: archiving it fails (caught -> Record), recording
    fails too (caught -> the failure topic), and the execution ends FAILED, visibly."""
    deployment = deploy(archive_policy=json.dumps({"controls_off": ["S3.8"]}))
    finding = consolidated(MEMBER_ACCOUNT, "S3.8", BUCKET_ARN, "AwsS3Bucket")  # never imported

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "FAILED"
    entered = _entered(deployment, done["executionArn"])
    assert [s for s in entered if s in ("Archive", "Record", "NotifyRecordFailed", "RecordFailed")] == [
        "Archive", "Record", "NotifyRecordFailed", "RecordFailed"]
    (notice,) = deployment.notifications()
    assert notice["Subject"] == "secpipe remediation: outcome not recorded"
    for expected in (finding["Id"], "S3.8", MEMBER_ACCOUNT, "us-east-1", BUCKET_ARN, "WritebackError"):
        assert expected in notice["Message"], (expected, notice["Message"])


def test_an_account_level_control_is_fixed_in_the_member_account_only(deploy) -> None:
    """EC2.7 (EBS encryption by default), from a CIS 1.4.0 standard-specific finding."""
    deployment = deploy()
    finding = standard_specific(MEMBER_ACCOUNT, "1.4.0", "2.2.1", f"AWS::::Account:{MEMBER_ACCOUNT}", "AwsAccount")
    deployment.hub.import_findings([finding])

    done = deployment.run(event([finding], SECURITY_ACCOUNT))

    assert done["status"] == "SUCCEEDED", done
    (remediation,) = deployment.lambdas.calls_of("secpipe-remediation")
    assert (remediation.answer["outcome"]["control_id"], remediation.answer["outcome"]["outcome"]) == ("EC2.7", "remediated")
    assert deployment.member.client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    for other in (deployment.security, deployment.service):
        assert other.client("ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    assert deployment.hub.finding(finding["Id"])["Workflow"]["Status"] == "RESOLVED"
