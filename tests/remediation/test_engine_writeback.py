"""Outcomes written back with BatchUpdateFindings: statuses, notes, batches, throttling, unprocessed findings."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pipeline.hub import start_local_hub
from pipeline.hub.quota import Quota, Rate
from pipeline.remediation.outcome import Outcome, OutcomeKind
from pipeline.remediation.writeback import NOTE_MAX, UPDATED_BY, WritebackError, note_for, record_outcomes
from pipeline.sinks.pacing import UNLIMITED, TokenBucket
from pipeline.sinks.retrying import RetryPolicy
from tests.remediation.findings import ACCOUNT, REGION, consolidated

PRODUCT = f"arn:aws:securityhub:{REGION}::product/aws/securityhub"
NO_WAIT = RetryPolicy(max_attempts=6, sleep=lambda seconds: None)


def outcome(n: int, kind: OutcomeKind = OutcomeKind.REMEDIATED, detail: str = "enabled rotation",
            resource: str | None = None, **fields: Any) -> Outcome:
    return Outcome(finding_id=f"finding-{n}", control_id="KMS.4", account=ACCOUNT, region=REGION,
                   resource=resource or f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k{n}", outcome=kind, detail=detail,
                   product_arn=PRODUCT, **fields)


def throttle(code: str = "TooManyRequestsException", status: int = 429) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "Rate exceeded"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "BatchUpdateFindings")


class ScriptedHub:
    """batch_update_findings answers from a script: an exception to raise, or a function of the request."""

    def __init__(self, *script: Exception | Callable[[dict[str, Any]], dict[str, Any]]):
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []

    def batch_update_findings(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        step = self.script.pop(0) if self.script else processed_all
        if isinstance(step, Exception):
            raise step
        return step(request)


def processed_all(request: dict[str, Any]) -> dict[str, Any]:
    return {"ProcessedFindings": list(request["FindingIdentifiers"]), "UnprocessedFindings": []}


def unprocessed_first(code: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def reply(request: dict[str, Any]) -> dict[str, Any]:
        first, *rest = request["FindingIdentifiers"]
        return {"ProcessedFindings": rest,
                "UnprocessedFindings": [{"FindingIdentifier": first, "ErrorCode": code, "ErrorMessage": "x"}]}
    return reply


def write(client: Any, outcomes: list[Outcome]):
    return record_outcomes(client, outcomes, policy=NO_WAIT, bucket=TokenBucket(UNLIMITED))


def test_each_outcome_gets_its_workflow_and_a_note_saying_what_and_where():
    hub = ScriptedHub()
    write(hub, [outcome(1), outcome(2, OutcomeKind.FAILED, "AccessDenied on EnableKeyRotation"),
                outcome(3, OutcomeKind.ALREADY_COMPLIANT, "already rotates"),
                outcome(4, OutcomeKind.NO_PLAYBOOK, "no safe automatic fix"),
                outcome(5, OutcomeKind.SKIPPED, "opted out")])
    sent = {r["FindingIdentifiers"][0]["Id"]: r for r in hub.requests}
    assert {i: r["Workflow"]["Status"] for i, r in sent.items()} == {
        "finding-1": "RESOLVED", "finding-2": "NOTIFIED", "finding-3": "RESOLVED", "finding-4": "NOTIFIED",
        "finding-5": "NOTIFIED"}
    note = sent["finding-2"]["Note"]
    assert note["UpdatedBy"] == UPDATED_BY
    for part in ("failed", "AccessDenied on EnableKeyRotation", "KMS.4", ACCOUNT, REGION, "key/k2"):
        assert part in note["Text"]
    assert all(r["FindingIdentifiers"][0]["ProductArn"] == PRODUCT for r in hub.requests)


def test_dry_run_outcomes_and_findings_that_were_not_ours_are_not_written():
    hub = ScriptedHub()
    write(hub, [outcome(1, OutcomeKind.PLANNED), outcome(2, OutcomeKind.SKIPPED, write_back=False)])
    assert hub.requests == []


def test_equal_notes_share_requests_of_at_most_100_findings():
    account_level = f"AWS::::Account:{ACCOUNT}"
    hub = ScriptedHub()
    report = write(hub, [outcome(n, OutcomeKind.ALREADY_COMPLIANT, "policy ok", resource=account_level)
                         for n in range(250)] + [outcome(1000)])
    assert sorted(len(r["FindingIdentifiers"]) for r in hub.requests) == [1, 50, 100, 100]
    assert report.sent == report.processed == 251


def test_a_long_detail_is_cut_but_the_place_is_kept():
    text = note_for(outcome(1, OutcomeKind.FAILED, "x" * 2000))
    assert len(text) <= NOTE_MAX
    assert text.endswith(f"| account {ACCOUNT} | {REGION} | arn:aws:kms:{REGION}:{ACCOUNT}:key/k1]") and "…" in text


@pytest.mark.parametrize("error", [throttle(), throttle("ThrottlingException", 400), throttle("InternalException", 500)])
def test_throttled_and_transient_requests_are_retried(error):
    hub = ScriptedHub(error, error)
    report = write(hub, [outcome(1)])
    assert len(hub.requests) == 3 and report.processed == 1 and report.throttles == (2 if "Thrott" in str(error) or
                                                                                      "TooMany" in str(error) else 0)


def test_retryable_unprocessed_findings_are_sent_again():
    hub = ScriptedHub(unprocessed_first("TooManyRequestsException"))
    account_level = f"AWS::::Account:{ACCOUNT}"
    report = write(hub, [outcome(n, detail="same", resource=account_level) for n in range(3)])
    assert [len(r["FindingIdentifiers"]) for r in hub.requests] == [3, 1]
    assert hub.requests[1]["FindingIdentifiers"][0]["Id"] == "finding-0"
    assert report.processed == 3 and not report.unprocessed


def test_findings_never_processed_raise_an_error_naming_them():
    hub = ScriptedHub(*[unprocessed_first("InternalException")] * 10)
    with pytest.raises(WritebackError, match=r"1 finding\(s\): finding-0 \(InternalException\)"):
        write(hub, [outcome(0)])
    assert len(hub.requests) == NO_WAIT.max_attempts
    with pytest.raises(WritebackError, match=r"finding-7 \(FindingNotFound\)"):
        write(ScriptedHub(unprocessed_first("FindingNotFound")), [outcome(7)])


def test_a_refused_request_names_every_finding_in_it():
    refused = ClientError({"Error": {"Code": "InvalidInputException", "Message": "bad"},
                           "ResponseMetadata": {"HTTPStatusCode": 400}}, "BatchUpdateFindings")
    with pytest.raises(WritebackError, match=r"finding-3 \(RequestFailed\).*InvalidInputException"):
        write(ScriptedHub(refused), [outcome(3)])


def test_against_the_local_hub_with_its_quota(tmp_path):
    """A real hub that throttles: every outcome lands, none is lost.

    The quota's clock moves 0.1 s per request it sees, so at 2 requests/s with a burst of 2
    one attempt in five gets through, whatever the speed of this machine.
    """
    findings = [consolidated("KMS.4", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k{n}", "AwsKmsKey") for n in range(12)]
    ticks = iter(range(1_000_000))
    quota = Quota({"BatchUpdateFindings": Rate(2, 2)}, clock=lambda: next(ticks) / 10)
    with start_local_hub(tmp_path / "hub.sqlite3", quota=quota) as hub:
        client = boto3.client("securityhub", endpoint_url=hub.endpoint_url, region_name=REGION,
                              aws_access_key_id="x", aws_secret_access_key="x",
                              config=boto3.session.Config(retries={"mode": "standard", "total_max_attempts": 1}))
        assert client.batch_import_findings(Findings=findings)["FailedCount"] == 0
        outcomes = [Outcome(f["Id"], "KMS.4", ACCOUNT, REGION, f["Resources"][0]["Id"],
                            OutcomeKind.REMEDIATED if n % 2 else OutcomeKind.FAILED, f"detail {n}",
                            product_arn=f["ProductArn"]) for n, f in enumerate(findings)]
        # The client paces far above the hub's rate, so the hub throttles and the retries must carry it.
        report = record_outcomes(client, outcomes, policy=RetryPolicy(max_attempts=30, sleep=lambda s: None),
                                 bucket=TokenBucket(UNLIMITED))
        stored = {f["Id"]: f for f in client.get_findings(MaxResults=100)["Findings"]}
    assert report.processed == 12 and report.throttles > 0 and quota.throttled > 0
    for n, finding in enumerate(findings):
        got = stored[finding["Id"]]
        assert got["Workflow"]["Status"] == ("RESOLVED" if n % 2 else "NOTIFIED")
        assert got["Note"]["Text"].startswith(f"secpipe {'remediated' if n % 2 else 'failed'}: detail {n} [KMS.4")
        assert got["Note"]["UpdatedBy"] == UPDATED_BY


def test_the_writer_takes_outcomes_from_many_threads_while_they_are_produced():
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.remediation.writeback import OutcomeWriter

    hub = ScriptedHub(*([throttle()] * 3))
    writer = OutcomeWriter(hub, policy=NO_WAIT, bucket=TokenBucket(UNLIMITED))
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(writer.add, [outcome(n) for n in range(200)] + [outcome(900, OutcomeKind.PLANNED)]))
    report = writer.close()
    sent = [i["Id"] for r in hub.requests for i in r["FindingIdentifiers"]]
    assert report.processed == 200 and report.throttles == 3
    assert sorted(set(sent)) == sorted(f"finding-{n}" for n in range(200))  # every one, the planned one not


def test_a_writer_that_crashes_says_so_at_close():
    from pipeline.remediation.writeback import OutcomeWriter

    class Broken:
        def batch_update_findings(self, **request):
            raise KeyError("a bug")

    writer = OutcomeWriter(Broken(), policy=NO_WAIT, bucket=TokenBucket(UNLIMITED))
    writer.add(outcome(1))
    with pytest.raises(KeyError):
        writer.close()
