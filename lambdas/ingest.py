"""Lambda handler: a scanner report uploaded to S3 -> findings in Security Hub.

Event: {"bucket", "key", "tool", "repo", "branch", "commit", "build_id", "complete"}
from a CodeBuild stage, or S3's own "Object Created" event (EventBridge or a
bucket notification). Environment: see pipeline/ingest/settings.py. Returns
{"results": [{"status", "sent", "accepted", "failed", "archived", ...}]};
raises when a finding was not accepted, so Lambda retries and then dead-letters.
"""
from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass
from typing import Any

from pipeline import jsonlog
from pipeline.ingest import Ingestor, IngestSettings, open_ingestor
from pipeline.ingest.events import UnsupportedEvent

log = logging.getLogger(__name__)
FALLBACK_LEASE_SECONDS = 900.0  # Lambda's longest timeout, for callers without a context


@dataclass
class Container:
    """What one Lambda container sets up at its cold start and keeps between invocations."""

    ingestor: Ingestor
    log_format: jsonlog.JsonFormatter
    resources: contextlib.ExitStack
    warm: bool = False


@functools.cache
def container() -> Container:
    log_format = jsonlog.configure(service="secpipe-ingest")
    resources = contextlib.ExitStack()
    ingestor = resources.enter_context(open_ingestor(IngestSettings.from_environment()))
    return Container(ingestor, log_format, resources)


def handler(event: Any, context: Any) -> dict[str, Any]:
    state = container()
    state.log_format.bind(function_request_id=getattr(context, "aws_request_id", None), cold_start=not state.warm)
    state.warm = True
    try:
        results = state.ingestor.ingest(event, _lease_seconds(context))
    except UnsupportedEvent as exc:  # a retry would bring the same event: log it, do not raise
        log.error("unsupported event", extra={"error": str(exc)})
        return {"results": [], "error": str(exc)}
    except Exception:
        log.exception("ingest failed; raising so Lambda retries")
        raise
    finally:
        state.log_format.clear()
    return {"results": [result.as_dict() for result in results]}


def _lease_seconds(context: Any) -> float:
    """Hold the idempotency record as long as this invocation may still run."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000.0 if callable(remaining) else FALLBACK_LEASE_SECONDS
