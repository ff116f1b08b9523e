"""The local hub's SQLite cost per finding, below the HTTP API: FindingStore as
BatchImportFindings drives it, one transaction per batch of 100.

    python3 benchmarks/hub_store.py [--findings FILE] [--total 100000] [--db PATH]

FILE is a findings file as `secpipe parse` writes it (a JSON array of ASFF findings); its
findings are repeated with distinct Ids up to --total. Without it, generated findings of
about the same size (2 KB of JSON) are used. Prints, per finding, CPU microseconds of:

- `_row` (the row tuple a finding is written as),
- `fetch_by_keys` of each batch (the SELECT of the rows a batch already has): first on new
  keys, then on a re-import of the same findings,
- `upsert` (everything, COMMIT included) and its COMMIT alone, cumulative at every fifth of
  the total (the cost grows with the file), then the re-import's upserts (all updates); and
  after each pass, the checkpoint of what the log still holds (its cost too: SQLite copies
  the log into the file every WAL_CHECKPOINT_BYTES, and the rest when the hub closes),
- and the milliseconds of the queries GetFindings and the console run (first page, count).

Target (issue 13): upsert <= 20 µs per finding at 100,000 findings. Printed, never asserted.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from pipeline import jsonin  # noqa: E402
from pipeline.hub import filters, storage  # noqa: E402
from pipeline.hub.api import HubApi  # noqa: E402
from pipeline.hub.imports import stage  # noqa: E402
from tests.hub.conftest import make_finding  # noqa: E402

BATCH = 100
TARGET_UPSERT_US = 20


def generated(count: int) -> list[dict[str, Any]]:
    """Findings shaped like a SAST tool's: 200 rules, four severities, a resource with details."""
    findings = []
    for n in range(count):
        rule = f"R{n % 200:03d}"
        path = f"src/pkg{n % 40}/module_{n % 997}.py"
        findings.append(make_finding(
            f"bench/{rule}/{n:040x}", GeneratorId=f"bench/{rule}",
            Severity={"Label": ("LOW", "MEDIUM", "HIGH", "CRITICAL")[n % 4], "Original": "x"},
            Title=f"Tainted value reaches sink {rule} in {path}",
            Description="Untrusted input flows into a sensitive call without validation. " * 12,
            ProductFields={"secpipe/tool": "bench", "secpipe/rule": rule, "secpipe/repo": "bench",
                           "secpipe/branch": "main", "secpipe/file": path, "secpipe/line": str(n % 500)},
            Resources=[{"Type": "Other", "Id": f"bench@main:{path}", "Partition": "aws", "Region": "us-east-1",
                        "Details": {"Other": {"path": path, "startLine": str(n % 500), "snippet": "sink(x)"}}}]))
    return findings


