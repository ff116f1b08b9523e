"""The source checkout `secpipe package` builds from, and the copy of it that holds
exactly the files the wheel is made of (so nothing untracked in the working tree, no
build/ or egg-info folder, and nothing written into the checkout)."""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pipeline
from pipeline.errors import ConfigError

# Files at the checkout's root that the build reads (pyproject's readme).
_ROOT_FILES = ("pyproject.toml", "README.md")
# The compiled hot modules (pipeline.native) are for this machine's interpreter: the wheel is pure Python.
_NEVER_COPIED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.egg-info", "*.so", "_native.json")


@dataclass(frozen=True)
class Source:
    root: Path
    name: str
    version: str
    packages: tuple[str, ...]  # top-level package folders (pyproject's packages.find include)

    @property
    def buildspecs(self) -> Path:
        return self.root / "buildspecs"


def default_root() -> Path:
    """The checkout this secpipe runs from (an installed wheel has none)."""
    return Path(pipeline.__file__).resolve().parent.parent


def read_source(root: Path) -> Source:
    pyproject = root / "pyproject.toml"
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except OSError:
        raise ConfigError(f"{root}: no pyproject.toml; secpipe package runs in a secpipe source checkout "
                          "(--source DIR)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: not valid TOML ({exc})") from None
    project = document.get("project") or {}
    if project.get("name") != "secpipe":
        raise ConfigError(f"{pyproject}: not the secpipe project")
    include = document.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {}).get("include", [])
    packages = tuple(sorted({pattern.rstrip("*").rstrip(".") for pattern in include}))
    missing = [name for name in packages if not (root / name / "__init__.py").is_file()]
    if missing or not packages:
        raise ConfigError(f"{root}: package folder(s) {', '.join(missing) or '(none listed)'} not found")
    if not (root / "buildspecs").is_dir():
        raise ConfigError(f"{root}: no buildspecs/ folder")
    return Source(root=root, name=project["name"], version=str(project["version"]), packages=packages)


def stage_copy(source: Source, destination: Path) -> Path:
    """Copy what the wheel is built from into `destination` (which must not exist)."""
    destination.mkdir(parents=True)
    for name in _ROOT_FILES:
        if (source.root / name).is_file():
            shutil.copy2(source.root / name, destination / name)
    for package in source.packages:
        shutil.copytree(source.root / package, destination / package, ignore=_NEVER_COPIED)
    return destination
