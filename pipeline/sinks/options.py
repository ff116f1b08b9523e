"""The --hub/--endpoint-url/... options shared by `publish`, `findings` and `scan`."""
from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.sinks import registry
from pipeline.sinks.connection import HubOptions


def add_hub_arguments(parser: argparse.ArgumentParser, allow_none: bool = True) -> None:
    choices = registry.names() if allow_none else registry.HUBS.names()
    parser.add_argument("--hub", choices=choices, default=registry.DEFAULT_HUB,
                        help="where findings live: 'local' (the SQLite hub, started in-process unless --endpoint-url "
                             "is given), 'securityhub' (AWS, account from STS)"
                             + (", 'none' (publish nothing)" if allow_none else "") + "; default: local")
    parser.add_argument("--endpoint-url", help="hub URL to use instead (a running `secpipe hub serve`, or an AWS "
                                               "endpoint override)")
    parser.add_argument("--db", type=Path, help="local hub database (default: under the user's data directory, "
                                                "or SECPIPE_HUB_DB)")
    parser.add_argument("--region", help="AWS region (default: the session's / AWS_REGION)")
    parser.add_argument("--profile", help="AWS profile for --hub securityhub")


def hub_options(args: argparse.Namespace, product_arn: str | None = None, quota: bool = False) -> HubOptions:
    return HubOptions(endpoint_url=args.endpoint_url, region=args.region, profile=args.profile, db_path=args.db,
                      product_arn=product_arn, quota=quota)
