"""Reading botocore ClientError replies: the error code decides "gone" versus "failed"."""
from __future__ import annotations


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ("" for anything else)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def is_error(exc: BaseException, *codes: str) -> bool:
    return error_code(exc) in codes
