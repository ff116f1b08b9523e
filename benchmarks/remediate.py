"""`secpipe remediate run` on 1,000 CIS findings across 20 member accounts.

    python3 benchmarks/remediate.py [--findings 1000] [--accounts 20]

Real processes: moto_server holds the member accounts (reached by assume_role), `secpipe
hub serve --quota` is the hub (Security Hub's 10 BatchUpdateFindings requests/s, burst 30),
and the CLI runs as a user runs it. Each account has open S3 buckets; every bucket has an
S3.8 finding (bucket Block Public Access) and an S3.5 finding (TLS-only policy), in the
consolidated, CIS 1.4.0 and CIS 3.0.0 shapes in turn. (Buckets, not KMS keys: moto takes
~0.3 s to create a key, which would make the set-up the longest part.) Prints:
- findings/s over the whole run, and when fixing ended vs when the last outcome was written
  (the write-back runs alongside and is bound by the hub's 10 requests/s: one per note);
- updates lost: findings whose outcome is not in the hub afterwards (must be 0);
- buckets not fixed afterwards, read back from moto (must be 0);
- the highest number of remediations started per account and region in any rate window,
  read from the run records, against the engine's limit (must not exceed it).
"""
from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.remediation.guards import DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW  # noqa: E402
from pipeline.remediation.outcome import WORKFLOW_FOR, OutcomeKind  # noqa: E402
from tests.remediation.findings import cis_standard, consolidated  # noqa: E402
from tests.remediation.servers import cli_environment, hub_client, hub_server, member_session, moto_server  # noqa: E402

# control -> the CIS numbers its standard findings carry, per version
S3_CONTROLS = {"S3.8": {"1.4.0": "2.1.5.2", "3.0.0": "2.1.4"}, "S3.5": {"1.4.0": "2.1.2", "3.0.0": "2.1.1"}}


def finding_for(control: str, bucket: str, account: str, turn: int) -> dict:
    arn = f"arn:aws:s3:::{bucket}"
    if turn % 3 == 0:
        return consolidated(control, arn, "AwsS3Bucket", account=account)
    version = "1.4.0" if turn % 3 == 1 else "3.0.0"
    return cis_standard(version, S3_CONTROLS[control][version], arn, "AwsS3Bucket", account=account)


def accounts(count: int) -> list[str]:
    return [f"{200000000000 + n}" for n in range(count)]


def make_buckets(moto_url: str, account: str, count: int) -> list[tuple[str, str]]:
    s3 = member_session(moto_url, account).client("s3", endpoint_url=moto_url)
    names = [f"bench-{account}-{n}" for n in range(count)]
    for name in names:
        s3.create_bucket(Bucket=name)
    return [(account, name) for name in names]


def unfixed(moto_url: str, buckets: list[tuple[str, str]]) -> int:
    clients = {}
    broken = 0
    for account, name in buckets:
        s3 = clients.get(account) or clients.setdefault(
            account, member_session(moto_url, account).client("s3", endpoint_url=moto_url))
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        policy = s3.get_bucket_policy(Bucket=name)["Policy"]
        broken += not (all(block.values()) and "aws:SecureTransport" in policy)
    return broken


def import_findings(hub_url: str, findings: list[dict]) -> None:
    client = hub_client(hub_url)
    for start in range(0, len(findings), 100):
        while True:  # the hub's quota applies to imports too
            try:
                reply = client.batch_import_findings(Findings=findings[start:start + 100])
                break
            except client.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "TooManyRequestsException":
                    raise
                time.sleep(0.5)
        if reply["FailedCount"]:
            raise SystemExit(f"the hub refused {reply['FailedCount']} benchmark findings: {reply['FailedFindings'][:1]}")


def stored_findings(hub_url: str) -> dict[str, dict]:
    client = hub_client(hub_url)
    found, token = {}, None
    while True:
        kwargs = {"MaxResults": 100, **({"NextToken": token} if token else {})}
        try:
            reply = client.get_findings(**kwargs)
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TooManyRequestsException":
                raise
            time.sleep(0.5)
            continue
        found.update({f["Id"]: f for f in reply["Findings"]})
        token = reply.get("NextToken")
        if not token:
            return found


