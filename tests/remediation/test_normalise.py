"""Every CIS finding shape -> the control of the remap table, the target, and whether to act."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.errors import SecpipeError
from pipeline.remediation.controls import NO_PLAYBOOK, Control, RemapConflict, build_table, control_for, remap_table
from pipeline.remediation.events import EventError, findings_from_document
from pipeline.remediation.normalise import FindingError, normalise_finding
from tests.remediation.findings import ACCOUNT, REGION, cis_standard, cis_v12, consolidated, with_changes

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cis-remediation.md"
TABLE = remap_table()


def _resource_type(control_id: str) -> str:
    declared = TABLE.controls[control_id].resource_types
    return declared[0] if declared else "Other"


ROWS = TABLE.rows()
ROW_IDS = [f"{version}-{number}-{control}" for version, number, control in ROWS]


@pytest.mark.parametrize(("version", "number", "control_id"), ROWS, ids=ROW_IDS)
def test_standard_findings_map_to_their_control(version, number, control_id):
    resource_type = _resource_type(control_id)
    if version == "1.2.0":
        shapes = [cis_v12(number, "res-1", resource_type),
                  cis_v12(number, "res-1", resource_type, control_arn=False),  # GeneratorId alone
                  cis_v12(number, "res-1", resource_type, generator=False)]  # StandardsControlArn alone
    else:
        shapes = [cis_standard(version, number, "res-1", resource_type),
                  cis_standard(version, number, "res-1", resource_type, control_arn=False)]  # ControlId
    for finding in shapes:
        normalised = normalise_finding(finding)
        assert normalised.control_id == control_id, finding["ProductFields"]
        assert normalised.target.control_id == control_id
        assert normalised.actionable, normalised.reason


@pytest.mark.parametrize("control_id", sorted(TABLE.controls))
def test_consolidated_findings_keep_their_control(control_id):
    normalised = normalise_finding(consolidated(control_id, "res-1", _resource_type(control_id)))
    assert (normalised.control_id, normalised.actionable, normalised.reason) == (control_id, True, "")


def test_every_control_of_the_reference_table_is_in_the_remap_table():
    if not REFERENCE.is_file():
        pytest.skip(f"reference table not found at {REFERENCE} (it sits beside the checkout)")
    expected = set()
    for line in REFERENCE.read_text().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 6 or not re.match(r"^[A-Z]", cells[4]) or cells[4] == "control id":
            continue
        for prefix, first, rest in re.findall(r"([A-Za-z][A-Za-z0-9]*)\.(\d+)((?:\s*[-/]\s*\d+)*)", cells[4]):
            numbers = [int(first)]
            for separator, value in re.findall(r"([-/])\s*(\d+)", rest):
                numbers.extend(range(numbers[-1] + 1, int(value) + 1) if separator == "-" else [int(value)])
            expected.update(f"{prefix}.{n}" for n in numbers)
    assert len(expected) > 40, "the reference table could not be read"
    missing = sorted(expected - set(TABLE.controls))
    assert not missing, f"reference-table controls that neither a playbook nor NO_PLAYBOOK declares: {missing}"


def test_the_ambiguous_cis_3_number_is_told_apart_by_resource_type():
    assert control_for("3.0.0", "2.1.4", "AwsAccount") == "S3.1"
    assert control_for("3.0.0", "2.1.4", "AwsS3Bucket") == "S3.8"
    assert control_for("3.0.0", "2.1.4") is None  # no type: refuse to guess
    assert normalise_finding(cis_standard("3.0.0", "2.1.4", "arn:aws:s3:::b", "AwsS3Bucket")).control_id == "S3.8"
    assert normalise_finding(cis_standard("3.0.0", "2.1.4", f"AWS::::Account:{ACCOUNT}", "AwsAccount")).control_id == "S3.1"


def test_no_playbook_controls_are_in_the_table_with_their_numbers():
    assert control_for("1.2.0", "1.12") == "IAM.4"
    assert control_for("1.4.0", "1.5") == "IAM.9"
    assert control_for("3.0.0", "1.20") == "IAM.28"
    assert control_for("3.0.0", "5.2") == "EC2.53"
    assert {c.control_id for c in NO_PLAYBOOK} <= set(TABLE.controls)


def test_a_number_claimed_twice_without_distinct_resource_types_is_a_declaration_bug():
    first = Control("A.1", "a", {"1.2.0": ("9.9",)})
    second = Control("B.1", "b", {"1.2.0": ("9.9",)}, resource_types=("AwsS3Bucket",))
    with pytest.raises(RemapConflict, match="9.9"):
        build_table([first, second])
    with pytest.raises(RemapConflict, match="twice"):
        build_table([first, first])


def test_target_comes_from_the_account_the_resource_region_and_the_arn_partition():
    finding = consolidated("KMS.4", "arn:aws-cn:kms:cn-north-1:444455556666:key/k1", "AwsKmsKey",
                           account="444455556666", region="cn-north-1", partition="aws-cn")
    finding["Resources"][0]["Details"] = {"Other": {"x": "y"}}
    target = normalise_finding(finding).target
    assert (target.account, target.region, target.partition) == ("444455556666", "cn-north-1", "aws-cn")
    assert (target.resource_id, target.resource_type, target.resource_name) == (
        "arn:aws-cn:kms:cn-north-1:444455556666:key/k1", "AwsKmsKey", "k1")
    assert target.details == {"Other": {"x": "y"}}


def test_region_falls_back_to_the_finding_region():
    finding = consolidated("IAM.4", f"AWS::::Account:{ACCOUNT}", "AwsAccount", region="eu-west-1")
    del finding["Resources"][0]["Region"]
    assert normalise_finding(finding).target.region == "eu-west-1"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"RecordState": "ARCHIVED"}, "RecordState is ARCHIVED"),
    ({"Compliance": {"Status": "PASSED", "SecurityControlId": "KMS.4"}}, "Compliance.Status is PASSED"),
    ({"Workflow": {"Status": "NOTIFIED"}}, "Workflow.Status is NOTIFIED"),
    ({"Workflow": {"Status": "RESOLVED"}}, "Workflow.Status is RESOLVED"),
    ({"Compliance": {"Status": "FAILED", "SecurityControlId": "EC2.19"}}, "EC2.19 is not a control secpipe knows"),
])
def test_only_active_failed_new_findings_of_known_controls_are_actionable(changes, reason):
    normalised = normalise_finding(with_changes(consolidated("KMS.4", "k1", "AwsKmsKey"), **changes))
    assert not normalised.actionable
    assert normalised.reason.startswith(reason)


def test_warning_is_actionable_and_a_custom_action_overrides_the_workflow_check():
    warning = with_changes(consolidated("KMS.4", "k1", "AwsKmsKey"),
                           Compliance={"Status": "WARNING", "SecurityControlId": "KMS.4"})
    assert normalise_finding(warning).actionable
    notified = with_changes(consolidated("KMS.4", "k1", "AwsKmsKey"), Workflow={"Status": "NOTIFIED"})
    assert normalise_finding(notified, custom_action=True).actionable
    archived = with_changes(notified, RecordState="ARCHIVED")
    assert not normalise_finding(archived, custom_action=True).actionable  # only the workflow check is overridden


def test_an_unknown_cis_number_is_no_control():
    normalised = normalise_finding(cis_v12("9.99", "r"))
    assert (normalised.control_id, normalised.actionable) == ("", False)
    assert "not a CIS finding" in normalised.reason


def test_a_best_practice_finding_names_its_control_in_control_id():
    finding = cis_standard("1.4.0", "2.2.1", f"AWS::::Account:{ACCOUNT}", "AwsAccount")
    finding["ProductFields"] = {
        "StandardsArn": "arn:aws:securityhub:::standards/aws-foundational-security-best-practices/v/1.0.0",
        "StandardsControlArn": f"arn:aws:securityhub:{REGION}:{ACCOUNT}:control/"
                               "aws-foundational-security-best-practices/v/1.0.0/KMS.4",
        "ControlId": "KMS.4"}
    finding["GeneratorId"] = "aws-foundational-security-best-practices/v/1.0.0/KMS.4"
    assert normalise_finding(finding).control_id == "KMS.4"


@pytest.mark.parametrize(("finding", "message"), [
    ([], "must be a JSON object"),
    ({"ProductArn": "p"}, "no Id"),
    ({"Id": "f1"}, "f1: no ProductArn"),
    ({"Id": "f1", "ProductArn": "p", "AwsAccountId": "12"}, "AwsAccountId must be 12 digits"),
    ({"Id": "f1", "ProductArn": "p", "AwsAccountId": ACCOUNT, "Resources": []}, "Resources must be a non-empty list"),
    ({"Id": "f1", "ProductArn": "p", "AwsAccountId": ACCOUNT, "Resources": [{"Type": "x"}]}, "Resources[0] has no Id"),
    ({"Id": "f1", "ProductArn": "p", "AwsAccountId": ACCOUNT, "Resources": [{"Id": "r"}]}, "no Region"),
])
def test_bad_findings_are_one_line_errors(finding, message):
    with pytest.raises(FindingError) as caught:
        normalise_finding(finding)
    assert isinstance(caught.value, SecpipeError)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_documents_of_every_accepted_kind_yield_their_findings():
    one = consolidated("KMS.4", "k1", "AwsKmsKey")
    assert findings_from_document(one) == ([one], False)
    assert findings_from_document([one, one]) == ([one, one], False)
    assert findings_from_document({"Findings": [one]}) == ([one], False)
    imported = {"version": "0", "source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported",
                "detail": {"findings": [one]}}
    assert findings_from_document(imported) == ([one], False)
    custom = {"source": "aws.securityhub", "detail-type": "Security Hub Findings - Custom Action",
              "detail": {"actionName": "Remediate", "findings": [one]}}
    assert findings_from_document(custom) == ([one], True)


@pytest.mark.parametrize(("doc", "message"), [
    ("text", "got str"),
    ({"detail-type": "GuardDuty Finding", "detail": {}}, "unsupported event detail-type"),
    ({"detail-type": "Security Hub Findings - Imported", "detail": {}}, "no detail.findings"),
    ([1], "the array[0] is a int"),
    ({"hello": 1}, "neither an ASFF finding"),
])
def test_documents_without_findings_are_one_line_errors(doc, message):
    with pytest.raises(EventError, match=re.escape(message)):
        findings_from_document(doc)


def test_the_resource_type_only_breaks_ties():
    # KMS.4 declares AwsKmsKey; a finding of another type still reaches it (its plan judges the resource)
    assert control_for("1.2.0", "2.8", "AwsAccount") == "KMS.4"
    assert control_for("3.0.0", "2.1.4", "AwsEc2Instance") is None  # a tie no declared type breaks
