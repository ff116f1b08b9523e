"""Against the real local hub with Security Hub's rate limits emulated (--quota)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from pipeline.sinks.base import Scope
from pipeline.sinks.pacing import UNLIMITED, Backoff
from pipeline.sinks.retrying import RetryPolicy
from pipeline.sinks.securityhub import SecurityHubSettings, SecurityHubSink
from tests.sinks.builders import asff_findings, product_arn
from tests.sinks.conftest import hub_client


@pytest.fixture
def quota_hub(tmp_path):
    hub_module = pytest.importorskip("pipeline.hub")
    with hub_module.start_local_hub(tmp_path / "hub.sqlite3", quota=True) as hub:
        yield hub


def drain_import_quota(client) -> int:
    """Import one finding until the hub answers 429, so the next imports start with an empty bucket."""
    probe = asff_findings(1, start=99_999)
    for calls in range(1, 1000):
        try:
            client.batch_import_findings(Findings=probe)
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "TooManyRequestsException"
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            return calls
    raise AssertionError("the hub never throttled")


def test_unpaced_client_is_throttled_by_the_hub_and_loses_nothing(quota_hub):
    # No client-side pacing on purpose, and the hub's bucket is emptied first: the imports draw 429s.
    client = hub_client(quota_hub.endpoint_url)
    findings = asff_findings(4500)
    settings = SecurityHubSettings(max_in_flight=8, import_quota=UNLIMITED, update_quota=UNLIMITED,
                                   get_quota=UNLIMITED,
                                   retry=RetryPolicy(max_attempts=20, backoff=Backoff(base=0.1, cap=1.0)))
    sink = SecurityHubSink(client, product_arn(), settings)
    assert drain_import_quota(client) > 30  # the burst went through first
    result = sink.publish(findings, [Scope("demo", "main", "bandit", complete=False)])
    assert result.ok, result.failed[:3]
    assert result.sent == result.accepted == 4500
    assert result.throttles > 0
    assert result.requests == 45 + result.throttles
    assert quota_hub.store.count() == 4500 + 1  # and the probe
