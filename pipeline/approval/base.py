"""The Notifier interface and its registry (`--via NAME`)."""
from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from pipeline.errors import SecpipeError

if TYPE_CHECKING:  # the CLI builds its parser from this registry; jinja2 loads only when sending
    from reports.email import ApprovalEmail


class DeliveryError(SecpipeError):
    """The message could not be handed over (server refused, unreachable, AWS error)."""


class Notifier(ABC):
    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add this channel's options; they are checked in from_args, not made required here."""

    @classmethod
    @abstractmethod
    def from_args(cls, args: argparse.Namespace) -> "Notifier":
        """Build from parsed options; ConfigError when one this channel needs is missing or malformed."""

    @abstractmethod
    def send(self, email: ApprovalEmail) -> str:
        """Deliver; returns one line for the log (message id, recipients). Raises DeliveryError."""


_NOTIFIERS: dict[str, type[Notifier]] = {}


def register(cls: type[Notifier]) -> type[Notifier]:
    if cls.name in _NOTIFIERS:
        raise ValueError(f"notifier {cls.name!r} registered twice")
    _NOTIFIERS[cls.name] = cls
    return cls


def notifiers() -> dict[str, type[Notifier]]:
    # Importing the implementations registers them.
    from pipeline.approval import sns, smtp  # noqa: F401
    return dict(_NOTIFIERS)
