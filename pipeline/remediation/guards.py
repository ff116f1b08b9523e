"""The engine's brakes: a rate limit per (account, region), a loop guard, and the state behind them.

- `RateLimiter`: at most `limit` remediations start per (account, region) in any
  `window` seconds (a sliding window, so the peak rate seen can never pass the limit).
- `LoopGuard`: when a control flips back to FAILED, Security Hub resets Workflow to NEW
  and the finding comes again. Every verified fix is remembered; a resource that needs
  fixing again after `threshold` fixes within `window` is escalated to a person instead.
- `ControlBreaker`: a control whose remediations keep failing in this run is stopped,
  so one broken playbook or missing permission cannot fail a whole fleet.
- `StateStore`: the idempotency claim per (account, region, control, resource), so two
  findings for one resource (a CIS and a best-practice finding) never run at once, and
  the fix history of the loop guard. SQLite for the CLI, DynamoDB for the Lambdas.
"""
from __future__ import annotations

import collections
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.remediation.playbook import Target

DEFAULT_RATE_LIMIT = 5  # remediations started per account and region ...
DEFAULT_RATE_WINDOW = 1.0  # ... per this many seconds
DEFAULT_LOOP_THRESHOLD = 3  # re-breaks ...
DEFAULT_LOOP_WINDOW = 24 * 3600.0  # ... within this many seconds escalate
DEFAULT_BREAKER_FAILURES = 5  # failures of one control in a run before ...
DEFAULT_BREAKER_RATIO = 0.5  # ... a failure ratio above this stops it
DEFAULT_CLAIM_SECONDS = 900.0  # a claim left by a crashed run expires (a Lambda's longest run)


def state_key(target: Target) -> str:
    """The idempotency key: (account, region, control, resource)."""
    return "|".join((target.account, target.region, target.control_id, target.resource_id))


class RateLimiter:
    def __init__(self, limit: int = DEFAULT_RATE_LIMIT, window: float = DEFAULT_RATE_WINDOW,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._starts: dict[tuple[str, str], collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def acquire(self, account: str, region: str) -> float:
        """Blocks until one more start fits in the window of (account, region); returns the start time."""
        key = (account, region)
        while True:
            with self._lock:
                now = self._clock()
                starts = self._starts[key]
                while starts and starts[0] <= now - self.window:
                    starts.popleft()
                if len(starts) < self.limit:
                    starts.append(now)
                    return now
                wait = starts[0] + self.window - now
            self._sleep(max(wait, 1e-4))


class ControlBreaker:
    """Counts outcomes per control; open (stop) once failures >= min_failures and failures/attempts > ratio."""

    def __init__(self, min_failures: int = DEFAULT_BREAKER_FAILURES, ratio: float = DEFAULT_BREAKER_RATIO):
        self.min_failures = min_failures
        self.ratio = ratio
        self._counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])  # control -> [attempts, failures]
        self._lock = threading.Lock()

    def record(self, control_id: str, failed: bool) -> None:
        with self._lock:
            counts = self._counts[control_id]
            counts[0] += 1
            counts[1] += int(failed)

    def stopped(self, control_id: str) -> str:
        """Why the control is stopped, or "" while it may run."""
        with self._lock:
            attempts, failures = self._counts.get(control_id, (0, 0))
        if failures >= self.min_failures and failures > attempts * self.ratio:
            return f"stopped: {control_id} failed {failures} of {attempts} remediations in this run"
        return ""


class StateStore(ABC):
    """Claims and fix history per idempotency key (see `state_key`). Times are epoch seconds."""

    @abstractmethod
    def claim(self, key: str, now: float, hold_seconds: float = DEFAULT_CLAIM_SECONDS) -> bool:
        """Take the key unless another run holds an unexpired claim on it."""

    @abstractmethod
    def release(self, key: str) -> None: ...

    @abstractmethod
    def fixes_since(self, key: str, since: float) -> list[float]:
        """When the resource was fixed (verified) at or after `since`, oldest first."""

    @abstractmethod
    def record_fix(self, key: str, when: float) -> None: ...


