"""BatchImportFindings through boto3: upsert, provider vs customer fields, invalid findings."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.hub.conftest import PRODUCT_ARN, client_for, make_finding

#: What boto3 sends and the hub requires of an API request (the signature is not checked).
API_HEADERS = {"Content-Type": "application/json",
               "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/securityhub/aws4_request, "
                                "SignedHeaders=host, Signature=0"}


def get_one(securityhub, ident: str) -> dict:
    found = securityhub.get_findings(Filters={"Id": [{"Value": ident, "Comparison": "EQUALS"}]})["Findings"]
    assert len(found) == 1
    return found[0]


def test_new_findings_get_security_hub_defaults(securityhub):
    result = securityhub.batch_import_findings(Findings=[make_finding("a"), make_finding("b")])
    assert (result["SuccessCount"], result["FailedCount"], result["FailedFindings"]) == (2, 0, [])
    stored = get_one(securityhub, "a")
    assert stored["Workflow"] == {"Status": "NEW"}
    assert stored["RecordState"] == "ACTIVE"
    assert stored["Severity"]["Normalized"] == 40
    assert stored["Title"] == "Finding a"


def test_reimport_updates_in_place_and_keeps_created_at(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding("a")])
    newer = make_finding("a", Title="Renamed", CreatedAt="2025-01-01T00:00:00Z", UpdatedAt="2025-01-01T00:00:00Z")
    securityhub.batch_import_findings(Findings=[newer])
    everything = securityhub.get_findings()["Findings"]
    assert [f["Id"] for f in everything] == ["a"]
    assert everything[0]["Title"] == "Renamed"
    assert everything[0]["UpdatedAt"] == "2025-01-01T00:00:00Z"
    assert everything[0]["CreatedAt"] == "2024-03-01T10:00:00Z"


def test_same_id_under_another_product_is_another_finding(securityhub):
    other = "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/other"
    securityhub.batch_import_findings(Findings=[make_finding("a"), make_finding("a", ProductArn=other)])
    assert len(securityhub.get_findings()["Findings"]) == 2


def test_invalid_findings_fail_alone_with_an_error_code(hub, securityhub):
    no_title = make_finding("bad-title", Title="")
    naive_time = make_finding("bad-time", UpdatedAt="2024-03-01T10:00:00")
    missing = make_finding("missing")
    del missing["Resources"]
    unvalidated = client_for(hub, validate=False)
    result = unvalidated.batch_import_findings(Findings=[make_finding("good"), no_title, naive_time, missing])
    assert result["SuccessCount"] == 1
    assert result["FailedCount"] == 3
    failed = {f["Id"]: f for f in result["FailedFindings"]}
    assert set(failed) == {"bad-title", "bad-time", "missing"}
    assert all(f["ErrorCode"] == "InvalidInput" for f in failed.values())
    assert "Title" in failed["bad-title"]["ErrorMessage"]
    assert "UpdatedAt" in failed["bad-time"]["ErrorMessage"]
    assert [f["Id"] for f in securityhub.get_findings()["Findings"]] == ["good"]


def test_oversized_finding_is_reported_as_size_exceeded(securityhub):
    resource = {"Type": "Other", "Id": "r", "Details": {"Other": {f"k{i}": "x" * 1000 for i in range(50)}}}
    huge = make_finding("huge", Resources=[resource] * 6)
    result = securityhub.batch_import_findings(Findings=[huge])
    assert result["FailedFindings"][0]["ErrorCode"] == "FindingSizeExceeded"


def test_customer_fields_survive_reimport(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding("a")])
    securityhub.batch_update_findings(
        FindingIdentifiers=[{"Id": "a", "ProductArn": PRODUCT_ARN}],
        Workflow={"Status": "SUPPRESSED"}, Note={"Text": "accepted risk", "UpdatedBy": "alice"},
        UserDefinedFields={"ticket": "SEC-1"}, VerificationState="FALSE_POSITIVE",
        Severity={"Label": "LOW"},
    )
    provider_attempt = make_finding("a", Workflow={"Status": "NEW"}, Note={
        "Text": "provider", "UpdatedBy": "scanner", "UpdatedAt": "2024-03-02T00:00:00Z"},
        UserDefinedFields={"ticket": "overwritten"}, VerificationState="TRUE_POSITIVE",
        Severity={"Label": "CRITICAL"}, Title="Provider title change")
    securityhub.batch_import_findings(Findings=[provider_attempt])
    stored = get_one(securityhub, "a")
    assert stored["Workflow"]["Status"] == "SUPPRESSED"
    assert stored["Note"]["Text"] == "accepted risk"
    assert stored["UserDefinedFields"] == {"ticket": "SEC-1"}
    assert stored["VerificationState"] == "FALSE_POSITIVE"
    assert stored["Severity"]["Label"] == "LOW"  # set by the customer, so the provider's change is ignored
    assert stored["Title"] == "Provider title change"  # provider fields still update


def test_resolved_finding_reopens_when_it_comes_back_from_archive(securityhub):
    securityhub.batch_import_findings(Findings=[make_finding("a")])
    securityhub.batch_update_findings(FindingIdentifiers=[{"Id": "a", "ProductArn": PRODUCT_ARN}],
                                      Workflow={"Status": "RESOLVED"})
    securityhub.batch_import_findings(Findings=[make_finding("a", RecordState="ARCHIVED")])
    assert get_one(securityhub, "a")["Workflow"]["Status"] == "RESOLVED"
    securityhub.batch_import_findings(Findings=[make_finding("a", RecordState="ACTIVE")])
    assert get_one(securityhub, "a")["Workflow"]["Status"] == "NEW"


def test_duplicate_in_one_batch_stores_the_last_copy(securityhub):
    result = securityhub.batch_import_findings(Findings=[make_finding("a", Title="first"),
                                                         make_finding("a", Title="second")])
    assert result["SuccessCount"] == 2
    assert [f["Title"] for f in securityhub.get_findings()["Findings"]] == ["second"]


def test_more_than_100_findings_is_rejected_by_boto3_or_the_hub(hub):
    request = urllib.request.Request(hub.endpoint_url + "/findings/import", method="POST",
                                     data=json.dumps({"Findings": [make_finding(str(i)) for i in range(101)]}).encode(),
                                     headers=API_HEADERS)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)
    assert raised.value.code == 400
    assert json.loads(raised.value.read())["Code"] == "InvalidInputException"


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"Findings": "x"}', b"\xff\xfe"])
def test_malformed_body_is_400_invalid_input(hub, body):
    request = urllib.request.Request(hub.endpoint_url + "/findings/import", method="POST", data=body,
                                     headers=API_HEADERS)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)
    assert raised.value.code == 400
    assert raised.value.headers["x-amzn-ErrorType"].startswith("InvalidInputException")
    assert json.loads(raised.value.read())["Code"] == "InvalidInputException"


def test_malformed_get_findings_is_a_client_error_in_boto3(securityhub, hub):
    # botocore validates its own input, so send a bad filter around it and read the error through boto3's parser.
    request = urllib.request.Request(hub.endpoint_url + "/findings", method="POST",
                                     data=json.dumps({"Filters": {"Id": [{"Value": 5}]}}).encode(), headers=API_HEADERS)
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request)
    assert raised.value.code == 400
    with pytest.raises(ClientError) as client_error:
        securityhub.get_findings(Filters={"Id": [{"Value": "a", "Comparison": "CONTAINS_WORD"}]})
    assert client_error.value.response["Error"]["Code"] == "InvalidInputException"
    assert client_error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
