"""`secpipe tools install`: each pinned Python scanner into its own virtual environment.

Each env is built on the newest Python the lock allows that this machine has
(`interpreters.scanner_python`): bandit reads only the syntax of the Python it
runs on. Idempotent: an env whose marker records exactly the locked
requirements and the interpreter that would be chosen now is left alone, so a
changed lock, a newly installed Python or SECPIPE_SCANNER_PYTHON rebuilds it. The marker is written last, so an interrupted
install is redone next time rather than trusted.
"""
from __future__ import annotations

import fcntl
import json
import shutil
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.tools.interpreters import Interpreter, is_version, scanner_python
from pipeline.tools.locate import TOOLS_DIR_ENV, env_bin_dir, env_dir, tools_dir
from pipeline.tools.process import run_command

LOCK_PATH = Path(__file__).with_name("scanners.lock")
MARKER = "secpipe-install.json"
PIP_TIMEOUT_S = 1800.0
# Without a top-level `python = [...]` in the lock: the Python secpipe runs on.
_OWN_PYTHON = (f"{sys.version_info.major}.{sys.version_info.minor}",)


@dataclass(frozen=True)
class PinnedTool:
    name: str
    requirements: tuple[str, ...]
    executable: str
    pins: tuple[str, ...] = ()  # the rest of the env, frozen
    pythons: tuple[str, ...] = _OWN_PYTHON  # the Pythons the pins hold on, newest first

    @property
    def everything(self) -> tuple[str, ...]:
        """What pip installs, and what the install marker records."""
        return self.requirements + self.pins

    @property
    def package(self) -> str:
        return self.requirements[0].split("==", 1)[0]

    @property
    def version(self) -> str:
        return self.requirements[0].split("==", 1)[1]


@dataclass(frozen=True)
class InstallOutcome:
    tool: str
    action: str   # "installed", "up to date", "failed"
    detail: str

    @property
    def ok(self) -> bool:
        return self.action != "failed"


def load_lock(path: Path = LOCK_PATH) -> dict[str, PinnedTool]:
    """The pinned tools; ConfigError naming the entry when the lock file is malformed."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    default_pythons = _pythons(path, "python", doc.pop("python", list(_OWN_PYTHON)))
    tools = {}
    for name, entry in doc.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        requirements = entry.get("requirements")
        executable = entry.get("executable")
        if not (isinstance(requirements, list) and requirements and all(isinstance(r, str) for r in requirements)):
            raise ConfigError(f"{path}: [{name}] needs requirements = a non-empty list of strings")
        if "==" not in requirements[0] or not requirements[0].split("==", 1)[1]:
            raise ConfigError(f"{path}: [{name}] first requirement must pin an exact version (package==X.Y.Z), got {requirements[0]!r}")
        if not (isinstance(executable, str) and executable and "/" not in executable):
            raise ConfigError(f"{path}: [{name}] needs executable = the program's name")
        pins = entry.get("pins", [])
        if not (isinstance(pins, list) and all(isinstance(p, str) and "==" in p for p in pins)):
            raise ConfigError(f"{path}: [{name}] pins must be a list of exact pins (package==X.Y.Z)")
        pythons = _pythons(path, f"[{name}] python", entry["python"]) if "python" in entry else default_pythons
        tools[name] = PinnedTool(name, tuple(requirements), executable, tuple(pins), pythons)
    return tools


def _pythons(path: Path, where: str, value: object) -> tuple[str, ...]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) and is_version(v) for v in value)):
        raise ConfigError(f"{path}: {where} must be a non-empty list of Python versions, newest first (\"3.13\")")
    return tuple(value)


def interpreter_for(tool: PinnedTool) -> Interpreter:
    """The Python the tool's env is (to be) built on; ConfigError for a bad SECPIPE_SCANNER_PYTHON."""
    return scanner_python(tool.pythons)


def installed_interpreter(tool: PinnedTool) -> str | None:
    """Which Python a finished install runs on ("python 3.13 (/path)"), as its marker recorded it."""
    marker = _read_marker(tool.name)
    if marker is None or not marker.get("python"):
        return None
    where = marker.get("interpreter")
    return f"python {marker['python']}" + (f" ({where})" if where else "")


def installed_version(tool: PinnedTool) -> str | None:
    """The version recorded by a finished install whose executable is still there."""
    marker = _read_marker(tool.name)
    if marker is None or not (env_bin_dir(tool.name) / tool.executable).is_file():
        return None
    return marker.get("version")


def is_current(tool: PinnedTool) -> bool:
    marker = _read_marker(tool.name)
    python = interpreter_for(tool)
    return (
        marker is not None
        and marker.get("requirements") == list(tool.everything)
        and marker.get("python") == python.version
        and marker.get("interpreter") == str(python.path)
        and (env_bin_dir(tool.name) / tool.executable).is_file()
    )


def install(tool: PinnedTool, *, say: Callable[[str], None] = print) -> InstallOutcome:
    """Make the tool's env match the lock; returns what was done. Never raises for pip failures."""
    with _install_lock():
        if is_current(tool):
            return InstallOutcome(tool.name, "up to date", f"{tool.package} {tool.version} in {env_dir(tool.name)} "
                                                           f"on python {interpreter_for(tool).version}")
        target = env_dir(tool.name)
        if target.exists():
            say(f"{tool.name}: replacing {target} (it does not match the lock)")
            shutil.rmtree(target)
        python = interpreter_for(tool)
        say(f"{tool.name}: installing {', '.join(tool.requirements)} (+{len(tool.pins)} pinned dependencies) "
            f"on {python.describe()} into {target}")
        outcome = _create(tool, target, python)
        if not outcome.ok:
            shutil.rmtree(target, ignore_errors=True)  # a half-made env must not look installed
        return outcome


def _create(tool: PinnedTool, target: Path, python: Interpreter) -> InstallOutcome:
    made = run_command([str(python.path), "-m", "venv", str(target)], timeout_s=300)
    if made.returncode != 0:
        return InstallOutcome(tool.name, "failed", f"could not create the venv: {made.start_error or made.stderr_line() or made.timed_out}")
    env_python = env_bin_dir(tool.name) / "python"
    pip = run_command(
        [str(env_python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", *tool.everything],
        timeout_s=PIP_TIMEOUT_S,
    )
    if pip.timed_out:
        return InstallOutcome(tool.name, "failed", f"pip timed out after {PIP_TIMEOUT_S:g}s")
    if pip.returncode != 0:
        return InstallOutcome(tool.name, "failed", f"pip exited {pip.returncode}: {pip.start_error or pip.stderr_line()}")
    if not (env_bin_dir(tool.name) / tool.executable).is_file():
        return InstallOutcome(tool.name, "failed", f"{tool.package} installed but has no {tool.executable!r} program")
    marker = {"requirements": list(tool.everything), "version": tool.version,
              "python": python.version, "interpreter": str(python.path)}
    (target / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    return InstallOutcome(tool.name, "installed", f"{tool.package} {tool.version} in {target} on python {python.version}")


def _read_marker(name: str) -> dict | None:
    try:
        value = json.loads((env_dir(name) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


@contextmanager
def _install_lock() -> Iterator[None]:
    """One install at a time per tools dir (parallel test runs, two terminals)."""
    root = tools_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(root / ".install.lock", "a")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise ConfigError(f"cannot use {root} for scanner environments ({exc.strerror}); set {TOOLS_DIR_ENV} elsewhere") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
