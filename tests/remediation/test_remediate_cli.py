"""`secpipe remediate` end to end: a real moto_server (member account via assume_role), a real
`secpipe hub serve`, the real KMS.4 playbook, and the CLI as a separate process."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.remediation.findings import ACCOUNT, REGION, cis_standard, cis_v12, consolidated, with_changes
from tests.remediation.servers import cli_environment, hub_client, hub_server, member_session, moto_server

pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def moto_url() -> str:
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory) -> str:
    with hub_server(tmp_path_factory.mktemp("hub") / "hub.sqlite3") as url:
        yield url


@pytest.fixture
def kms(moto_url):
    return member_session(moto_url, ACCOUNT).client("kms", endpoint_url=moto_url)


def secpipe(*args: str, moto_url: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "remediate", *args], capture_output=True, text=True,
                          env=cli_environment(moto_url), cwd=cwd, timeout=170)


def new_key(kms, **tags: str) -> str:
    key = kms.create_key(Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()])["KeyMetadata"]
    return key["Arn"]


def rotating(kms, arn: str) -> bool:
    return kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"]


def write_findings(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc))
    return path


def hub_state(hub_url: str, finding_ids: list[str]) -> dict[str, dict[str, Any]]:
    client = hub_client(hub_url)
    found = {}
    for finding_id in finding_ids:
        [finding] = client.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})["Findings"]
        found[finding_id] = finding
    return found


def test_run_fixes_verifies_writes_back_is_idempotent_and_rolls_back(moto_url, hub_url, kms, tmp_path):
    keys = [new_key(kms) for _ in range(3)]
    opted_out = new_key(kms, **{"secpipe-remediation": "skip"})
    findings = [
        consolidated("KMS.4", keys[0], "AwsKmsKey"),
        cis_v12("2.8", keys[1], "AwsKmsKey"),
        cis_standard("1.4.0", "3.8", keys[2], "AwsKmsKey"),
        consolidated("KMS.4", opted_out, "AwsKmsKey"),
        consolidated("IAM.4", f"AWS::::Account:{ACCOUNT}", "AwsAccount"),
        with_changes(consolidated("KMS.4", keys[0], "AwsKmsKey"), RecordState="ARCHIVED"),
    ]
    ids = [f["Id"] for f in findings]
    assert hub_client(hub_url).batch_import_findings(Findings=findings)["FailedCount"] == 0
    file = write_findings(tmp_path / "findings.json", findings)

    result = secpipe("run", str(file), "--json", "--endpoint-url", hub_url, "--records", "recs",
                     moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["finding_id"] for r in rows] == ids
    assert [r["outcome"] for r in rows] == ["remediated"] * 3 + ["skipped", "no-playbook", "skipped"]
    assert [r["control_id"] for r in rows] == ["KMS.4"] * 4 + ["IAM.4", "KMS.4"]
    assert all(set(r) == {"finding_id", "control_id", "account", "region", "resource", "outcome", "detail"}
               for r in rows)
    assert rows[0]["account"] == ACCOUNT and rows[0]["region"] == REGION and rows[0]["resource"] == keys[0]
    assert "opted out" in rows[3]["detail"]
    assert [rotating(kms, key) for key in keys + [opted_out]] == [True, True, True, False]

    stored = hub_state(hub_url, ids)
    assert [stored[i]["Workflow"]["Status"] for i in ids] == ["RESOLVED"] * 3 + ["NOTIFIED", "NOTIFIED", "NEW"]
    assert stored[ids[0]]["Note"]["UpdatedBy"] == "secpipe-remediation"
    assert f"account {ACCOUNT}" in stored[ids[1]]["Note"]["Text"] and keys[1] in stored[ids[1]]["Note"]["Text"]
    assert "Note" not in stored[ids[5]]
    records = sorted((tmp_path / "recs").glob("*.json"))
    assert len(records) == 3

    again = secpipe("run", str(file), "--json", "--endpoint-url", hub_url, "--records", "recs",
                    moto_url=moto_url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert [r["outcome"] for r in json.loads(again.stdout)][:3] == ["already-compliant"] * 3
    assert len(sorted((tmp_path / "recs").glob("*.json"))) == 3  # nothing changed, nothing recorded

    record = next(p for p in records if json.loads(p.read_text())["target"]["resource_id"] == keys[0])
    back = secpipe("rollback", str(record), moto_url=moto_url, cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    assert keys[0] in back.stdout and "disabled automatic rotation" in back.stdout
    assert not rotating(kms, keys[0]) and rotating(kms, keys[1])
    twice = secpipe("rollback", str(record), moto_url=moto_url, cwd=tmp_path)
    assert twice.returncode == 2 and twice.stderr.startswith("secpipe: error: ") and "already rolled back" in twice.stderr


def test_dry_run_prints_one_line_per_finding_and_changes_nothing(moto_url, hub_url, kms, tmp_path):
    key = new_key(kms)
    findings = [consolidated("KMS.4", key, "AwsKmsKey"), consolidated("IAM.9", f"AWS::::Account:{ACCOUNT}",
                                                                       "AwsAccount")]
    hub_client(hub_url).batch_import_findings(Findings=findings)
    event = {"version": "0", "source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported",
             "detail": {"findings": findings}}
    result = secpipe("run", str(write_findings(tmp_path / "event.json", event)), "--dry-run",
                     "--endpoint-url", hub_url, moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("planned") and key in lines[0] and "would: enable automatic rotation" in lines[0]
    assert lines[1].startswith("no-playbook") and "IAM.9" in lines[1]
    assert not rotating(kms, key)
    stored = hub_state(hub_url, [f["Id"] for f in findings])
    assert {f["Workflow"]["Status"] for f in stored.values()} == {"NEW"}  # a dry run writes nothing back
    [record] = (tmp_path / "secpipe-out" / "remediation").glob("*.json")  # the default records folder
    assert json.loads(record.read_text())["dry_run"] is True


def test_a_custom_action_event_acts_on_a_notified_finding(moto_url, hub_url, kms, tmp_path):
    key = new_key(kms)
    finding = with_changes(consolidated("KMS.4", key, "AwsKmsKey"), Workflow={"Status": "NOTIFIED"})
    hub_client(hub_url).batch_import_findings(Findings=[finding])
    event = {"source": "aws.securityhub", "detail-type": "Security Hub Findings - Custom Action",
             "detail": {"actionName": "Remediate", "findings": [finding]}}
    result = secpipe("run", str(write_findings(tmp_path / "custom.json", event)), "--json", "--endpoint-url", hub_url,
                     moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["outcome"] == "remediated" and rotating(kms, key)


def test_an_outcome_the_hub_cannot_record_is_exit_1_naming_the_finding(moto_url, hub_url, kms, tmp_path):
    finding = consolidated("KMS.4", new_key(kms), "AwsKmsKey")  # never imported into the hub
    result = secpipe("run", str(write_findings(tmp_path / "f.json", finding)), "--endpoint-url", hub_url,
                     moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("remediated")  # the per-finding lines come first
    assert result.stderr.startswith("secpipe: error: the hub did not record the outcome of 1 finding(s): ")
    assert finding["Id"] in result.stderr and "FindingNotFound" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"),
    ("{not json", "not JSON"),
    ('{"hello": 1}', "neither an ASFF finding"),
    ('[{"Id": "x", "ProductArn": "p", "AwsAccountId": "1"}]', "AwsAccountId must be 12 digits"),
])
def test_bad_input_is_exit_2_with_one_line(moto_url, tmp_path, content, message):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    result = secpipe("run", str(path), moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("secpipe: error: ") and message in result.stderr
    assert result.stdout == ""


def test_list_json_is_the_contract(moto_url, tmp_path):
    result = secpipe("list", "--json", moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(set(r) == {"control_id", "title", "cis", "iam_actions", "destructive"} for r in rows)
    kms_row = next(r for r in rows if r["control_id"] == "KMS.4")
    assert kms_row["cis"] == {"1.2.0": ["2.8"], "1.4.0": ["3.8"], "3.0.0": ["3.6"]}
    assert "kms:EnableKeyRotation" in kms_row["iam_actions"] and kms_row["destructive"] is False
    assert not any("*" in action for r in rows for action in r["iam_actions"])
    text = secpipe("list", moto_url=moto_url, cwd=tmp_path)
    assert text.returncode == 0 and len(text.stdout.splitlines()) == len(rows)


def test_the_shared_cis_3_number_fixes_the_bucket_or_the_account_by_resource_type(moto_url, hub_url, tmp_path):
    session = member_session(moto_url, ACCOUNT)
    s3 = session.client("s3", endpoint_url=moto_url)
    s3.create_bucket(Bucket="secpipe-e2e-open-bucket")
    findings = [cis_standard("3.0.0", "2.1.4", "arn:aws:s3:::secpipe-e2e-open-bucket", "AwsS3Bucket"),
                cis_standard("3.0.0", "2.1.4", f"AWS::::Account:{ACCOUNT}", "AwsAccount")]
    hub_client(hub_url).batch_import_findings(Findings=findings)
    result = secpipe("run", str(write_findings(tmp_path / "s3.json", findings)), "--json", "--endpoint-url", hub_url,
                     moto_url=moto_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["control_id"], r["outcome"]) for r in rows] == [("S3.8", "remediated"), ("S3.1", "remediated")]
    bucket_block = s3.get_public_access_block(Bucket="secpipe-e2e-open-bucket")["PublicAccessBlockConfiguration"]
    assert all(bucket_block.values())
    # the account setting, re-read by the playbook itself on a second run
    again = secpipe("run", str(tmp_path / "s3.json"), "--json", "--endpoint-url", hub_url, moto_url=moto_url, cwd=tmp_path)
    assert [r["outcome"] for r in json.loads(again.stdout)] == ["already-compliant", "already-compliant"]
