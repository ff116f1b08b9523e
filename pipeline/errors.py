"""Errors that reach the edge of the program as one clear line (CLI exit 2)."""
from __future__ import annotations


class SecpipeError(Exception):
    """Base for errors that are the user's input or configuration, not a bug."""

    exit_code = 2


class ReportError(SecpipeError):
    """A file that is not a valid report of the tool it was given as."""

    def __init__(self, filename: str, problem: str):
        self.filename = filename
        self.problem = problem
        super().__init__(f"{filename}: {problem}")


class ConfigError(SecpipeError):
    """A bad policy file, flag combination or environment."""
