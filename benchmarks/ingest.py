"""The ingest Lambda on a large report: S3 (moto, in-process) -> handler -> local hub.

    python3 benchmarks/ingest.py [--findings 20000] [--quota] [--incomplete]

Builds a bandit report by repeating the real fixture's results over many
files, uploads it the way a CodeBuild stage does (pipeline.archive), invokes
lambdas.ingest.handler with an explicit event, then delivers the same event
again. Prints the report size, findings/s of the first delivery, the time of
the redelivery (idempotency: no import), and the process's peak RSS.
A complete run also pages through the scope's active findings (GetFindings,
3 requests/s with --quota) to find stale ones; --incomplete skips that.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from lambdas import ingest as ingest_lambda  # noqa: E402
from pipeline.archive import ReportRef, S3Archive  # noqa: E402
from pipeline.hub import start_local_hub  # noqa: E402

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real" / "bandit.json"
REGION, BUCKET, TABLE = "us-east-1", "bench-reports", "bench-idempotency"


def big_report(count: int) -> bytes:
    report = json.loads(FIXTURE.read_bytes())
    samples = report["results"]
    results = []
    for index in range(count):
        result = dict(samples[index % len(samples)])
        result["filename"] = f"src/module_{index // len(samples)}.py"
        results.append(result)
    report["results"] = results
    return json.dumps(report).encode()


class Context:
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--quota", action="store_true", help="local hub emulates the Security Hub rate limits")
    parser.add_argument("--incomplete", action="store_true", help="send complete=false: import only, no archival")
    args = parser.parse_args()
    data = big_report(args.findings)
    os.environ.update(AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, SECPIPE_IDEMPOTENCY_TABLE=TABLE,
                      LOG_LEVEL="WARNING")
    with tempfile.TemporaryDirectory() as scratch, \
            start_local_hub(Path(scratch) / "hub.sqlite3", host="127.0.0.1", port=0, quota=args.quota) as hub, \
            mock_aws():
        os.environ["SECPIPE_SECURITYHUB_ENDPOINT"] = hub.endpoint_url
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        key = S3Archive(s3, BUCKET).store(ReportRef("bench", "main", "b-1", "bandit", "bandit.json"), data).key
        event = {"bucket": BUCKET, "key": key, "complete": not args.incomplete}

        started = time.perf_counter()
        [first] = ingest_lambda.handler(event, Context())["results"]
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        [again] = ingest_lambda.handler(event, Context())["results"]
        redelivery = time.perf_counter() - started

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report: {len(data) / 1e6:.1f} MB, {args.findings} results, quota={'on' if args.quota else 'off'}, "
          f"complete={not args.incomplete}")
    print(f"first delivery: {first['status']} sent={first['sent']} accepted={first['accepted']} "
          f"failed={first['failed']} in {elapsed:.1f}s = {first['accepted'] / elapsed:,.0f} findings/s")
    print(f"redelivery: {again['status']} in {redelivery * 1000:.0f} ms")
    print(f"peak RSS: {peak_mib:.0f} MiB")
    return 0 if first["failed"] == 0 and first["accepted"] == first["sent"] == args.findings else 1


if __name__ == "__main__":
    sys.exit(main())
