"""Policy suppressions: mark matching findings suppressed, with the policy's reason.

Expired suppressions stop suppressing and are returned so the gate can list them.
A finding the tool itself already suppressed keeps the tool's reason.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pipeline.finding import Finding
from pipeline.policy import Policy, Suppression


def apply_suppressions(findings: list[Finding], policy: Policy, finding_id: Callable[[Finding], str],
                       today: date) -> list[Suppression]:
    """Suppress in place; return the expired suppressions (which suppressed nothing)."""
    active = policy.active_suppressions(today)
    for finding in findings:
        if finding.suppressed:
            continue
        fid = finding_id(finding)
        for suppression in active:
            if suppression.matches(finding, fid):
                finding.suppressed = True
                finding.suppression_reason = f"policy: {suppression.reason} (until {suppression.expires.isoformat()})"
                break
    return policy.expired_suppressions(today)
