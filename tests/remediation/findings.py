"""ASFF findings in the three shapes Security Hub emits for a CIS check, built from the documented fields."""
from __future__ import annotations

import copy
import uuid
from typing import Any

ACCOUNT = "111122223333"
REGION = "us-east-1"
CIS_PREFIX = "cis-aws-foundations-benchmark/v"


def _base(finding_id: str, resource_id: str, resource_type: str, account: str, region: str,
          partition: str) -> dict[str, Any]:
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:{partition}:securityhub:{region}::product/aws/securityhub",
        "GeneratorId": "security-control",
        "AwsAccountId": account,
        "Region": region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-01-01T00:00:00Z",
        "UpdatedAt": "2026-01-01T00:00:00Z",
        "Severity": {"Label": "MEDIUM"},
        "Title": "a CIS check",
        "Description": "a CIS check failed",
        "Resources": [{"Type": resource_type, "Id": resource_id, "Partition": partition, "Region": region}],
        "Compliance": {"Status": "FAILED"},
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "NEW"},
        "WorkflowState": "NEW",
    }


def consolidated(control_id: str, resource_id: str, resource_type: str = "Other", *, account: str = ACCOUNT,
                 region: str = REGION, partition: str = "aws") -> dict[str, Any]:
    finding_id = f"arn:{partition}:securityhub:{region}:{account}:security-control/{control_id}/finding/{uuid.uuid4()}"
    finding = _base(finding_id, resource_id, resource_type, account, region, partition)
    finding["Compliance"] = {"Status": "FAILED", "SecurityControlId": control_id,
                             "AssociatedStandards": [{"StandardsId": "standards/cis-aws-foundations-benchmark/v/1.4.0"}]}
    finding["ProductFields"] = {"RelatedAWSResources:0/name": "securityhub-check"}
    return finding


def cis_v12(number: str, resource_id: str, resource_type: str = "Other", *, account: str = ACCOUNT,
            region: str = REGION, partition: str = "aws", generator: bool = True,
            control_arn: bool = True) -> dict[str, Any]:
    finding_id = (f"arn:{partition}:securityhub:{region}:{account}:subscription/{CIS_PREFIX}/1.2.0/{number}/"
                  f"finding/{uuid.uuid4()}")
    finding = _base(finding_id, resource_id, resource_type, account, region, partition)
    finding["GeneratorId"] = (f"arn:{partition}:securityhub:::ruleset/{CIS_PREFIX}/1.2.0/rule/{number}"
                              if generator else "some-generator")
    finding["ProductFields"] = {"StandardsGuideArn": f"arn:{partition}:securityhub:::ruleset/{CIS_PREFIX}/1.2.0",
                                "RuleId": number} if generator else {}
    if control_arn:
        finding["ProductFields"]["StandardsControlArn"] = (
            f"arn:{partition}:securityhub:{region}:{account}:control/{CIS_PREFIX}/1.2.0/{number}")
    return finding


def cis_standard(version: str, number: str, resource_id: str, resource_type: str = "Other", *,
                 account: str = ACCOUNT, region: str = REGION, partition: str = "aws",
                 control_arn: bool = True) -> dict[str, Any]:
    """CIS 1.4.0 / 3.0.0: StandardsControlArn and ControlId (the requirement number)."""
    finding_id = (f"arn:{partition}:securityhub:{region}:{account}:subscription/{CIS_PREFIX}/{version}/{number}/"
                  f"finding/{uuid.uuid4()}")
    finding = _base(finding_id, resource_id, resource_type, account, region, partition)
    finding["GeneratorId"] = f"{CIS_PREFIX}/{version}/{number}"
    finding["ProductFields"] = {"StandardsArn": f"arn:{partition}:securityhub:::standards/{CIS_PREFIX}/{version}",
                                "ControlId": number}
    if control_arn:
        finding["ProductFields"]["StandardsControlArn"] = (
            f"arn:{partition}:securityhub:{region}:{account}:control/{CIS_PREFIX}/{version}/{number}")
    return finding


def with_changes(finding: dict[str, Any], **fields: Any) -> dict[str, Any]:
    changed = copy.deepcopy(finding)
    changed.update(fields)
    return changed
