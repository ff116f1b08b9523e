"""Approval email over SMTP: multipart/alternative with the text and HTML parts.

Credentials come only from the environment (SECPIPE_SMTP_USER, SECPIPE_SMTP_PASSWORD),
never from the command line where `ps` and CI logs would show them.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.approval.base import DeliveryError, Notifier, register
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from email.message import EmailMessage

    from reports.email import ApprovalEmail

# smtplib, ssl and the email package are imported where they are used: every `secpipe`
# command registers this notifier's options, and they cost a twentieth of a second.

USER_ENV = "SECPIPE_SMTP_USER"
PASSWORD_ENV = "SECPIPE_SMTP_PASSWORD"
TIMEOUT_S = 30.0


def _address(value: str, option: str) -> str:
    from email.utils import parseaddr

    address = parseaddr(value)[1]
    if "@" not in address or any(ch in value for ch in "\r\n"):
        raise ConfigError(f"{option} is not an email address: {value!r}")
    return value


def build_message(email: ApprovalEmail, sender: str, recipients: list[str]) -> EmailMessage:
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid, parseaddr

    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies to the pipeline
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


@register
@dataclass
class SmtpNotifier(Notifier):
    name = "smtp"
    host: str
    port: int
    sender: str
    recipients: list[str]
    starttls: bool = False
    credentials: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        group = parser.add_argument_group(f"--via smtp (credentials from {USER_ENV} and {PASSWORD_ENV})")
        group.add_argument("--smtp-host", help="SMTP server")
        group.add_argument("--smtp-port", type=int, default=587, help="SMTP port (default 587)")
        group.add_argument("--starttls", action="store_true", help="upgrade the connection with STARTTLS (verified)")
        group.add_argument("--from", dest="sender", help="sender address")
        group.add_argument("--to", action="append", default=[], help="recipient address (repeatable)")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SmtpNotifier:
        if not args.smtp_host:
            raise ConfigError("--via smtp needs --smtp-host")
        if not args.sender or not args.to:
            raise ConfigError("--via smtp needs --from and at least one --to")
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
        if bool(user) != bool(password):
            raise ConfigError(f"set both {USER_ENV} and {PASSWORD_ENV}, or neither")
        if user and not args.starttls:
            raise ConfigError("refusing to send SMTP credentials without --starttls")
        return cls(host=args.smtp_host, port=args.smtp_port, sender=_address(args.sender, "--from"),
                   recipients=[_address(to, "--to") for to in args.to], starttls=args.starttls,
                   credentials=(user, password) if user and password else None)

    def send(self, email: ApprovalEmail) -> str:
        import smtplib
        import ssl
        from email.utils import parseaddr

        message = build_message(email, self.sender, self.recipients)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as client:
                client.ehlo()
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if self.credentials:
                    client.login(*self.credentials)
                refused = client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery via {self.host}:{self.port} failed: {exc}") from None
        delivered = [r for r in self.recipients if parseaddr(r)[1] not in refused]
        if not delivered:
            raise DeliveryError(f"SMTP server {self.host}:{self.port} refused every recipient")
        return f"sent to {', '.join(delivered)} via {self.host}:{self.port} ({message['Message-ID']})"
