"""GetFindings paging and the filters secpipe uses, in one place."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.sinks.pacing import TokenBucket
from pipeline.sinks.retrying import CallStats, RetryPolicy, call_with_retry

PAGE_SIZE = 100


def equals(value: str) -> list[dict[str, str]]:
    return [{"Value": value, "Comparison": "EQUALS"}]


def product_field_equals(fields: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value, "Comparison": "EQUALS"} for key, value in fields.items()]


def has_product_fields(finding: dict[str, Any], fields: dict[str, str]) -> bool:
    """Client-side re-check of a map filter, in case a hub matched more loosely than asked."""
    actual = finding.get("ProductFields") or {}
    return all(actual.get(key) == value for key, value in fields.items())


def iterate_findings(client: Any, bucket: TokenBucket, stats: CallStats, policy: RetryPolicy,
                     filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every finding matching `filters`, following NextToken to the last page."""
    token: str | None = None
    seen_tokens: set[str] = set()
    while True:
        kwargs: dict[str, Any] = {"Filters": filters, "MaxResults": PAGE_SIZE}
        if token:
            kwargs["NextToken"] = token
        page = call_with_retry(policy, bucket, stats, client.get_findings, **kwargs)
        yield from page.get("Findings") or []
        token = page.get("NextToken") or None
        if not token:
            return
        if token in seen_tokens:  # a hub that hands back the same page forever
            raise RuntimeError("GetFindings returned a NextToken it had already returned")
        seen_tokens.add(token)
