"""One JSON object per log line, for CloudWatch Logs Insights (Lambda handlers).

Follows the Powertools for AWS Lambda conventions without depending on it:
keys level, location, message, timestamp, service, plus `extra=` fields and
whatever the handler binds for the invocation (function_request_id,
cold_start). Service and level come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_LOG_LEVEL / LOG_LEVEL, as there.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import IO, Any

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_INSTALLED = "_secpipe_json_handler"
_CORE_KEYS = frozenset({"level", "location", "message", "timestamp", "service"})


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service
        self._bound: dict[str, Any] = {}

    def bind(self, **fields: Any) -> None:
        """Fields added to every line until clear() (one invocation's request id, say)."""
        self._bound.update(fields)

    def clear(self) -> None:
        self._bound.clear()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "location": f"{record.name}.{record.funcName}:{record.lineno}",
            "message": record.getMessage(),
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "service": self.service,
            **self._bound,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES:
                # An `extra` named like a core key (location, say) is kept beside it, not over it.
                entry[f"extra_{key}" if key in _CORE_KEYS else key] = value
        if record.exc_info:
            entry["exception_name"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(service: str | None = None, level: str | None = None,
              loggers: Iterable[str] = ("pipeline", "parsers", "lambdas"), stream: IO[str] | None = None,
              env: Mapping[str, str] | None = None) -> JsonFormatter:
    """Send these loggers' records to `stream` (stdout) as JSON lines, and only there.

    They stop propagating to the root logger, where the Lambda runtime's own
    handler would print each record a second time in its text format.
    """
    env = os.environ if env is None else env
    formatter = JsonFormatter(service or env.get("POWERTOOLS_SERVICE_NAME") or "secpipe")
    level_name = (level or env.get("POWERTOOLS_LOG_LEVEL") or env.get("LOG_LEVEL") or "INFO").upper()
    numeric = logging.getLevelName(level_name)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    setattr(handler, _INSTALLED, True)
    for name in loggers:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, _INSTALLED, False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(numeric if isinstance(numeric, int) else logging.INFO)
        logger.propagate = False
    return formatter
