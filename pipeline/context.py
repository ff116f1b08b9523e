"""Where and when a scan runs: everything ASFF needs that is not in a report.

Values come from arguments, the environment (CodeBuild sets CODEBUILD_* variables)
or STS; nothing is hard-coded, the partition included.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

LOCAL_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ScanContext:
    account: str = LOCAL_ACCOUNT
    region: str = DEFAULT_REGION
    partition: str = "aws"
    repo: str = "local"
    branch: str = "main"
    commit: str | None = None
    build_id: str | None = None
    product_arn: str | None = None  # None: the account's default product
    now: datetime = field(default_factory=utc_now)

    @property
    def default_product_arn(self) -> str:
        return f"arn:{self.partition}:securityhub:{self.region}:{self.account}:product/{self.account}/default"

    @property
    def effective_product_arn(self) -> str:
        return self.product_arn or self.default_product_arn

    def with_overrides(self, **values: str | None) -> ScanContext:
        """Replace only the values that were actually given.

        A new region brings its partition (cn-* -> aws-cn, ...) unless the partition
        is given too: this is the one place every command gets it from.
        """
        given: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        if "region" in given and "partition" not in given:
            given["partition"] = partition_for_region(given["region"])
        return replace(self, **given)


def context_for_product(context: ScanContext, product_arn: str) -> ScanContext:
    """The context of findings sent to this product: its partition, region and account.

    With the default product (`arn:P:securityhub:R:A:product/A/default`) the
    findings must carry the calling account, so STS's answer wins over any default.
    """
    parts = product_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return context
    return replace(context, partition=parts[1] or context.partition, region=parts[3] or context.region,
                   account=parts[4] or context.account, product_arn=product_arn)


def partition_for_region(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def context_from_environment(env: dict[str, str] | None = None) -> ScanContext:
    """Read what CodeBuild (or the developer) put in the environment."""
    env = dict(os.environ) if env is None else env
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    repo = env.get("SECPIPE_REPO") or _repo_from_codebuild(env.get("CODEBUILD_SOURCE_REPO_URL")) or "local"
    branch = env.get("SECPIPE_BRANCH") or _branch_from_codebuild(env.get("CODEBUILD_WEBHOOK_HEAD_REF")) or "main"
    return ScanContext(
        account=env.get("SECPIPE_ACCOUNT") or LOCAL_ACCOUNT,
        region=region,
        partition=partition_for_region(region),
        repo=repo,
        branch=branch,
        commit=env.get("SECPIPE_COMMIT") or env.get("CODEBUILD_RESOLVED_SOURCE_VERSION") or None,
        build_id=env.get("CODEBUILD_BUILD_ID") or None,
    )


def _repo_from_codebuild(url: str | None) -> str | None:
    if not url:
        return None
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name.removesuffix(".git") or None


def _branch_from_codebuild(ref: str | None) -> str | None:
    if not ref:
        return None
    return ref.removeprefix("refs/heads/") or None
