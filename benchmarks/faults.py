"""Publishing under faults: findings sent / accepted / stored / reported failed through a
fault-injecting proxy in front of the local hub, and the time to report a dead hub.

    python3 benchmarks/faults.py [N] [--rate 0.3]     (default 5000 findings, 30% of requests faulted)

The proxy (tests/sinks/fault_proxy.py) injects 500, 503, 429, dropped connections before
and after the hub saw the request, non-JSON 200 replies and partial FailedFindings. The
sink uses its default retry policy with Security Hub's own pacing switched off. Prints
figures; asserts nothing about speed. `lost` is findings neither stored nor reported failed.
"""
from __future__ import annotations

import argparse
import dataclasses
import socket
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from pipeline.hub import start_local_hub  # noqa: E402
from pipeline.sinks.pacing import Backoff, Quota  # noqa: E402
from pipeline.sinks.securityhub import SecurityHubSettings, SecurityHubSink  # noqa: E402
from tests.sinks.builders import asff_findings, product_arn  # noqa: E402
from tests.sinks.conftest import hub_client  # noqa: E402
from tests.sinks.fault_proxy import FAULTS, FaultPlan, FaultProxy  # noqa: E402

UNPACED = Quota(1000.0, 1000)


def _settings(backoff: Backoff) -> SecurityHubSettings:
    defaults = SecurityHubSettings()
    return dataclasses.replace(defaults, import_quota=UNPACED, update_quota=UNPACED, get_quota=UNPACED,
                               retry=dataclasses.replace(defaults.retry, backoff=backoff))


def under_faults(count: int, rate: float) -> None:
    findings = asff_findings(count)
    with tempfile.TemporaryDirectory() as folder, start_local_hub(Path(folder) / "hub.db") as hub, \
            FaultProxy(hub.endpoint_url, FaultPlan(rate, FAULTS, seed=7)) as proxy:
        started = time.perf_counter()
        result = SecurityHubSink(hub_client(proxy.endpoint_url), product_arn(),
                                 _settings(Backoff(0.01, 0.2))).publish(findings, [])
        elapsed = time.perf_counter() - started
        stored = {row[0] for row in hub.store._db.execute("SELECT id FROM findings")}
    failed = {f.id for f in result.failed}
    lost = {f["Id"] for f in findings} - stored - failed
    print(f"fault mix at {rate:.0%} of requests: {dict(sorted(proxy.injected.items()))}")
    print(f"  sent={result.sent} accepted={result.accepted} stored={len(stored)} reported_failed={len(failed)} "
          f"lost={len(lost)} requests={result.requests} in {elapsed:.1f} s")


def dead_hub(count: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    findings = asff_findings(count)
    started = time.perf_counter()
    result = SecurityHubSink(hub_client(f"http://127.0.0.1:{port}"), product_arn(),
                             SecurityHubSettings()).publish(findings, [])
    elapsed = time.perf_counter() - started
    print(f"dead hub (closed port), default retry policy: {len(result.failed)} of {result.sent} reported failed "
          f"after {result.requests} requests in {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=0.3)
    args = parser.parse_args()
    under_faults(args.count, args.rate)
    dead_hub(max(args.count, 20_000))


if __name__ == "__main__":
    main()
