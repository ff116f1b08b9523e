"""Fake scanner executables for the runners of tools that only run in CodeBuild.

Each fake is a small Python script put first on PATH. It records how it was
called (argv, cwd, which environment variables it saw) in FAKE_RECORD, then
behaves like the tool: writes the report where the tool would, with the exit
code the tool would use. Reports are hand-written in each tool's format.
"""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

RECORDER = """
import json, os, sys
_record = {"argv": sys.argv, "cwd": os.getcwd(),
           "env": {k: v for k, v in os.environ.items() if k.startswith(("SONAR", "NVD", "FAKE"))}}
with open(os.environ["FAKE_RECORD"], "w") as _f:
    json.dump(_record, _f)
"""


def install_fake(bin_dir: Path, name: str, body: str) -> Path:
    """Write an executable `name` into bin_dir that records its call, then runs body."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / name
    script.write_text(f"#!{sys.executable}\n{RECORDER}\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def recorded_call(record: Path) -> dict[str, Any]:
    return json.loads(record.read_text(encoding="utf-8"))


@pytest.fixture
def fake_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory first on PATH, and no secpipe tool environments, so only fakes are found."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("SECPIPE_TOOLS_DIR", str(tmp_path / "no-tool-envs"))
    return bin_dir


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH with nothing on it but the interpreter's directory: no scanner can be found."""
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    monkeypatch.setenv("PATH", str(bare))
    monkeypatch.setenv("SECPIPE_TOOLS_DIR", str(tmp_path / "no-tool-envs"))
