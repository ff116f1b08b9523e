from __future__ import annotations

import pytest

from pipeline.aws import SINGLE_ATTEMPT, AwsSettings, make_client, make_session
from pipeline.sinks.pacing import Backoff, Quota
from pipeline.sinks.retrying import RetryPolicy
from pipeline.sinks.securityhub import SecurityHubSettings
from tests.sinks.builders import REGION
from tests.sinks.fakes import FakeSecurityHub

# Fast pacing and tiny backoff: tests check behaviour, not speed.
FAST = SecurityHubSettings(max_in_flight=4, import_quota=Quota(1000.0, 1000), update_quota=Quota(1000.0, 1000),
                           get_quota=Quota(1000.0, 1000), retry=RetryPolicy(max_attempts=8, backoff=Backoff(0.001, 0.01)))


def hub_client(endpoint_url: str):
    session = make_session(AwsSettings(region=REGION, loopback_credentials=True))
    return make_client(session, "securityhub", endpoint_url=endpoint_url, retries=SINGLE_ATTEMPT,
                       max_pool_connections=8)


@pytest.fixture
def fake_hub():
    with FakeSecurityHub() as hub:
        yield hub


def _local_hub_factory():
    try:
        from pipeline.hub import start_local_hub
    except ImportError:
        return None
    return start_local_hub


@pytest.fixture(params=["fake", "local"])
def hub_endpoint(request, tmp_path):
    """The same scenario against the fake and against the real local hub (boto3 either way)."""
    if request.param == "fake":
        with FakeSecurityHub() as hub:
            yield hub.endpoint_url
        return
    start_local_hub = _local_hub_factory()
    if start_local_hub is None:
        pytest.skip("pipeline.hub.start_local_hub is not available yet")
    with start_local_hub(tmp_path / "hub.sqlite3") as hub:
        yield hub.endpoint_url
