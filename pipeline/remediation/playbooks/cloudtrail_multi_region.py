"""CloudTrail.1: the account has a multi-region trail that logs all management events,
validates its log files and is logging.

An existing trail of this account that already covers every region and every management
event is fixed in place (validation on, logging started) rather than doubled: a second
trail would bill every management event twice. Otherwise secpipe creates its own trail
into a new encrypted, non-public, TLS-only bucket with the CloudTrail bucket policy.
An organization trail or a Control Tower trail means the landing zone owns CloudTrail
here: CANNOT, never a competing trail.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookError, PlaybookMeta, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._s3_common import (
    BUCKET_SETUP_API_CALLS,
    BUCKET_SETUP_IAM_ACTIONS,
    bucket_exists,
    create_log_bucket,
    delete_bucket_if_empty,
)
from pipeline.remediation.playbooks._trail_common import (
    CONTROL_TOWER_PREFIX,
    is_logging,
    logs_all_management_events,
    trail_account,
)
from pipeline.remediation.registry import PLAYBOOKS

TRAIL_NAME = "secpipe-cloudtrail"


def trail_bucket(member: Member) -> str:
    return f"secpipe-cloudtrail-{member.account}-{member.region}"


def cloudtrail_bucket_statements(member: Member, bucket: str, trail_arn: str) -> list[dict[str, Any]]:
    """CloudTrail may check the ACL and write this account's logs, for secpipe's trail only."""
    bucket_arn = f"arn:{member.partition}:s3:::{bucket}"
    only_this_trail = {"aws:SourceArn": trail_arn}
    return [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn, "Condition": {"StringEquals": only_this_trail}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/AWSLogs/{member.account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **only_this_trail}}},
    ]


@PLAYBOOKS.register
class MultiRegionTrail(Playbook):
    meta = PlaybookMeta(
        control_id="CloudTrail.1",
        title="CloudTrail should be enabled and configured with at least one multi-Region trail that includes "
              "read and write management events",
        cis={"1.2.0": ("2.1",), "1.4.0": ("3.1",), "3.0.0": ("3.1",)},
        api_calls=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
                   "cloudtrail:CreateTrail", "cloudtrail:UpdateTrail", "cloudtrail:StartLogging",
                   "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", *BUCKET_SETUP_API_CALLS),
        iam_actions=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors",
                     "cloudtrail:CreateTrail", "cloudtrail:UpdateTrail", "cloudtrail:StartLogging",
                     "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", *BUCKET_SETUP_IAM_ACTIONS),
        destructive=False,
        resource_types=("AwsAccount",),
    )

    def plan(self, member: Member, target: Target) -> Plan:
        trails = member.client("cloudtrail").describe_trails(includeShadowTrails=True)["trailList"]
        for trail in trails:
            if trail.get("IsOrganizationTrail"):
                return Plan(Decision.CANNOT, f"organization trail {trail['Name']} ({trail['TrailARN']}) covers this "
                                             "account: the landing zone owns CloudTrail here; no trail added")
            if trail["Name"].startswith(CONTROL_TOWER_PREFIX):
                return Plan(Decision.CANNOT, f"trail {trail['Name']} is managed by AWS Control Tower; no trail added")
        multi_region = [trail for trail in trails if trail.get("IsMultiRegionTrail")]
        covering = [trail for trail in multi_region if logs_all_management_events(member, trail)]
        logging = {trail["TrailARN"]: is_logging(member, trail["TrailARN"]) for trail in covering}
        for trail in covering:
            if trail.get("LogFileValidationEnabled") and logging[trail["TrailARN"]]:
                return Plan(Decision.COMPLIANT, f"multi-region trail {trail['Name']} logs all management events, "
                                                "validates its log files and is logging")
        own = [trail for trail in covering if trail_account(trail["TrailARN"]) == member.account
               and trail.get("HomeRegion", member.region) == member.region]
        if own:
            return self._plan_fix(own[0], bool(logging[own[0]["TrailARN"]]))
        # A multi-region trail homed elsewhere already covers this region: fixing it is a job
        # for its home region (Security Hub reports it there); a second trail would double the bill.
        homed_elsewhere = [trail for trail in multi_region if trail.get("HomeRegion", member.region) != member.region]
        if homed_elsewhere:
            trail = homed_elsewhere[0]
            return Plan(Decision.CANNOT, f"multi-region trail {trail['Name']} is homed in {trail['HomeRegion']}: "
                                         "it is evaluated and fixed there; no second trail added")
        return self._plan_create(member)

    @staticmethod
    def _plan_fix(trail: Mapping[str, Any], logging: bool) -> Plan:
        validation = bool(trail.get("LogFileValidationEnabled"))
        steps = [step for step, needed in (("turn on log file validation", not validation),
                                           ("start logging", not logging)) if needed]
        state = {"mode": "fix", "trail_arn": trail["TrailARN"], "log_file_validation": validation,
                 "logging": logging}
        return Plan(Decision.CHANGE, f"multi-region trail {trail['Name']}: {' and '.join(steps)}",
                    pre_state=state, change=state)

    @staticmethod
    def _plan_create(member: Member) -> Plan:
        bucket = trail_bucket(member)
        arn = f"arn:{member.partition}:cloudtrail:{member.region}:{member.account}:trail/{TRAIL_NAME}"
        state = {"mode": "create", "trail_arn": arn, "trail": TRAIL_NAME, "bucket": bucket,
                 "bucket_existed": bucket_exists(member, bucket)}
        return Plan(Decision.CHANGE, f"create multi-region trail {TRAIL_NAME} with log file validation into "
                                     f"encrypted S3 bucket {bucket}, and start logging",
                    pre_state=state, change=state)

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        change = plan.change
        cloudtrail = member.client("cloudtrail")
        if change["mode"] == "fix":
            if not change["log_file_validation"]:
                cloudtrail.update_trail(Name=change["trail_arn"], EnableLogFileValidation=True)
            cloudtrail.start_logging(Name=change["trail_arn"])
            return f"trail {change['trail_arn']}: log file validation on, logging"
        create_log_bucket(member, change["bucket"],
                          cloudtrail_bucket_statements(member, change["bucket"], change["trail_arn"]))
        settings = {"Name": change["trail"], "S3BucketName": change["bucket"], "IsMultiRegionTrail": True,
                    "IncludeGlobalServiceEvents": True, "EnableLogFileValidation": True}
        try:
            cloudtrail.create_trail(**settings)
        except cloudtrail.exceptions.ClientError as exc:
            if not is_error(exc, "TrailAlreadyExistsException"):
                raise PlaybookError(f"cannot create trail {change['trail']}: {exc}") from exc
            cloudtrail.update_trail(**settings)  # a retry after a partial run: same settings again
        cloudtrail.start_logging(Name=change["trail_arn"])
        return f"trail {change['trail']} created (multi-region, log file validation) into s3://{change['bucket']}, logging"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        cloudtrail = member.client("cloudtrail")
        arn = pre_state["trail_arn"]
        if pre_state["mode"] == "fix":
            if not pre_state["logging"]:
                cloudtrail.stop_logging(Name=arn)
            cloudtrail.update_trail(Name=arn, EnableLogFileValidation=bool(pre_state["log_file_validation"]))
            return (f"trail {arn}: log file validation {'on' if pre_state['log_file_validation'] else 'off'}, "
                    f"{'logging' if pre_state['logging'] else 'stopped'}, as before")
        done = []
        try:
            cloudtrail.stop_logging(Name=arn)
            cloudtrail.delete_trail(Name=pre_state["trail"])  # by name: moto ignores an ARN here
            done.append(f"trail {pre_state['trail']} deleted")
        except cloudtrail.exceptions.ClientError as exc:
            if not is_error(exc, "TrailNotFoundException"):
                raise
            done.append(f"trail {pre_state['trail']} already gone")
        if not pre_state["bucket_existed"]:
            done.append(delete_bucket_if_empty(member, pre_state["bucket"]))
        return "; ".join(done)