def replicated(base: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    return [{**base[n % len(base)], "Id": f"{base[n % len(base)]['Id']}-{n // len(base)}"} for n in range(total)]


def batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


class CommitClock:
    """CPU seconds spent in COMMIT, measured by wrapping the store's transaction exit."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._exit: Callable[..., None] = storage._Transaction.__exit__
        clock = self

        def timed_exit(transaction: Any, kind: Any, value: Any, traceback: Any) -> None:
            started = time.process_time()
            clock._exit(transaction, kind, value, traceback)
            clock.seconds += time.process_time() - started

        storage._Transaction.__exit__ = timed_exit  # type: ignore[method-assign]


def per_finding(seconds: float, count: int) -> str:
    return f"{seconds * 1e6 / count:6.1f}"


def import_pass(store: storage.FindingStore, findings: list[dict[str, Any]], commits: CommitClock,
                label: str) -> None:
    fetch = upsert = 0.0
    committed_before = commits.seconds
    marks: list[str] = []
    done = 0
    fifth = max(len(findings) // 5, BATCH)
    for batch in batches(findings):
        with store.exclusive():
            started = time.process_time()
            existing = store.fetch_by_keys((f["ProductArn"], f["Id"]) for f in batch)
            fetched = time.process_time()
            staged = [stage(dict(f), existing.get((f["ProductArn"], f["Id"])), "2026-12-01T00:00:00.000Z")
                      for f in batch]
            staged_at = time.process_time()
            store.upsert(staged, existing)
            upserted = time.process_time()
        upsert += upserted - staged_at + (time.process_time() - upserted)  # the COMMIT runs on leaving
        fetch += fetched - started
        done += len(batch)
        if done % fifth == 0:
            marks.append(f"{done // 1000}k {upsert * 1e6 / done:.1f}")
    # What the log still holds is copied into the file later (at the latest when the hub closes):
    # a cost of this pass too, which a log big enough for the whole pass would otherwise hide.
    started = time.process_time()
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rest = time.process_time() - started
    print(f"{label}: upsert {per_finding(upsert, done)} (COMMIT {per_finding(commits.seconds - committed_before, done)})"
          f" + checkpoint of the rest of the log {per_finding(rest, done)}  fetch_by_keys {per_finding(fetch, done)}"
          f"   cumulative upsert: {', '.join(marks)}")


def time_rows(findings: list[dict[str, Any]]) -> None:
    staged = [storage.StagedFinding(f, frozenset()) for f in findings]
    started = time.process_time()
    for item in staged:
        storage._row(item)
    print(f"_row: {per_finding(time.process_time() - started, len(staged))}")


QUERIES: dict[str, dict[str, Any]] = {
    "default order (UpdatedAt desc)": {},
    "console default (severity, UpdatedAt)": {
        "Filters": {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]},
        "SortCriteria": [{"Field": "SeverityLabel", "SortOrder": "desc"}, {"Field": "UpdatedAt", "SortOrder": "desc"}]},
    "console CRITICAL only": {
        "Filters": {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
                    "SeverityLabel": [{"Value": "CRITICAL", "Comparison": "EQUALS"}]},
        "SortCriteria": [{"Field": "SeverityLabel", "SortOrder": "desc"}, {"Field": "UpdatedAt", "SortOrder": "desc"}]},
    "GeneratorId EQUALS": "generator",
    "archival scope (repo, branch, tool)": {
        "Filters": {"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
                    "ProductFields": [{"Key": "secpipe/repo", "Value": "bench", "Comparison": "EQUALS"},
                                      {"Key": "secpipe/branch", "Value": "main", "Comparison": "EQUALS"}]}},
    "UpdatedAt older than 1 day": {
        "Filters": {"UpdatedAt": [{"DateRange": {"Value": 1, "Unit": "DAYS", "Comparison": "OLDER_THAN"}}]}},
    "one Id": "id",
}


def time_queries(store: storage.FindingStore, findings: list[dict[str, Any]]) -> None:
    api = HubApi(store)
    for name, shape in QUERIES.items():
        if shape == "generator":
            shape = {"Filters": {"GeneratorId": [{"Value": findings[len(findings) // 2]["GeneratorId"],
                                                  "Comparison": "EQUALS"}]}}
        elif shape == "id":
            shape = {"Filters": {"Id": [{"Value": findings[len(findings) // 2]["Id"], "Comparison": "EQUALS"}]}}
        assert isinstance(shape, dict)
        body = {**shape, "MaxResults": 50}
        api.get_findings(jsonin.loads(jsonin.dumps_compact(body)))  # statistics, caches
        best_page = best_count = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            page = api.get_findings(jsonin.loads(jsonin.dumps_compact(body)))
            paged = time.perf_counter()
            query = filters.build(body.get("Filters") or {}, body.get("SortCriteria") or [])
            store.count(query.where, query.params)
            best_page, best_count = min(best_page, paged - started), min(best_count, time.perf_counter() - paged)
        print(f"  {name:40s} page of {len(page['Findings']):2d}: {best_page * 1e3:7.2f} ms   count: "
              f"{best_count * 1e3:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=Path, help="a findings file (secpipe parse output)")
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="where to write the hub file (default: a temporary folder)")
    args = parser.parse_args()
    base = jsonin.loads(args.findings.read_bytes()) if args.findings else generated(20_000)
    findings = replicated(base, args.total)
    gc.freeze()  # the input is no garbage: collections walking it would be noise in every figure
    time_rows(findings[:20_000])
    commits = CommitClock()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "hub.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        store = storage.FindingStore(path)
        import_pass(store, findings, commits, f"import of {len(findings)} new findings")
        import_pass(store, findings, commits, "re-import of the same findings")
        print(f"file: {os.path.getsize(path) / len(findings):.0f} bytes per finding; queries at {len(findings)}:")
        time_queries(store, findings)
        store.close()
    print(f"target: upsert <= {TARGET_UPSERT_US} µs per finding at 100,000")


if __name__ == "__main__":
    main()