def peak_starts(records_dir: Path, window: float) -> tuple[int, int]:
    """(records read, the most starts of one account+region inside any window of `window` seconds)."""
    starts: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    count = 0
    for path in records_dir.glob("*.json"):
        record = json.loads(path.read_text())
        starts[(record["target"]["account"], record["target"]["region"])].append(
            datetime.fromisoformat(record["started"]).timestamp())
        count += 1
    peak = 0
    for times in starts.values():
        times.sort()
        low = 0
        for high, moment in enumerate(times):
            while moment - times[low] >= window:
                low += 1
            peak = max(peak, high - low + 1)
    return count, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=20)
    args = parser.parse_args()
    members = accounts(args.accounts)
    per_account = -(-args.findings // len(members))
    with tempfile.TemporaryDirectory(prefix="secpipe-bench-remediate-") as folder, \
            moto_server() as moto_url, hub_server(Path(folder) / "hub.sqlite3", quota=True) as hub_url:
        setup = time.perf_counter()
        per_bucket = len(S3_CONTROLS)
        with ThreadPoolExecutor(max_workers=4) as pool:
            buckets = [b for batch in pool.map(lambda a: make_buckets(moto_url, a, -(-per_account // per_bucket)),
                                               members) for b in batch]
        findings = []
        for turn, (account, bucket) in enumerate(buckets):
            findings.extend(finding_for(control, bucket, account, turn) for control in S3_CONTROLS)
        findings = findings[:args.findings]
        import_findings(hub_url, findings)
        file = Path(folder) / "findings.json"
        file.write_text(json.dumps(findings))
        print(f"setup: {len(buckets)} open buckets in {len(members)} accounts on moto, {len(findings)} findings "
              f"in the hub ({time.perf_counter() - setup:.1f} s)")

        records = Path(folder) / "records"
        command = [sys.executable, "-m", "pipeline.cli", "remediate", "run", str(file), "--json",
                   "--endpoint-url", hub_url, "--records", str(records)]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=cli_environment(moto_url), cwd=folder)
        lines = []
        assert process.stdout is not None
        for line in process.stdout:  # the JSON array is printed when fixing ends; the write-back may still run
            lines.append(line)
            if line.rstrip() == "]":
                break
        fixed = time.perf_counter() - started
        rest, errors = process.communicate(timeout=600)
        elapsed = time.perf_counter() - started
        rows = json.loads("".join(lines) + rest)
        if process.returncode != 0:
            print(f"remediate run exited {process.returncode}: {errors.strip()}")

        outcomes = collections.Counter(row["outcome"] for row in rows)
        stored = stored_findings(hub_url)
        lost = 0
        for row in rows:
            expected = WORKFLOW_FOR[OutcomeKind(row["outcome"])]
            finding = stored.get(row["finding_id"], {})
            if (finding.get("Workflow") or {}).get("Status") != expected or "Note" not in finding:
                lost += 1
        not_fixed = unfixed(moto_url, buckets)
        record_count, peak = peak_starts(records, DEFAULT_RATE_WINDOW)

    print(f"findings: {len(rows)} across {len(members)} accounts; outcomes: {dict(outcomes)}")
    print(f"remediate run: {elapsed:.1f} s = {len(rows) / elapsed:.1f} findings/s "
          f"(all fixed and verified after {fixed:.1f} s = {len(rows) / fixed:.1f} findings/s; the last outcome "
          f"written {elapsed - fixed:.1f} s later, under the hub's 10 BatchUpdateFindings/s)")
    print(f"updates lost: {lost}; buckets not fixed afterwards: {not_fixed}; run records: {record_count}")
    print(f"highest per-account rate: {peak} remediations started in {DEFAULT_RATE_WINDOW:g} s per account+region "
          f"(limit {DEFAULT_RATE_LIMIT}) -> {'ok' if peak <= DEFAULT_RATE_LIMIT else 'OVER THE LIMIT'}")
    return 0 if process.returncode == 0 and lost == 0 and not_fixed == 0 and peak <= DEFAULT_RATE_LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
