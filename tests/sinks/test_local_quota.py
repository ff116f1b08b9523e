"""Against the real local hub with its rate limiting on (the code behind --quota)."""
from __future__ import annotations

import pytest

from pipeline.sinks.base import Scope
from pipeline.sinks.pacing import UNLIMITED, Backoff
from pipeline.sinks.retrying import RetryPolicy
from pipeline.sinks.securityhub import SecurityHubSettings, SecurityHubSink
from tests.sinks.builders import asff_findings, product_arn
from tests.sinks.conftest import hub_client

# Slower than Security Hub's 10/s so that even a client slowed down by a busy
# machine sends faster than the hub allows: throttling is certain, not a race.
SLOW_RATE_PER_SECOND, SLOW_BURST = 2, 3


@pytest.fixture
def throttling_hub(tmp_path):
    hub_module = pytest.importorskip("pipeline.hub")
    quota_module = pytest.importorskip("pipeline.hub.quota")
    with hub_module.start_local_hub(tmp_path / "hub.sqlite3", quota=True) as hub:
        slow = quota_module.Rate(SLOW_RATE_PER_SECOND, SLOW_BURST)
        hub.app.quota = quota_module.Quota({"BatchImportFindings": slow, "GetFindings": slow,
                                            "BatchUpdateFindings": slow})
        yield hub


def test_unpaced_client_is_throttled_by_the_hub_and_loses_nothing(throttling_hub):
    # No client-side pacing on purpose: 20 requests, 8 in flight, against 2 req/s with a burst of 3.
    settings = SecurityHubSettings(max_in_flight=8, import_quota=UNLIMITED, update_quota=UNLIMITED,
                                   get_quota=UNLIMITED,
                                   retry=RetryPolicy(max_attempts=40, backoff=Backoff(base=0.1, cap=1.0)))
    findings = asff_findings(2000)
    sink = SecurityHubSink(hub_client(throttling_hub.endpoint_url), product_arn(), settings)
    result = sink.publish(findings, [Scope("demo", "main", "bandit", complete=False)])
    assert result.ok, result.failed[:3]
    assert result.sent == result.accepted == 2000
    assert result.throttles > 0
    assert result.requests == 20 + result.throttles
    assert throttling_hub.store.count() == 2000
