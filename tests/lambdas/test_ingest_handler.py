"""The ingest Lambda end to end: report in (moto) S3 -> handler -> findings in a hub, read back with boto3."""
from __future__ import annotations

import json
import time
from urllib.parse import quote_plus

import pytest

from parsers import registry
from pipeline.archive import ReportRef
from pipeline.context import ScanContext
from pipeline.convert import to_validated_asff
from pipeline.ingest.errors import FindingsNotAccepted
from tests.lambdas.conftest import BANDIT_REPORT, BUCKET, all_findings, hub_client
from tests.sinks.fakes import FakeSecurityHub

BANDIT = BANDIT_REPORT.read_bytes()
BANDIT_COUNT = len(json.loads(BANDIT)["results"])


def explicit_event(key: str, complete: bool = True, **overrides) -> dict:
    event = {"bucket": BUCKET, "key": key, "tool": "bandit", "repo": "shop", "branch": "main",
             "commit": "0123abcd", "build_id": "shop-build:1", "complete": complete}
    event.update(overrides)
    return event


def eventbridge_event(key: str) -> dict:
    return {"version": "0", "id": "e1", "detail-type": "Object Created", "source": "aws.s3",
            "account": "123456789012", "region": "eu-west-1", "resources": [f"arn:aws:s3:::{BUCKET}"],
            "detail": {"version": "0", "bucket": {"name": BUCKET},
                       "object": {"key": key, "size": len(BANDIT), "sequencer": "00"}, "reason": "PutObject"}}


def notification_event(key: str) -> dict:
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": BUCKET, "arn": f"arn:aws:s3:::{BUCKET}"},
                                "object": {"key": quote_plus(key), "size": len(BANDIT)}}}]}


@pytest.fixture
def local_hub(hub, monkeypatch):
    monkeypatch.setenv("SECPIPE_SECURITYHUB_ENDPOINT", hub.endpoint_url)
    return hub_client(hub.endpoint_url)


def test_explicit_event_imports_every_finding_with_the_event_context(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "main", "shop-build:1", "bandit", "bandit.json"), BANDIT)

    reply = invoke(explicit_event(key))

    [result] = reply["results"]
    assert result["status"] == "published"
    assert (result["sent"], result["accepted"], result["failed"], result["archived"]) == (BANDIT_COUNT, BANDIT_COUNT, 0, 0)
    findings = all_findings(local_hub)
    assert len(findings) == BANDIT_COUNT
    for finding in findings:
        fields = finding["ProductFields"]
        assert (fields["secpipe/repo"], fields["secpipe/branch"], fields["secpipe/tool"]) == ("shop", "main", "bandit")
        assert fields["secpipe/commit"] == "0123abcd"
        assert finding["AwsAccountId"] == aws.account
        assert finding["ProductArn"] == \
            f"arn:aws:securityhub:eu-west-1:{aws.account}:product/{aws.account}/default"


def test_redelivery_is_not_processed_again(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "main", "shop-build:1", "bandit", "bandit.json"), BANDIT)
    first = invoke(explicit_event(key))["results"][0]
    updated = {f["Id"]: f["UpdatedAt"] for f in all_findings(local_hub)}

    again = invoke(explicit_event(key))["results"][0]

    assert again["status"] == "duplicate"
    assert {k: v for k, v in again.items() if k != "status"} == {k: v for k, v in first.items() if k != "status"}
    # Re-importing would have stamped a new UpdatedAt on every finding.
    assert {f["Id"]: f["UpdatedAt"] for f in all_findings(local_hub)} == updated


def test_eventbridge_event_takes_context_from_the_key_layout(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "feature/login", "b-7", "bandit", "bandit.json"), BANDIT)
    assert "%2F" in key  # the branch's slash is encoded in the key, and must come back as a slash

    [result] = invoke(eventbridge_event(key))["results"]

    assert (result["status"], result["repo"], result["branch"], result["tool"]) == \
        ("published", "shop", "feature/login", "bandit")
    assert result["complete"] is False  # an S3 event alone never says the run was complete
    findings = all_findings(local_hub)
    assert len(findings) == BANDIT_COUNT
    assert {f["ProductFields"]["secpipe/branch"] for f in findings} == {"feature/login"}