@dataclass(frozen=True)
class LoopGuard:
    threshold: int = DEFAULT_LOOP_THRESHOLD
    window: float = DEFAULT_LOOP_WINDOW

    def rebreaks(self, store: StateStore, key: str, now: float) -> int:
        """Each earlier fix in the window that is broken again now counts as one re-break."""
        return len(store.fixes_since(key, now - self.window))

    def escalates(self, rebreaks: int) -> bool:
        return rebreaks >= self.threshold

    @property
    def window_text(self) -> str:
        hours = self.window / 3600
        return f"{hours:g}h" if hours >= 1 else f"{self.window:g}s"


class SQLiteStateStore(StateStore):
    """One file, shared safely by concurrent CLI runs and the threads of one run."""

    def __init__(self, path: Path | str):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, until REAL NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS fixes (key TEXT NOT NULL, at REAL NOT NULL)")
            self._db.execute("CREATE INDEX IF NOT EXISTS fixes_by_key ON fixes (key, at)")

    def claim(self, key: str, now: float, hold_seconds: float = DEFAULT_CLAIM_SECONDS) -> bool:
        with self._lock:
            # One statement, so two processes cannot both see the key free.
            cursor = self._db.execute(
                "INSERT INTO claims (key, until) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET until = excluded.until WHERE claims.until <= ?",
                (key, now + hold_seconds, now))
            return cursor.rowcount == 1

    def release(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM claims WHERE key = ?", (key,))

    def fixes_since(self, key: str, since: float) -> list[float]:
        with self._lock:
            rows = self._db.execute("SELECT at FROM fixes WHERE key = ? AND at >= ? ORDER BY at", (key, since))
            return [at for (at,) in rows]

    def record_fix(self, key: str, when: float) -> None:
        with self._lock:
            self._db.execute("INSERT INTO fixes (key, at) VALUES (?, ?)", (key, when))

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class DynamoDBStateStore(StateStore):
    """Table with partition key `pk` (S); items expire through the TTL attribute `expires_at`.

    Item: pk = state_key, claim_until (N, while a run holds it), fixes (L of N), expires_at (N).
    """

    table_name: str
    client: Any  # boto3 dynamodb client
    history_seconds: float = DEFAULT_LOOP_WINDOW  # how long an item must outlive its last fix
    _conditional_failed: type[Exception] = field(init=False)

    def __post_init__(self) -> None:
        self._conditional_failed = self.client.exceptions.ConditionalCheckFailedException

    def claim(self, key: str, now: float, hold_seconds: float = DEFAULT_CLAIM_SECONDS) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name, Key={"pk": {"S": key}},
                UpdateExpression="SET claim_until = :until, expires_at = if_not_exists(expires_at, :expires)",
                ConditionExpression="attribute_not_exists(claim_until) OR claim_until <= :now",
                ExpressionAttributeValues={":until": _number(now + hold_seconds), ":now": _number(now),
                                           ":expires": _number(now + hold_seconds + self.history_seconds)})
        except self._conditional_failed:
            return False
        return True

    def release(self, key: str) -> None:
        self.client.update_item(TableName=self.table_name, Key={"pk": {"S": key}}, UpdateExpression="REMOVE claim_until")

    def fixes_since(self, key: str, since: float) -> list[float]:
        item = self.client.get_item(TableName=self.table_name, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")
        times = [float(value["N"]) for value in (item or {}).get("fixes", {}).get("L", [])]
        return sorted(t for t in times if t >= since)

    def record_fix(self, key: str, when: float) -> None:
        self.client.update_item(
            TableName=self.table_name, Key={"pk": {"S": key}},
            UpdateExpression="SET fixes = list_append(if_not_exists(fixes, :empty), :one), expires_at = :expires",
            ExpressionAttributeValues={":empty": {"L": []}, ":one": {"L": [_number(when)]},
                                       ":expires": _number(when + self.history_seconds)})


def _number(value: float) -> dict[str, str]:
    return {"N": repr(round(value, 6))}
