"""How an ingest ends when it does not end well.

A RejectedReport is permanent (the object is not a report we can read, or is
too large): the Lambda logs it, records it and returns, because retrying the
same bytes would fail the same way. Everything else is raised, so Lambda's
retries and the dead-letter queue / on-failure destination see it.
"""
from __future__ import annotations

from pipeline.errors import SecpipeError
from pipeline.sinks.base import FailedFinding
from pipeline.sinks.retrying import HubError

_NAMED = 20  # failed findings named in one message; the count covers the rest


class RejectedReport(SecpipeError):
    """This object can never be ingested as it is; the message names its S3 location."""

    def __init__(self, location: str, problem: str):
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")


class IdempotencyStoreError(HubError):
    """The idempotency table could not be read or written: retry."""


class IngestInProgress(HubError):
    """Another invocation holds this object right now; retry later."""


class FindingsNotAccepted(HubError):
    """Some findings were not accepted by Security Hub (or not suppressed); retry the object."""

    def __init__(self, location: str, failed: list[FailedFinding], unsuppressed: list[FailedFinding]):
        self.location = location
        self.failed = failed
        self.unsuppressed = unsuppressed
        named = [f"{f.id} ({f.error_code}: {f.error_message})" for f in failed][:_NAMED]
        named += [f"{f.id} (not suppressed, {f.error_code}: {f.error_message})"
                  for f in unsuppressed][:_NAMED - len(named)]
        total = len(failed) + len(unsuppressed)
        more = f" and {total - len(named)} more" if total > len(named) else ""
        super().__init__(f"{location}: {total} finding(s) not accepted: {'; '.join(named)}{more}")
