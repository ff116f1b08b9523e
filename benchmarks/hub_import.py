"""Local hub throughput: N findings through BatchImportFindings (batches of 100, no quota),
a re-import of all of them (upserts), then the archival-style scope query paged through GetFindings.

    python3 benchmarks/hub_import.py [N] [--in-process]     (default 50000, hub in its own process)

By default the hub runs as `secpipe hub serve` in a separate process and boto3 talks to it
over HTTP, so the figures are the server's and not shared with the client's botocore work
under one GIL; --in-process measures start_local_hub as `secpipe publish` uses it (calls
straight to the hub's API, pipeline.hub.direct_client). Prints figures; asserts nothing
about speed (target: import >= 1,000 findings/s).
"""
from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from pipeline.hub import start_local_hub  # noqa: E402
from pipeline.hub.direct_client import DirectHubClient  # noqa: E402
from tests.hub.conftest import make_finding  # noqa: E402

REPOS = ("shop", "blog", "tools", "infra")


def finding(i: int) -> dict:
    return make_finding(f"bench-{i:06d}", Severity={"Label": ("LOW", "MEDIUM", "HIGH", "CRITICAL")[i % 4]},
                        ProductFields={"secpipe/tool": ("bandit", "semgrep", "trivy")[i % 3],
                                       "secpipe/repo": REPOS[i % 4], "secpipe/branch": "main",
                                       "secpipe/rule": f"R{i % 50}", "secpipe/file": f"src/m{i % 997}.py"})


def import_all(client, total: int) -> tuple[float, int]:
    started = time.perf_counter()
    accepted = 0
    for start in range(0, total, 100):
        result = client.batch_import_findings(Findings=[finding(i) for i in range(start, min(start + 100, total))])
        accepted += result["SuccessCount"]
    return time.perf_counter() - started, accepted


@contextlib.contextmanager
def hub_client(db: Path, in_process: bool) -> Iterator[Any]:
    if in_process:
        with start_local_hub(db) as hub:
            yield DirectHubClient(hub.app)
        return
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "hub", "serve", "--port", "0", "--db", str(db)],
                               stdout=subprocess.PIPE, text=True, cwd=PROJECT)
    try:
        assert process.stdout is not None
        said = re.search(r"at (http://[\d.]+:\d+)", process.stdout.readline())
        if said is None:
            raise SystemExit("secpipe hub serve did not say where it listens")
        yield boto3.client("securityhub", endpoint_url=said.group(1), region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    total = int(numbers[0]) if numbers else 50_000
    in_process = "--in-process" in sys.argv
    print(f"hub {'in this process' if in_process else 'in its own process'}, {total} findings")
    with tempfile.TemporaryDirectory() as folder, hub_client(Path(folder) / "bench.sqlite3", in_process) as client:
        seconds, accepted = import_all(client, total)
        print(f"import:   {accepted} findings in {seconds:.1f} s = {accepted / seconds:,.0f} findings/s")
        seconds, accepted = import_all(client, total)
        print(f"reimport: {accepted} findings in {seconds:.1f} s = {accepted / seconds:,.0f} findings/s (upserts)")
        started = time.perf_counter()
        pages = seen = 0
        kwargs = {"MaxResults": 100, "Filters": {
            "ProductFields": [{"Key": "secpipe/repo", "Value": "shop", "Comparison": "EQUALS"},
                              {"Key": "secpipe/tool", "Value": "trivy", "Comparison": "EQUALS"}],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}}
        while True:
            page = client.get_findings(**kwargs)
            pages += 1
            seen += len(page["Findings"])
            if "NextToken" not in page:
                break
            kwargs["NextToken"] = page["NextToken"]
        seconds = time.perf_counter() - started
        print(f"scope query: {seen} findings in {pages} pages, {seconds:.1f} s = {pages / seconds:.1f} pages/s")
        # The write-ahead log too: until the hub closes, the latest pages are there.
        files = [Path(folder) / name for name in ("bench.sqlite3", "bench.sqlite3-wal")]
        print(f"database: {sum(f.stat().st_size for f in files if f.exists()) / 1e6:.1f} MB (with its log)")


if __name__ == "__main__":
    main()
