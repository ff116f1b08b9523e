"""Did a scanner read the tree? The files it says it scanned against the files the tree holds.

A scanner that honours ignore rules (semgrep reads .semgrepignore, its defaults,
and unless told otherwise the .gitignore of any enclosing checkout) can scan
nothing and still report a clean run. Comparing what it scanned with what secpipe
sees in the tree turns that silence into a stated gap.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Below this share of the tree's files scanned, the run cannot stand for the tree: incomplete.
MIN_SHARE_SCANNED = 0.5
EXAMPLES_SHOWN = 3


def normalise(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


@dataclass(frozen=True)
class Coverage:
    tool: str
    expected: tuple[str, ...]   # files of the tree the tool's rules apply to (relative to the target)
    scanned: frozenset[str]     # what the tool says it scanned (relative to the target)

    @classmethod
    def of(cls, tool: str, expected: Iterable[str], scanned: Iterable[str]) -> Coverage:
        return cls(tool, tuple(sorted({normalise(p) for p in expected})), frozenset(normalise(p) for p in scanned))

    @property
    def skipped(self) -> list[str]:
        return [path for path in self.expected if path not in self.scanned]

    def describe_skipped(self, why: str) -> str:
        skipped = self.skipped
        examples = ", ".join(skipped[:EXAMPLES_SHOWN]) + (", ..." if len(skipped) > EXAMPLES_SHOWN else "")
        return (f"{self.tool} scanned {len(self.expected) - len(skipped)} of {len(self.expected)} source file(s); "
                f"skipped {len(skipped)} ({examples}): {why}")

    def incomplete(self, why: str) -> str | None:
        """The reason the run cannot count as complete, or None when it read (most of) the tree."""
        if not self.expected:
            return None
        share = (len(self.expected) - len(self.skipped)) / len(self.expected)
        return self.describe_skipped(why) if share < MIN_SHARE_SCANNED else None

    def note(self, why: str) -> str:
        """For a complete run that still skipped a few files: said, not alarmed."""
        return self.describe_skipped(why) if self.skipped else ""
