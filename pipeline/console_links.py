"""AWS console URLs for people: the host depends on the partition, never hard-coded to one.

Commercial regions use https://{region}.console.aws.amazon.com; China and GovCloud
have their own console hosts and take the region as a query parameter only.
"""
from __future__ import annotations

from urllib.parse import quote

from pipeline.context import ScanContext

_CONSOLE_HOSTS = {
    "aws": "https://{region}.console.aws.amazon.com",
    "aws-cn": "https://console.amazonaws.cn",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
}


def console_base(region: str, partition: str) -> str:
    try:
        template = _CONSOLE_HOSTS[partition]
    except KeyError:
        raise ValueError(f"unknown AWS partition {partition!r}; known: {', '.join(_CONSOLE_HOSTS)}") from None
    return template.format(region=quote(region, safe=""))


def securityhub_findings_url(context: ScanContext) -> str:
    region = quote(context.region, safe="")
    return f"{console_base(context.region, context.partition)}/securityhub/home?region={region}#/findings"

