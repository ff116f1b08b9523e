"""CloudTrail.4: the trail writes signed digest files (log file validation)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline.remediation.playbook import Decision, Member, Plan, PlaybookMeta, Target
from pipeline.remediation.playbooks._trail_common import TrailPlaybook
from pipeline.remediation.registry import PLAYBOOKS


@PLAYBOOKS.register
class TrailLogFileValidation(TrailPlaybook):
    meta = PlaybookMeta(
        control_id="CloudTrail.4",
        title="CloudTrail log file validation should be enabled",
        cis={"1.2.0": ("2.2",), "1.4.0": ("3.2",), "3.0.0": ("3.2",)},
        api_calls=("cloudtrail:GetTrail", "cloudtrail:UpdateTrail"),
        iam_actions=("cloudtrail:GetTrail", "cloudtrail:UpdateTrail"),
        destructive=False,
        resource_types=("AwsCloudTrailTrail",),
    )

    def plan_trail(self, member: Member, trail: Mapping[str, Any]) -> Plan:
        name = trail["Name"]
        if trail.get("LogFileValidationEnabled"):
            return Plan(Decision.COMPLIANT, f"trail {name} validates its log files")
        return Plan(Decision.CHANGE, f"turn on log file validation on trail {name}",
                    pre_state={"trail_arn": trail["TrailARN"], "log_file_validation": False},
                    change={"trail_arn": trail["TrailARN"]})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        member.client("cloudtrail").update_trail(Name=plan.change["trail_arn"], EnableLogFileValidation=True)
        return f"trail {plan.change['trail_arn']}: log file validation on"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        enabled = bool(pre_state["log_file_validation"])
        member.client("cloudtrail").update_trail(Name=pre_state["trail_arn"], EnableLogFileValidation=enabled)
        return f"trail {pre_state['trail_arn']}: log file validation {'on' if enabled else 'off'}, as before"
