"""DynamoDB calls of the ingest records, with one error rule: any failure is an
IdempotencyStoreError (retry the invocation); a failed condition is an answer."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.ingest.errors import IdempotencyStoreError


def call(table: str, operation: str, method: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    try:
        return method(**kwargs)
    except (BotoCoreError, ClientError) as exc:
        raise IdempotencyStoreError(f"idempotency table {table}: {operation} failed: {exc}") from None


def conditional(table: str, operation: str, method: Callable[..., dict[str, Any]], **kwargs: Any) -> bool:
    """True when the conditional write happened, False when its condition did not hold."""
    try:
        method(**kwargs)
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise IdempotencyStoreError(f"idempotency table {table}: {operation} failed: {exc}") from None
    except BotoCoreError as exc:
        raise IdempotencyStoreError(f"idempotency table {table}: {operation} failed: {exc}") from None
