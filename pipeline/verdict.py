"""What the gate decided about one finding: whether it counts, and why.

The gate writes one `Verdict` per finding; every report (HTML, Markdown, JUnit,
SARIF, summary.json and so the approval email) reads it and never works out
again which findings count.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Standing(str, enum.Enum):
    COUNTS = "counts"                    # open and at or above its stage's threshold (or over a maximum)
    BELOW_THRESHOLD = "below threshold"  # open, reported, not failing anything
    BASELINE = "baseline"                # open, but already on the baseline branch: known debt
    SUPPRESSED = "suppressed"            # in the code (nosec, nosemgrep, checkov skip) or by policy
    TRIAGED = "triaged"                  # a reviewer suppressed or resolved it in the hub
    NOT_DECIDED = "not decided"          # no gate ran

    @property
    def is_open(self) -> bool:
        """Still to fix: shown in the open-findings counts."""
        return self in (Standing.COUNTS, Standing.BELOW_THRESHOLD, Standing.BASELINE, Standing.NOT_DECIDED)


@dataclass(frozen=True)
class Verdict:
    standing: Standing
    reason: str

    @property
    def counts(self) -> bool:
        return self.standing is Standing.COUNTS


NOT_DECIDED = Verdict(Standing.NOT_DECIDED, "no gate was evaluated")
