"""Helpers for tool-runner tests: fake scanner executables and real-scanner skips."""
from __future__ import annotations

import stat
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.tools import registry
from pipeline.tools.base import ToolRunner


def fake_program(directory: Path, name: str, body: str) -> Path:
    """An executable Python script standing in for a scanner."""
    path = directory / name
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


# A one-rule semgrep config the runner tests scan with (shell=True calls).
SHELL_TRUE_RULE = """\
rules:
  - id: shell-true
    languages: [python]
    severity: ERROR
    message: subprocess with shell=True
    pattern: subprocess.call(..., shell=True)
"""


def installed(name: str) -> ToolRunner:
    """The registered runner, or a skip saying how to get the scanner."""
    runner = registry.get(name)
    why = runner.missing()
    if why:
        pytest.skip(why)
    return runner


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    path = tmp_path / "raw"
    path.mkdir()
    return path
