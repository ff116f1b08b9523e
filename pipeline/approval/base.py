"""The Notifier interface and its registry (`--via NAME`)."""
from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from pipeline.errors import SecpipeError
from pipeline.registry import Registry

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
    def from_args(cls, args: argparse.Namespace) -> Notifier:
        """Build from parsed options; ConfigError when one this channel needs is missing or malformed."""

    @abstractmethod
    def send(self, email: ApprovalEmail) -> str:
        """Deliver; returns one line for the log (message id, recipients). Raises DeliveryError."""


# Classes, not instances: each is built from the command's options (from_args). Every module of
# pipeline.approval but this one is an implementation, imported on the first lookup.
NOTIFIERS: Registry[type[Notifier]] = Registry("notifier", package="pipeline.approval", skip_modules={"base"})


def register(cls: type[Notifier]) -> type[Notifier]:
    if cls.name in NOTIFIERS:  # a class is never "the same instance again": any second one is a mistake
        raise ValueError(f"notifier {cls.name!r} registered twice")
    NOTIFIERS.add(cls, cls.name)
    return cls


def notifiers() -> dict[str, type[Notifier]]:
    return {cls.name: cls for cls in NOTIFIERS.all()}
