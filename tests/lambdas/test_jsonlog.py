"""JSON log lines: one object per line, extra fields and bound invocation fields included."""
from __future__ import annotations

import io
import json
import logging

from pipeline import jsonlog


def test_lines_are_json_with_extra_and_bound_fields(restore_logging):
    stream = io.StringIO()
    formatter = jsonlog.configure(service="svc", stream=stream, env={})
    formatter.bind(function_request_id="r-1", cold_start=True)
    logging.getLogger("pipeline.ingest.test").info("hello %s", "world", extra={"s3_object": "s3://b/k", "sent": 3})
    formatter.clear()
    logging.getLogger("pipeline.ingest.test").debug("not at INFO")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("lambdas.x").exception("failed")

    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert first["message"] == "hello world" and first["level"] == "INFO" and first["service"] == "svc"
    assert (first["s3_object"], first["sent"], first["function_request_id"], first["cold_start"]) == \
        ("s3://b/k", 3, "r-1", True)
    assert first["timestamp"].endswith("+00:00")
    assert "function_request_id" not in second
    assert second["exception_name"] == "ValueError" and "boom" in second["exception"]


def test_configure_twice_keeps_one_handler_and_honours_log_level(restore_logging):
    stream = io.StringIO()
    jsonlog.configure(stream=io.StringIO(), env={})
    jsonlog.configure(stream=stream, env={"LOG_LEVEL": "debug"})
    logging.getLogger("parsers.anything").debug("visible")
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["visible"]
    assert len([h for h in logging.getLogger("parsers").handlers if getattr(h, "_secpipe_json_handler", False)]) == 1


def test_extra_fields_never_replace_the_core_keys(restore_logging):
    stream = io.StringIO()
    jsonlog.configure(service="svc", stream=stream, env={})
    logging.getLogger("pipeline.x").warning("w", extra={"location": "s3://b/k", "service": "other"})
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["location"].startswith("pipeline.x.") and line["service"] == "svc"
    assert (line["extra_location"], line["extra_service"]) == ("s3://b/k", "other")
