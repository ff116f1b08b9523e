"""Where scanner executables live: the isolated envs of `secpipe tools install` first, then PATH."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from platformdirs import user_data_dir

TOOLS_DIR_ENV = "SECPIPE_TOOLS_DIR"


def tools_dir() -> Path:
    """Root of the per-scanner virtual environments (SECPIPE_TOOLS_DIR overrides)."""
    override = os.environ.get(TOOLS_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir("secpipe")) / "tools"


def env_dir(tool: str) -> Path:
    """The isolated environment of one scanner (it may not exist)."""
    return tools_dir() / tool


def env_bin_dir(tool: str) -> Path:
    return env_dir(tool) / ("Scripts" if sys.platform == "win32" else "bin")


def find_executable(executable: str, env: str | None = None) -> Path | None:
    """The scanner's executable: from its secpipe env (named `env`, default the
    executable's name), else from PATH; None when neither has it.

    pyenv shims on PATH exist for every command of every installed Python
    version, even where the active one lacks it: they are resolved to the
    real program or skipped, so "installed" means "will run".
    """
    in_env = env_bin_dir(env or executable) / executable
    if in_env.is_file() and os.access(in_env, os.X_OK):
        return in_env
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory:
            continue
        found = shutil.which(executable, path=directory)
        if not found:
            continue
        path = Path(found)
        if _is_pyenv_shim(path):
            real = _resolve_pyenv_shim(executable)
            if real is None:
                continue
            return real
        return path
    return None


def _is_pyenv_shim(path: Path) -> bool:
    return path.parent.name == "shims" and ".pyenv" in path.parts


def _resolve_pyenv_shim(executable: str) -> Path | None:
    """The program a pyenv shim would run for the active Python, without running it."""
    bin_dir = Path(sys.executable).parent  # the active interpreter's own bin directory
    candidate = bin_dir / executable
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    return None


def not_installed_message(tool: str) -> str:
    """The one line every runner gives when its executable is missing."""
    return f"{tool} is not installed (run: secpipe tools install {tool})"
