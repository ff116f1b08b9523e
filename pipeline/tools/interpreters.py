"""Which Python each scanner environment is built on: the newest one on the machine.

A scanner that parses Python (bandit) can only read the syntax of the Python it
runs on: bandit on 3.11 cannot parse PEP 701 f-strings or `type` statements, and
skips those files. So each scanner env is built on the newest interpreter the
lock allows that is really present: `python3.N` on PATH (Debian's), pyenv's
versions (its shims on PATH only run the *active* version, so the versions
folder is read directly), and last the Python secpipe itself runs on.

`SECPIPE_SCANNER_PYTHON` overrides the choice: a version ("3.12") or the path of
an interpreter.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.tools.process import run_command

SCANNER_PYTHON_ENV = "SECPIPE_SCANNER_PYTHON"
PROBE_TIMEOUT_S = 30.0
_VERSION = re.compile(r"^3\.\d+$")
# venv needs ensurepip to give the env its own pip: Debian ships it separately (python3.N-venv).
_PROBE = "import sys, ensurepip, venv; print('%d.%d' % sys.version_info[:2])"


@dataclass(frozen=True)
class Interpreter:
    path: Path
    version: str  # "3.13"

    def describe(self) -> str:
        return f"python {self.version} ({self.path})"


def is_version(text: str) -> bool:
    return bool(_VERSION.match(text))


def probe(path: Path) -> Interpreter | None:
    """The interpreter at `path` if it runs and can make a venv with pip, else None."""
    done = run_command([str(path), "-c", _PROBE], timeout_s=PROBE_TIMEOUT_S)
    version = done.stdout.decode("ascii", "replace").strip() if done.returncode == 0 else ""
    return Interpreter(path, version) if is_version(version) else None


def _pyenv_roots() -> list[Path]:
    roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    return list(dict.fromkeys(Path(r) for r in roots if r))


def _is_pyenv_shim(path: Path) -> bool:
    return path.parent.name == "shims" and ".pyenv" in path.parts


def candidates(version: str) -> Iterator[Path]:
    """Programs that claim to be Python `version`, most ordinary first."""
    name = f"python{version}"
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        found = shutil.which(name, path=directory) if directory else None
        if found and not _is_pyenv_shim(Path(found)):
            yield Path(found)
    for root in _pyenv_roots():
        # pyenv names versions 3.13.0, 3.13.1, 3.13-dev: the newest patch release first.
        for folder in sorted((root / "versions").glob(f"{version}.*"), key=_patch_order, reverse=True):
            program = folder / "bin" / name
            if program.is_file():
                yield program
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        yield Path(sys.executable)


def _patch_order(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in folder.name.split("."))


def _first_working(version: str) -> Interpreter | None:
    for path in candidates(version):
        found = probe(path)
        if found is not None and found.version == version:
            return found
    return None


@cache
def _choose(preferred: tuple[str, ...], override: str) -> Interpreter:
    if override:
        if is_version(override):
            found = _first_working(override)
            if found is None:
                raise ConfigError(f"{SCANNER_PYTHON_ENV}={override}: no working python{override} (with venv and ensurepip) on this machine")
            return found
        found = probe(Path(override).expanduser())
        if found is None:
            raise ConfigError(f"{SCANNER_PYTHON_ENV}={override}: not a Python that can make a virtual environment")
        return found
    for version in preferred:
        found = _first_working(version)
        if found is not None:
            return found
    # Nothing the lock prefers is here: the Python secpipe runs on always can make a venv.
    return Interpreter(Path(sys.executable), f"{sys.version_info.major}.{sys.version_info.minor}")


def scanner_python(preferred: Sequence[str]) -> Interpreter:
    """The newest interpreter of `preferred` (newest first) that works here, or the override."""
    return _choose(tuple(preferred), os.environ.get(SCANNER_PYTHON_ENV, "").strip())


def forget() -> None:
    """Look again next time (tests change PATH and the override)."""
    _choose.cache_clear()
