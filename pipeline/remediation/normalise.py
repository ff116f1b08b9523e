"""One ASFF finding (any of the three CIS shapes) -> the control, the target, and whether to act.

Shapes Security Hub emits for the same check:
- consolidated control findings: `Compliance.SecurityControlId` ("CloudTrail.4");
- CIS 1.4.0 / 3.0.0 standard findings: `ProductFields.StandardsControlArn`
  ".../control/cis-aws-foundations-benchmark/v/1.4.0/2.2.1" and `ProductFields.ControlId` ("2.2.1");
- CIS 1.2.0 standard findings: the same StandardsControlArn, and `GeneratorId`
  "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/2.2".
A best-practice (FSBP) standard finding names its control in `ProductFields.ControlId` ("EC2.7").
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import SecpipeError
from pipeline.remediation.controls import RemapTable, remap_table
from pipeline.remediation.playbook import Target

# ".../cis-aws-foundations-benchmark/v/1.2.0/rule/2.2" (ruleset) or ".../v/1.4.0/2.2.1" (control)
_CIS_REFERENCE = re.compile(r"cis-aws-foundations-benchmark/v/(?P<version>\d+\.\d+\.\d+)/(?:rule/)?(?P<number>\d+(?:\.\d+)*)$")
_CIS_STANDARD = re.compile(r"cis-aws-foundations-benchmark/v/(?P<version>\d+\.\d+\.\d+)")
_CONTROL_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.\d+$")  # "CloudTrail.4", "EC2.7"
_ACCOUNT_ID = re.compile(r"^\d{12}$")

ACTIVE = "ACTIVE"
ACTIONABLE_COMPLIANCE = ("FAILED", "WARNING")
NEW = "NEW"


class FindingError(SecpipeError):
    """A document that is not an ASFF finding secpipe can act on (CLI exit 2)."""


@dataclass(frozen=True)
class NormalisedFinding:
    finding_id: str
    product_arn: str
    control_id: str  # "" when the finding names no control secpipe can work out
    target: Target
    actionable: bool
    reason: str  # why it is not actionable ("" when it is)


def normalise_finding(finding: Any, *, custom_action: bool = False,
                      table: RemapTable | None = None) -> NormalisedFinding:
    """`custom_action`: a person chose this finding in the console, so its Workflow status is no reason to skip."""
    if not isinstance(finding, dict):
        raise FindingError(f"a finding must be a JSON object, got {type(finding).__name__}")
    finding_id = _text(finding, "Id")
    if not finding_id:
        raise FindingError("a finding has no Id")
    product_arn = _text(finding, "ProductArn")
    if not product_arn:
        raise FindingError(f"finding {finding_id}: no ProductArn")
    account = _text(finding, "AwsAccountId")
    if not _ACCOUNT_ID.match(account):
        raise FindingError(f"finding {finding_id}: AwsAccountId must be 12 digits, got {account!r}")
    resource = _first_resource(finding, finding_id)
    resource_id = resource["Id"]
    resource_type = str(resource.get("Type") or "")
    region = str(resource.get("Region") or "") or _text(finding, "Region") or _arn_part(finding_id, 3) \
        or _arn_part(product_arn, 3)
    if not region:
        raise FindingError(f"finding {finding_id}: no Region on the resource or the finding")
    partition = _arn_part(resource_id, 1) or _arn_part(finding_id, 1) or _arn_part(product_arn, 1) or "aws"
    control_id = control_of(finding, resource_type, table or remap_table())
    details = _mapping(resource, "Details")
    target = Target(control_id=control_id, account=account, region=region, partition=partition,
                    resource_id=resource_id, resource_type=resource_type, details=details)
    reason = _not_actionable(finding, control_id, custom_action, table or remap_table())
    return NormalisedFinding(finding_id, product_arn, control_id, target, actionable=not reason, reason=reason)


def control_of(finding: Mapping[str, Any], resource_type: str, table: RemapTable) -> str:
    """The first shape that names a control wins; "" when none does."""
    for reader in _CONTROL_READERS:
        found = reader(finding, resource_type, table)
        if found:
            return found
    return ""


def _consolidated(finding: Mapping[str, Any], _type: str, _table: RemapTable) -> str:
    return str(_mapping(finding, "Compliance").get("SecurityControlId") or "")


def _standards_control_arn(finding: Mapping[str, Any], resource_type: str, table: RemapTable) -> str:
    match = _CIS_REFERENCE.search(_product_field(finding, "StandardsControlArn"))
    return (table.control_for(match["version"], match["number"], resource_type) or "") if match else ""


def _product_control_id(finding: Mapping[str, Any], resource_type: str, table: RemapTable) -> str:
    """ProductFields.ControlId: a control id itself (FSBP), or a CIS number read with the standard's version."""
    value = _product_field(finding, "ControlId") or _product_field(finding, "RuleId")
    if _CONTROL_ID.match(value):
        return value
    standard = _CIS_STANDARD.search(_product_field(finding, "StandardsArn") or _product_field(finding, "StandardsGuideArn")
                                    or _product_field(finding, "StandardsControlArn"))
    if value and standard:
        return table.control_for(standard["version"], value, resource_type) or ""
    return ""


