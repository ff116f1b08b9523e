"""The part every executable-based runner shares: finding its program, its version."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import ClassVar

from pipeline.tools.base import ToolRunner
from pipeline.tools.locate import find_executable, not_installed_message
from pipeline.tools.process import run_command, scanner_environment

_VERSION = re.compile(r"\b(\d+\.\d+(?:\.\d+)*)\b")


class ExecutableRunner(ToolRunner):
    """A runner that calls one program, found by `locate.find_executable`."""

    executable: ClassVar[str]
    #: Arguments that make the program print its version.
    version_args: ClassVar[tuple[str, ...]] = ("--version",)
    #: Environment settings for every call of the program (e.g. no phoning home:
    #: without network, a tool's update check hangs until its own timeout).
    offline_env: ClassVar[tuple[tuple[str, str], ...]] = ()

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return scanner_environment({**dict(self.offline_env), **(extra or {})})

    def program(self) -> Path | None:
        return find_executable(self.executable, env=self.name)

    def missing(self) -> str | None:
        return None if self.program() is not None else not_installed_message(self.name)

    def version(self) -> str | None:
        program = self.program()
        return None if program is None else _program_version(str(program), self.version_args, self.offline_env)


@cache
def _program_version(program: str, args: tuple[str, ...], offline_env: tuple[tuple[str, str], ...]) -> str | None:
    result = run_command([program, *args], timeout_s=60, env=scanner_environment(dict(offline_env)))
    if result.returncode is None:
        return None
    text = result.stdout.decode("utf-8", errors="replace") + "\n" + result.stderr_tail
    match = _VERSION.search(text)
    return match.group(1) if match else None
