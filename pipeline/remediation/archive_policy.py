"""Which findings are archived (SUPPRESSED) instead of remediated: a policy that is data.

The Security account's stack passes the policy as a JSON parameter (the Normalise
Lambda reads it from `SECPIPE_ARCHIVE_POLICY`), so switching a control off or
accepting a risk is a stack update, not a code change:

    {"excluded_accounts": ["111122223333"],
     "controls_off": ["EC2.2"],
     "accepted_risks": [{"control": "S3.8", "account": "111122223333",
                         "resource": "arn:aws:s3:::public-site", "reason": "public website",
                         "expires": "2027-06-30"}]}

An accepted risk without `account` or `resource` covers every account or resource;
`resource` may be a glob (`arn:aws:s3:::site-*`). An expired risk no longer archives.
"""
from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.errors import ConfigError

_ACCOUNT = re.compile(r"\d{12}")
_CONTROL = re.compile(r"[A-Za-z0-9]+\.\d+")
_POLICY_KEYS = {"excluded_accounts", "controls_off", "accepted_risks"}
_RISK_KEYS = {"control", "account", "resource", "reason", "expires"}


class ArchivePolicyError(ConfigError):
    """The archive policy document is not valid; the message names the field."""


@dataclass(frozen=True)
class AcceptedRisk:
    control: str
    reason: str
    account: str = ""  # "" = every account
    resource: str = ""  # "" = every resource; a glob otherwise
    expires: date | None = None

    def covers(self, control: str, account: str, resource: str, today: date) -> bool:
        if self.expires is not None and today > self.expires:
            return False
        return (self.control == control and self.account in ("", account)
                and (not self.resource or fnmatch.fnmatchcase(resource, self.resource)))


@dataclass(frozen=True)
class ArchivePolicy:
    excluded_accounts: frozenset[str] = frozenset()
    controls_off: frozenset[str] = frozenset()
    accepted_risks: tuple[AcceptedRisk, ...] = ()

    def reason_to_archive(self, control: str, account: str, resource: str, today: date) -> str | None:
        """Why the policy archives this finding (the note written with SUPPRESSED), or None."""
        if account in self.excluded_accounts:
            return f"account {account} is excluded from remediation by the archive policy"
        if control in self.controls_off:
            return f"control {control} is switched off in the archive policy"
        for risk in self.accepted_risks:
            if risk.covers(control, account, resource, today):
                until = f" until {risk.expires.isoformat()}" if risk.expires else ""
                return f"accepted risk for {control}{until}: {risk.reason}"
        return None


def parse_archive_policy(text: str | None, source: str = "archive policy") -> ArchivePolicy:
    """The policy from its JSON text; empty or absent text is the empty policy (archive nothing)."""
    if text is None or not text.strip():
        return ArchivePolicy()
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ArchivePolicyError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(document, Mapping):
        raise ArchivePolicyError(f"{source}: must be a JSON object")
    _only_keys(document, _POLICY_KEYS, source)
    return ArchivePolicy(
        excluded_accounts=frozenset(_strings(document, "excluded_accounts", source, _ACCOUNT, "a 12-digit account id")),
        controls_off=frozenset(_strings(document, "controls_off", source, _CONTROL, "a control id such as EC2.2")),
        accepted_risks=tuple(_risk(entry, f"{source}: accepted_risks[{index}]")
                             for index, entry in enumerate(_list(document, "accepted_risks", source))),
    )


def _risk(entry: Any, where: str) -> AcceptedRisk:
    if not isinstance(entry, Mapping):
        raise ArchivePolicyError(f"{where}: must be an object")
    _only_keys(entry, _RISK_KEYS, where)
    control = _text(entry, "control", where, required=True)
    if not _CONTROL.fullmatch(control):
        raise ArchivePolicyError(f"{where}: control {control!r} is not a control id such as S3.8")
    account = _text(entry, "account", where)
    if account and not _ACCOUNT.fullmatch(account):
        raise ArchivePolicyError(f"{where}: account {account!r} is not a 12-digit account id")
    expires_text = _text(entry, "expires", where)
    try:
        expires = date.fromisoformat(expires_text) if expires_text else None
    except ValueError:
        raise ArchivePolicyError(f"{where}: expires {expires_text!r} is not a date (YYYY-MM-DD)") from None
    return AcceptedRisk(control=control, reason=_text(entry, "reason", where, required=True), account=account,
                        resource=_text(entry, "resource", where), expires=expires)


def _only_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ArchivePolicyError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _list(document: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise ArchivePolicyError(f"{where}: {key} must be a list")
    return value


def _strings(document: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str], meaning: str) -> list[str]:
    values = _list(document, key, where)
    for value in values:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ArchivePolicyError(f"{where}: {key} entry {value!r} is not {meaning}")
    return values


def _text(entry: Mapping[str, Any], key: str, where: str, required: bool = False) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ArchivePolicyError(f"{where}: {key} must be a non-empty string" if required
                                 else f"{where}: {key} must be a string")
    return value.strip()
