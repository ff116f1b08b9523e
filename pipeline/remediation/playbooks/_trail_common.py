"""What the CloudTrail playbooks share: the trail a finding names, who owns it, what it logs.

Do not fight the landing zone: an organization trail is the management account's, and a
trail named `aws-controltower-*` is Control Tower's; changing either from a member account
would be undone (or break the landing zone), so those are CANNOT with the reason.
"""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, Target
from pipeline.remediation.playbooks._client_errors import is_error
from pipeline.remediation.playbooks._s3_common import bucket_missing
from pipeline.remediation.tags import bucket_name, names_bucket

CONTROL_TOWER_PREFIX = "aws-controltower-"


def trail_account(trail_arn: str) -> str:
    """`arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME` -> ACCOUNT."""
    parts = trail_arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def landing_zone_owner(trail: Mapping[str, Any], account: str) -> str | None:
    """Why this trail belongs to the landing zone (or another account), else None."""
    name = trail.get("Name", "")
    if trail.get("IsOrganizationTrail"):
        return (f"trail {name} is an organization trail: the organization's management account owns it; "
                "not changed from a member account")
    if name.startswith(CONTROL_TOWER_PREFIX):
        return f"trail {name} is managed by AWS Control Tower; not changed outside the landing zone"
    owner = trail_account(trail.get("TrailARN", ""))
    if owner and owner != account:
        return f"trail {name} belongs to account {owner}, not {account}"
    return None


def get_trail(member: Member, trail_arn: str) -> dict[str, Any] | None:
    cloudtrail = member.client("cloudtrail")
    try:
        return dict(cloudtrail.get_trail(Name=trail_arn)["Trail"])
    except cloudtrail.exceptions.ClientError as exc:
        if is_error(exc, "TrailNotFoundException"):
            return None
        raise


def is_logging(member: Member, trail_arn: str) -> bool | None:
    """Whether the trail is logging; None when its status cannot be read from here
    (a shadow of another region's or another account's trail)."""
    cloudtrail = member.client("cloudtrail")
    try:
        return bool(cloudtrail.get_trail_status(Name=trail_arn).get("IsLogging"))
    except cloudtrail.exceptions.ClientError as exc:
        if is_error(exc, "TrailNotFoundException", "AccessDeniedException"):
            return None
        raise


def _advanced_selector_logs_all_management(selector: Mapping[str, Any]) -> bool:
    fields = {field.get("Field"): field for field in selector.get("FieldSelectors", [])}
    category = fields.get("eventCategory", {})
    # A readOnly or eventSource field narrows the selector to part of the management events.
    return ("Management" in category.get("Equals", []) and "readOnly" not in fields
            and "eventSource" not in fields)


def logs_all_management_events(member: Member, trail: Mapping[str, Any]) -> bool | None:
    """Read and write management events, no excluded event sources (what CloudTrail.1 asks);
    None when the selectors cannot be read from here (another region's or account's trail)."""
    cloudtrail = member.client("cloudtrail")
    try:
        reply = cloudtrail.get_event_selectors(TrailName=trail["TrailARN"])
    except cloudtrail.exceptions.ClientError as exc:
        if is_error(exc, "TrailNotFoundException", "AccessDeniedException"):
            return None
        raise
    if not reply.get("EventSelectors") and not reply.get("AdvancedEventSelectors"):
        return True  # no selectors at all: the default, every management event
    for selector in reply.get("EventSelectors") or []:
        if (selector.get("IncludeManagementEvents") and selector.get("ReadWriteType") == "All"
                and not selector.get("ExcludeManagementEventSources")):
            return True
    return any(_advanced_selector_logs_all_management(s) for s in reply.get("AdvancedEventSelectors") or [])


class TrailPlaybook(Playbook):
    """A playbook whose target is one trail (Resources[0].Id is its ARN): a trail that is gone,
    or that the landing zone owns, is CANNOT here, once; subclasses decide on the rest."""

    tag_reader: ClassVar[str | None] = "cloudtrail-trail"

    def plan(self, member: Member, target: Target) -> Plan:
        trail = get_trail(member, target.resource_id)
        if trail is None:
            return Plan(Decision.CANNOT, f"CloudTrail trail {target.resource_id} no longer exists")
        reason = landing_zone_owner(trail, member.account)
        if reason:
            return Plan(Decision.CANNOT, reason)
        return self.plan_trail(member, trail)

    @abstractmethod
    def plan_trail(self, member: Member, trail: Mapping[str, Any]) -> Plan:
        """Decide for a trail this account owns and may change."""


CONTROL_TOWER_BUCKET_PREFIX = "aws-controltower-"


class TrailBucketPlaybook(TrailPlaybook):
    """A control on the bucket a trail delivers to (CloudTrail.6, .7). Security Hub's finding
    names either the trail or that bucket; both lead here to `plan_bucket`. A bucket that is
    gone or another account's, or Control Tower's log archive bucket, is CANNOT."""

    tag_reader: ClassVar[str | None] = "cloudtrail-trail-or-bucket"

    def plan(self, member: Member, target: Target) -> Plan:
        if names_bucket(target):
            return self._plan_for_bucket(member, bucket_name(target), f"S3 bucket {bucket_name(target)}")
        return super().plan(member, target)

    def plan_trail(self, member: Member, trail: Mapping[str, Any]) -> Plan:
        return self._plan_for_bucket(member, trail["S3BucketName"], f"trail {trail['Name']}")

    def _plan_for_bucket(self, member: Member, bucket: str, named: str) -> Plan:
        if bucket.startswith(CONTROL_TOWER_BUCKET_PREFIX):
            return Plan(Decision.CANNOT, f"{named}: S3 bucket {bucket} is AWS Control Tower's log archive; "
                                         "not changed outside the landing zone")
        reason = bucket_missing(member, bucket)
        if reason:
            return Plan(Decision.CANNOT, f"{named}: {reason}")
        return self.plan_bucket(member, bucket)

    @abstractmethod
    def plan_bucket(self, member: Member, bucket: str) -> Plan:
        """Decide for the trail's bucket, which exists in this account."""
