"""BatchUpdateFindings through boto3: customer fields, unknown ids, note history, UpdatedAt kept."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.hub.conftest import PRODUCT_ARN, client_for, make_finding


def ident(name: str) -> dict[str, str]:
    return {"Id": name, "ProductArn": PRODUCT_ARN}


def stored(client, name: str) -> dict:
    return client.get_findings(Filters={"Id": [{"Value": name, "Comparison": "EQUALS"}]})["Findings"][0]


@pytest.fixture
def two(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding("a"), make_finding("b")])
    return securityhub


def test_updates_every_customer_field_and_leaves_updated_at(two):
    result = two.batch_update_findings(
        FindingIdentifiers=[ident("a")], Workflow={"Status": "NOTIFIED"},
        Note={"Text": "sent to the owning team", "UpdatedBy": "alice"}, Severity={"Label": "CRITICAL"},
        VerificationState="TRUE_POSITIVE", UserDefinedFields={"ticket": "SEC-42"},
        Types=["Software and Configuration Checks/Vulnerabilities/CVE"], Confidence=80, Criticality=95)
    assert result["ProcessedFindings"] == [ident("a")]
    assert result["UnprocessedFindings"] == []
    finding = stored(two, "a")
    assert finding["Workflow"]["Status"] == "NOTIFIED"
    assert finding["Note"]["Text"] == "sent to the owning team" and finding["Note"]["UpdatedBy"] == "alice"
    assert finding["Note"]["UpdatedAt"].endswith("Z")
    assert finding["Severity"]["Label"] == "CRITICAL" and finding["Severity"]["Normalized"] == 90
    assert finding["Severity"]["Original"] == "MEDIUM"
    assert finding["VerificationState"] == "TRUE_POSITIVE"
    assert finding["UserDefinedFields"] == {"ticket": "SEC-42"}
    assert finding["Types"] == ["Software and Configuration Checks/Vulnerabilities/CVE"]
    assert (finding["Confidence"], finding["Criticality"]) == (80, 95)
    assert finding["UpdatedAt"] == "2024-03-01T10:00:00Z"
    assert stored(two, "b")["Workflow"]["Status"] == "NEW"


def test_unknown_and_duplicate_identifiers_are_unprocessed(two):
    result = two.batch_update_findings(
        FindingIdentifiers=[ident("a"), ident("missing"), {"Id": "b", "ProductArn": PRODUCT_ARN + "x"}, ident("a")],
        Workflow={"Status": "RESOLVED"})
    assert result["ProcessedFindings"] == [ident("a")]
    codes = {(u["FindingIdentifier"]["Id"], u["ErrorCode"]) for u in result["UnprocessedFindings"]}
    assert codes == {("missing", "FindingNotFound"), ("b", "FindingNotFound"), ("a", "DuplicatedFindingIdentifier")}
    assert stored(two, "b")["Workflow"]["Status"] == "NEW"
    assert stored(two, "a")["Workflow"]["Status"] == "RESOLVED"


def test_notes_are_kept_as_a_history(two, hub):
    for text, status in (("first look", "NOTIFIED"), ("false positive", "SUPPRESSED")):
        two.batch_update_findings(FindingIdentifiers=[ident("a")], Workflow={"Status": status},
                                  Note={"Text": text, "UpdatedBy": "bob"})
    pk = hub.store.fetch_by_keys([(PRODUCT_ARN, "a")])[(PRODUCT_ARN, "a")].pk
    history = hub.store.notes(pk)
    assert [(n.text, n.workflow_status) for n in history] == [("false positive", "SUPPRESSED"),
                                                               ("first look", "NOTIFIED")]
    assert stored(two, "a")["Note"]["Text"] == "false positive"


def test_user_defined_fields_merge(two):
    two.batch_update_findings(FindingIdentifiers=[ident("a")], UserDefinedFields={"k1": "v1"})
    two.batch_update_findings(FindingIdentifiers=[ident("a")], UserDefinedFields={"k2": "v2"})
    assert stored(two, "a")["UserDefinedFields"] == {"k1": "v1", "k2": "v2"}


@pytest.mark.parametrize("arguments", [
    {"Workflow": {"Status": "DONE"}},
    {"Note": {"Text": "   ", "UpdatedBy": "x"}},
    {"Note": {"Text": "x" * 513, "UpdatedBy": "x"}},
    {"Confidence": 101},
    {"Severity": {"Product": 5.0}},
    {"VerificationState": "MAYBE"},
    {},
])
def test_invalid_updates_are_400_invalid_input(hub, two, arguments):
    unvalidated = client_for(hub, validate=False)
    with pytest.raises(ClientError) as raised:
        unvalidated.batch_update_findings(FindingIdentifiers=[ident("a")], **arguments)
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert stored(two, "a")["Workflow"]["Status"] == "NEW"


def test_more_than_100_identifiers_is_rejected(hub, two):
    with pytest.raises(ClientError) as raised:
        client_for(hub, validate=False).batch_update_findings(
            FindingIdentifiers=[ident(f"x{i}") for i in range(101)], Workflow={"Status": "RESOLVED"})
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
