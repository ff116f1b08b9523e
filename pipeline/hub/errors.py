"""Errors the local hub answers with, shaped the way botocore reads Security Hub's."""
from __future__ import annotations


class HubApiError(Exception):
    """An error response: HTTP status plus the Security Hub error code botocore will report."""

    def __init__(self, status: int, code: str, message: str):
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")

    def body(self) -> dict[str, str]:
        # botocore's rest-json parser reads the code from x-amzn-ErrorType or "__type",
        # and the message from "message"/"Message"; Security Hub sends Code and Message.
        return {"Code": self.code, "Message": self.message, "message": self.message, "__type": self.code}


def invalid_input(message: str) -> HubApiError:
    return HubApiError(400, "InvalidInputException", message)


def too_many_requests(operation: str) -> HubApiError:
    return HubApiError(429, "TooManyRequestsException", f"Rate exceeded for {operation}")