def test_s3_notification_key_is_url_decoded(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "release 2.0+hotfix", "b-8", "bandit", "bandit report.json"), BANDIT)

    [result] = invoke(notification_event(key))["results"]

    assert result["status"] == "published"
    assert result["location"] == f"s3://{BUCKET}/{key}"
    assert {f["ProductFields"]["secpipe/branch"] for f in all_findings(local_hub)} == {"release 2.0+hotfix"}


def test_metadata_names_context_and_completeness_for_keys_outside_the_layout(aws, invoke, local_hub):
    key = "uploads/bandit-output.json"
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=BANDIT, Metadata={
        "secpipe-tool": "bandit", "secpipe-repo": "api", "secpipe-branch": "dev", "secpipe-commit": "feed",
        "secpipe-complete": "true"})

    [result] = invoke(eventbridge_event(key))["results"]

    assert (result["repo"], result["branch"], result["complete"]) == ("api", "dev", True)
    assert {f["ProductFields"]["secpipe/commit"] for f in all_findings(local_hub)} == {"feed"}


def test_complete_run_archives_what_it_no_longer_reports(aws, invoke, local_hub):
    first_key = aws.upload(ReportRef("shop", "main", "b-1", "bandit", "bandit.json"), BANDIT)
    invoke(explicit_event(first_key))
    report = json.loads(BANDIT)
    report["results"] = report["results"][:2]
    second_key = aws.upload(ReportRef("shop", "main", "b-2", "bandit", "bandit.json"), json.dumps(report).encode())

    [result] = invoke(explicit_event(second_key, build_id="b-2"))["results"]

    assert result["archived"] == BANDIT_COUNT - 2
    assert result["sent"] == result["accepted"] == 2 + (BANDIT_COUNT - 2)
    assert len(all_findings(local_hub, RecordState=[{"Value": "ACTIVE", "Comparison": "EQUALS"}])) == 2
    assert len(all_findings(local_hub, RecordState=[{"Value": "ARCHIVED", "Comparison": "EQUALS"}])) == BANDIT_COUNT - 2


def test_incomplete_run_archives_nothing(aws, invoke, local_hub):
    invoke(explicit_event(aws.upload(ReportRef("shop", "main", "b-1", "bandit", "bandit.json"), BANDIT)))
    report = json.loads(BANDIT)
    report["results"] = report["results"][:1]
    key = aws.upload(ReportRef("shop", "main", "b-2", "bandit", "bandit.json"), json.dumps(report).encode())

    [result] = invoke(explicit_event(key, complete=False))["results"]

    assert result["archived"] == 0
    assert len(all_findings(local_hub, RecordState=[{"Value": "ACTIVE", "Comparison": "EQUALS"}])) == BANDIT_COUNT


def test_invalid_report_is_a_permanent_failure_naming_the_key(aws, invoke, local_hub, capsys):
    key = aws.upload(ReportRef("shop", "main", "b-3", "bandit", "bandit.json"), b'{"results": [')

    [result] = invoke(explicit_event(key))["results"]

    assert result["status"] == "rejected"
    assert result["error"].startswith(f"s3://{BUCKET}/{key}: not valid JSON")
    assert all_findings(local_hub) == []
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [rejection] = [line for line in logged if line["message"] == "report rejected"]
    assert rejection["level"] == "ERROR" and key in rejection["error"]
    assert rejection["function_request_id"] == "req-0001"
    # Re-delivery returns the recorded rejection instead of failing again.
    again = invoke(explicit_event(key))["results"][0]
    assert (again["status"], again["error"]) == ("duplicate", result["error"])


def test_report_of_another_tool_is_rejected(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "main", "b-3", "semgrep", "bandit.json"), BANDIT)

    [result] = invoke(explicit_event(key, tool="semgrep"))["results"]

    assert result["status"] == "rejected"
    assert f"s3://{BUCKET}/{key}" in result["error"]


def test_too_large_object_is_refused_before_reading(aws, invoke, local_hub, monkeypatch):
    monkeypatch.setenv("SECPIPE_INGEST_MAX_BYTES", str(len(BANDIT) - 1))
    key = aws.upload(ReportRef("shop", "main", "b-4", "bandit", "bandit.json"), BANDIT)

    [result] = invoke(explicit_event(key))["results"]

    assert result["status"] == "rejected"
    assert f"over the {len(BANDIT) - 1}-byte limit" in result["error"] and key in result["error"]
    assert all_findings(local_hub) == []


def test_missing_object_is_rejected(aws, invoke, local_hub):
    [result] = invoke(explicit_event("reports/shop/main/b-9/bandit/gone.json"))["results"]
    assert result["status"] == "rejected" and "no such object" in result["error"]


