"""The secpipe wheel (secpipe-<version>-py3-none-any.whl), built by setuptools from a
staged copy of the source without network or build isolation, then rewritten as a
reproducible zip (its RECORD still matches: the files are unchanged)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.packaging.reproducible_zip import entries_of, write_zip
from pipeline.packaging.source import Source

BUILD_TIMEOUT_S = 300.0


def wheel_name(source: Source) -> str:
    return f"{source.name}-{source.version}-py3-none-any.whl"


def build_wheel(source: Source, staged: Path, work: Path, out_dir: Path) -> Path:
    """Build from `staged` (see source.stage_copy) in `work`; the wheel lands in `out_dir`."""
    built_dir = work / "wheel"
    environment = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "315532800"),
                   "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
               "--no-index", "--wheel-dir", str(built_dir), str(staged)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, env=environment,
                              cwd=work)
    except subprocess.TimeoutExpired:
        raise ConfigError(f"building the wheel took longer than {BUILD_TIMEOUT_S:.0f} s") from None
    expected = built_dir / wheel_name(source)
    if done.returncode != 0 or not expected.is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ConfigError(f"building the wheel failed (pip exit {done.returncode}): {last}")
    target = out_dir / expected.name
    write_zip(target, entries_of(expected))
    return target