def _generator_id(finding: Mapping[str, Any], resource_type: str, table: RemapTable) -> str:
    match = _CIS_REFERENCE.search(str(finding.get("GeneratorId") or ""))
    return (table.control_for(match["version"], match["number"], resource_type) or "") if match else ""


_CONTROL_READERS: tuple[Callable[[Mapping[str, Any], str, RemapTable], str], ...] = (
    _consolidated, _standards_control_arn, _product_control_id, _generator_id)


def _not_actionable(finding: Mapping[str, Any], control_id: str, custom_action: bool, table: RemapTable) -> str:
    record_state = str(finding.get("RecordState") or "")
    if record_state != ACTIVE:
        return f"RecordState is {record_state or 'missing'}, not ACTIVE"
    status = str(_mapping(finding, "Compliance").get("Status") or "")
    if status not in ACTIONABLE_COMPLIANCE:
        return f"Compliance.Status is {status or 'missing'}, not FAILED or WARNING"
    workflow = _workflow_status(finding)
    if workflow != NEW and not custom_action:
        return f"Workflow.Status is {workflow or 'missing'}, not NEW"
    if not control_id:
        return "not a CIS finding secpipe can map to a control"
    if control_id not in table.controls:
        return f"{control_id} is not a control secpipe knows"
    return ""


def _workflow_status(finding: Mapping[str, Any]) -> str:
    workflow = _mapping(finding, "Workflow")
    # WorkflowState is the deprecated field older findings still carry instead.
    return str(workflow.get("Status") or finding.get("WorkflowState") or "")


def _first_resource(finding: Mapping[str, Any], finding_id: str) -> Mapping[str, Any]:
    resources = finding.get("Resources")
    if not isinstance(resources, list) or not resources or not isinstance(resources[0], Mapping):
        raise FindingError(f"finding {finding_id}: Resources must be a non-empty list of objects")
    if not isinstance(resources[0].get("Id"), str) or not resources[0]["Id"]:
        raise FindingError(f"finding {finding_id}: Resources[0] has no Id")
    return resources[0]


def _product_field(finding: Mapping[str, Any], name: str) -> str:
    return str(_mapping(finding, "ProductFields").get(name) or "")


def _mapping(parent: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = parent.get(name)
    return value if isinstance(value, Mapping) else {}


def _text(finding: Mapping[str, Any], name: str) -> str:
    value = finding.get(name)
    return value if isinstance(value, str) else ""


def _arn_part(value: str, index: int) -> str:
    parts = value.split(":", 5)
    return parts[index] if value.startswith("arn:") and len(parts) == 6 else ""