def test_unsupported_event_is_logged_not_retried(aws, invoke, local_hub):
    reply = invoke({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}})
    assert reply["results"] == [] and "unsupported event" in reply["error"]


def test_tampered_report_is_rejected(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "main", "b-5", "bandit", "bandit.json"), BANDIT)
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=BANDIT.replace(b"HIGH", b"LOW"),
                      Metadata={"sha256": aws.s3.head_object(Bucket=BUCKET, Key=key)["Metadata"]["sha256"]})

    [result] = invoke(explicit_event(key))["results"]

    assert result["status"] == "rejected" and "sha256" in result["error"]


def test_findings_not_accepted_raise_and_are_retried(aws, invoke, monkeypatch):
    key = aws.upload(ReportRef("shop", "main", "b-6", "bandit", "bandit.json"), BANDIT)
    context = ScanContext(repo="shop", branch="main")
    ids = [f["Id"] for f in to_validated_asff(registry.parse_report("bandit", BANDIT, "bandit.json"), context)]
    with FakeSecurityHub() as fake:
        monkeypatch.setenv("SECPIPE_SECURITYHUB_ENDPOINT", fake.endpoint_url)
        fake.faults.fail_item(ids[0], "InvalidInput", times=None)

        with pytest.raises(FindingsNotAccepted) as raised:
            invoke(explicit_event(key))
        assert ids[0] in str(raised.value) and "InvalidInput" in str(raised.value)
        assert [f.id for f in raised.value.failed] == [ids[0]]

        # The claim was released: the retry (after the fault is gone) ingests the object.
        del fake.faults.always_fail[ids[0]]
        [result] = invoke(explicit_event(key))["results"]
        assert (result["status"], result["accepted"], result["failed"]) == ("published", BANDIT_COUNT, 0)
        assert len(fake.store) == BANDIT_COUNT


def test_late_delivery_of_an_older_report_is_superseded(aws, invoke, local_hub):
    older_key = aws.upload(ReportRef("shop", "main", "b-41", "bandit", "bandit.json"), BANDIT)
    time.sleep(1.1)  # S3 LastModified counts whole seconds: make build 42's upload strictly later
    report = json.loads(BANDIT)
    report["results"] = report["results"][:2]
    newer_key = aws.upload(ReportRef("shop", "main", "b-42", "bandit", "bandit.json"), json.dumps(report).encode())

    newer = invoke(explicit_event(newer_key, build_id="b-42"))["results"][0]
    older = invoke(explicit_event(older_key, build_id="b-41"))["results"][0]

    assert newer["status"] == "published"
    assert (older["status"], older["superseded_by"], older["sent"]) == ("superseded", f"s3://{BUCKET}/{newer_key}", 0)
    assert len(all_findings(local_hub)) == 2  # build 41's fixed findings did not come back


def test_auto_tool_detects_the_format_and_scopes_by_the_parser(aws, invoke, local_hub):
    key = aws.upload(ReportRef("shop", "main", "b-10", "auto", "scan.json"), BANDIT)

    [result] = invoke(eventbridge_event(key))["results"]

    assert (result["status"], result["tool"], result["accepted"]) == ("published", "bandit", BANDIT_COUNT)
    assert {f["ProductFields"]["secpipe/tool"] for f in all_findings(local_hub)} == {"bandit"}


def test_environment_is_read_once_per_container(aws, invoke, local_hub, monkeypatch, capsys):
    first_key = aws.upload(ReportRef("shop", "main", "b-11", "bandit", "bandit.json"), BANDIT)
    invoke(explicit_event(first_key))
    monkeypatch.setenv("SECPIPE_INGEST_MAX_BYTES", "10")  # a warm container keeps its cold-start settings
    second_key = aws.upload(ReportRef("shop", "main", "b-12", "bandit", "bandit.json"), BANDIT)

    [result] = invoke(explicit_event(second_key, build_id="b-12"))["results"]

    assert result["status"] == "published"
    ingested = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    ingested = [line for line in ingested if line["message"] == "report ingested"]
    assert [line["cold_start"] for line in ingested] == [True, False]
    assert [line["result"]["sent"] for line in ingested] == [BANDIT_COUNT, BANDIT_COUNT]
    assert all(line["location"].startswith("pipeline.ingest.service.") for line in ingested)
