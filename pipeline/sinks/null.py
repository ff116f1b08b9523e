"""The "none" sink: findings go nowhere (a dry run, or when only reports are wanted)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.sinks.base import PublishResult, Scope, Sink


class NullSink(Sink):
    name = "none"

    def publish(self, findings: Sequence[dict[str, Any]], scopes: list[Scope]) -> PublishResult:
        return PublishResult()
