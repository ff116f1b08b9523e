"""Security Hub CIS findings in their three shapes, and the EventBridge events that carry them.

Shapes (see ../shared/reference/cis-remediation.md): consolidated control findings
(`Compliance.SecurityControlId`, `Compliance.AssociatedStandards`), standard-specific
CIS 1.4.0 / 3.0.0 findings (`ProductFields.StandardsControlArn`), and CIS 1.2.0 findings
(the same ARN shape plus the ruleset `GeneratorId`).
"""
from __future__ import annotations

import copy
import uuid
from typing import Any

REGION = "us-east-1"
HUB_PRODUCT = "arn:aws:securityhub:{region}::product/aws/securityhub"


def consolidated(account: str, control: str, resource_id: str, resource_type: str,
                 standard: str = "standards/cis-aws-foundations-benchmark/v/1.4.0", **overrides: Any) -> dict[str, Any]:
    finding = _base(account, f"arn:aws:securityhub:{REGION}:{account}:security-control/{control}/finding/{uuid.uuid4()}",
                    f"security-control/{control}", resource_id, resource_type)
    finding["Compliance"] = {"Status": "FAILED", "SecurityControlId": control,
                             "AssociatedStandards": [{"StandardsId": standard}]}
    return _override(finding, overrides)


def standard_specific(account: str, version: str, number: str, resource_id: str, resource_type: str,
                      **overrides: Any) -> dict[str, Any]:
    """A CIS 1.4.0 / 3.0.0 finding: the requirement number in StandardsControlArn."""
    control_arn = f"arn:aws:securityhub:{REGION}:{account}:control/cis-aws-foundations-benchmark/v/{version}/{number}"
    finding = _base(account, f"{control_arn}/finding/{uuid.uuid4()}", f"cis-aws-foundations-benchmark/v/{version}/{number}",
                    resource_id, resource_type)
    finding["ProductFields"] = {"StandardsArn": f"arn:aws:securityhub:{REGION}::standards/cis-aws-foundations-benchmark/v/{version}",
                                "StandardsControlArn": control_arn, "ControlId": number}
    finding["Compliance"] = {"Status": "FAILED"}
    return _override(finding, overrides)


def cis_1_2(account: str, number: str, resource_id: str, resource_type: str, **overrides: Any) -> dict[str, Any]:
    """A CIS 1.2.0 finding: the ruleset GeneratorId and the control ARN."""
    control_arn = f"arn:aws:securityhub:{REGION}:{account}:control/cis-aws-foundations-benchmark/v/1.2.0/{number}"
    finding = _base(account, f"{control_arn}/finding/{uuid.uuid4()}",
                    f"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/{number}",
                    resource_id, resource_type)
    finding["ProductFields"] = {"StandardsGuideArn": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
                                "StandardsControlArn": control_arn, "RuleId": number}
    finding["Compliance"] = {"Status": "FAILED"}
    return _override(finding, overrides)


def event(findings: list[dict[str, Any]], account: str, detail_type: str = "Security Hub Findings - Imported",
          resources: list[str] | None = None, **detail: Any) -> dict[str, Any]:
    """The EventBridge event Security Hub sends for these findings."""
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type, "source": "aws.securityhub",
        "account": account, "time": "2026-12-01T09:00:00Z", "region": REGION,
        "resources": resources if resources is not None else [f["Id"] for f in findings],
        "detail": {"findings": copy.deepcopy(findings), **detail},
    }


def _base(account: str, finding_id: str, generator: str, resource_id: str, resource_type: str) -> dict[str, Any]:
    return {
        "SchemaVersion": "2018-10-08", "Id": finding_id, "ProductArn": HUB_PRODUCT.format(region=REGION),
        "GeneratorId": generator, "AwsAccountId": account, "Region": REGION,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"],
        "CreatedAt": "2026-12-01T08:00:00Z", "UpdatedAt": "2026-12-01T08:00:00Z",
        "Severity": {"Label": "MEDIUM", "Original": "MEDIUM"},
        "Title": "CIS finding", "Description": "A CIS AWS Foundations Benchmark check failed.",
        "Resources": [{"Type": resource_type, "Id": resource_id, "Partition": "aws", "Region": REGION}],
        "RecordState": "ACTIVE", "Workflow": {"Status": "NEW"},
    }


def _override(finding: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        finding[key] = copy.deepcopy(value)
    return finding
