"""Fault injection: whatever the hub does, no finding is lost and the counts add up."""
from __future__ import annotations

from pipeline.sinks.base import Scope
from pipeline.sinks.pacing import Backoff
from pipeline.sinks.retrying import RetryPolicy
from pipeline.sinks.securityhub import SecurityHubSettings, SecurityHubSink
from tests.sinks.builders import asff_findings, product_arn
from tests.sinks.conftest import FAST, hub_client
from tests.sinks.fakes import DROP_AFTER, DROP_BEFORE, ERROR_500, ERROR_503, INCONSISTENT, INVALID_REQUEST, THROTTLE

IMPORT = "BatchImportFindings"
SCOPE = [Scope("demo", "main", "bandit", complete=False)]


def publish(hub, findings, settings=FAST):
    sink = SecurityHubSink(hub_client(hub.endpoint_url), product_arn(), settings)
    return sink.publish(findings, SCOPE)


def assert_exact(result, findings):
    assert result.sent == len(findings)
    assert result.sent == result.accepted + len(result.failed)


def test_throttling_for_a_while_loses_nothing(fake_hub):
    findings = asff_findings(250)
    fake_hub.faults.add(IMPORT, THROTTLE, times=5)
    result = publish(fake_hub, findings)
    assert result.ok, result.failed
    assert_exact(result, findings)
    assert result.throttles == 5
    assert result.requests == 3 + 5
    assert len(fake_hub.store) == 250


def test_server_errors_and_dropped_connections_are_retried(fake_hub):
    findings = asff_findings(300)
    for kind in (ERROR_500, ERROR_503, DROP_BEFORE, DROP_AFTER, ERROR_500):
        fake_hub.faults.add(IMPORT, kind)
    result = publish(fake_hub, findings)
    assert result.ok, result.failed
    assert_exact(result, findings)
    assert result.accepted == 300  # a batch stored before its reply was lost still counts once
    assert result.throttles == 0
    assert result.requests == 3 + 5
    assert len(fake_hub.store) == 300
    assert max(fake_hub.import_counts.values()) == 2  # the drop-after batch was resent: idempotent upsert


def test_failed_findings_retryable_retried_others_reported(fake_hub):
    findings = asff_findings(120)
    ids = [f["Id"] for f in findings]
    fake_hub.faults.fail_item(ids[0], "TooManyRequestsException", times=3)
    fake_hub.faults.fail_item(ids[1], "InternalException", times=1)
    fake_hub.faults.fail_item(ids[2], "ServiceUnavailable", times=2)
    fake_hub.faults.fail_item(ids[3], "InvalidInput", times=None)
    fake_hub.faults.fail_item(ids[110], "AccessDeniedException", times=None)
    fake_hub.faults.fail_item(ids[111], "InternalException", times=None)  # never recovers
    result = publish(fake_hub, findings)
    assert not result.ok
    assert_exact(result, findings)
    failed = {f.id: f.error_code for f in result.failed}
    assert failed == {ids[3]: "InvalidInput", ids[110]: "AccessDeniedException", ids[111]: "InternalException"}
    assert "gave up after 8 attempts" in next(f.error_message for f in result.failed if f.id == ids[111])
    assert result.accepted == 117
    stored = {i for (_, i) in fake_hub.store}
    assert stored == set(ids) - set(failed)


def test_reply_whose_counts_do_not_add_up_is_resent(fake_hub):
    findings = asff_findings(50)
    fake_hub.faults.add(IMPORT, INCONSISTENT)
    result = publish(fake_hub, findings)
    assert result.ok
    assert_exact(result, findings)
    assert result.requests == 2


def test_rejected_request_reports_every_finding_in_it(fake_hub):
    findings = asff_findings(150)
    fake_hub.faults.add(IMPORT, INVALID_REQUEST)
    # one worker, so the rejected request is the first batch
    result = publish(fake_hub, findings, SecurityHubSettings(max_in_flight=1, import_quota=FAST.import_quota,
                                                             get_quota=FAST.get_quota, retry=FAST.retry))
    assert_exact(result, findings)
    assert {f.error_code for f in result.failed} == {"InvalidInputException"}
    assert [f.id for f in result.failed] == [f["Id"] for f in findings[:100]]
    assert result.accepted == 50


def test_throttled_beyond_the_attempt_cap_is_reported_not_lost(fake_hub):
    findings = asff_findings(30)
    fake_hub.faults.add(IMPORT, THROTTLE, times=3)
    settings = SecurityHubSettings(max_in_flight=1, import_quota=FAST.import_quota, get_quota=FAST.get_quota,
                                   retry=RetryPolicy(max_attempts=3, backoff=Backoff(0.001, 0.01)))
    result = publish(fake_hub, findings, settings)
    assert_exact(result, findings)
    assert result.accepted == 0 and len(result.failed) == 30
    assert {f.error_code for f in result.failed} == {"TooManyRequestsException"}
    assert result.throttles == 3 and result.requests == 3


def test_throttling_slows_the_client_bucket(fake_hub):
    findings = asff_findings(10)
    fake_hub.faults.add(IMPORT, THROTTLE, times=2)
    sink = SecurityHubSink(hub_client(fake_hub.endpoint_url), product_arn(), FAST)
    before = sink.import_bucket.rate
    result = sink.publish(findings, SCOPE)
    assert result.ok
    assert sink.import_bucket.rate < before
