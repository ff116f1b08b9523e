"""The Lambda zip: the handlers and the library they call (the wheel's packages, so
the same files as the wheel) plus the runtime dependencies, copied from the installed
distributions of this environment. boto3 and what it pulls in are left out: every
Python Lambda runtime provides them, and they would make up most of the zip."""
from __future__ import annotations

import email.parser
import importlib.metadata as metadata
import sys
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline.errors import ConfigError
from pipeline.packaging.reproducible_zip import Entry, entries_of, write_zip

PROVIDED_BY_THE_LAMBDA_RUNTIME = ("boto3",)
# secpipe's own dependencies that only `secpipe package` uses (building the wheel).
BUILD_ONLY = frozenset({"setuptools", "packaging"})
_NEVER_PACKED_SUFFIXES = (".pyc", ".pyo")


def lambda_zip_name(name: str, version: str) -> str:
    return f"{name}-lambda-{version}.zip"


def python_tag() -> str:
    """The Python the dependencies were installed for (compiled ones only load there)."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def build_lambda_zip(wheel: Path, name: str, version: str, out_dir: Path) -> Path:
    """The wheel's code and the dependencies its metadata declares, as one zip in `out_dir`."""
    wheel_entries = entries_of(wheel)
    code = [entry for entry in wheel_entries if ".dist-info/" not in entry.name]
    (metadata_file,) = [entry for entry in wheel_entries if entry.name.endswith(".dist-info/METADATA")]
    dependencies = runtime_dependencies(declared_requirements(metadata_file.data))
    entries = code + [entry for dist in dependencies for entry in _files_of(dist)]
    target = out_dir / lambda_zip_name(name, version)
    write_zip(target, entries)
    return target


def declared_requirements(metadata_text: bytes) -> list[str]:
    """The Requires-Dist names of a wheel's METADATA that apply here without extras."""
    message = email.parser.BytesParser().parsebytes(metadata_text, headersonly=True)
    return _applicable(message.get_all("Requires-Dist") or [])


def runtime_dependencies(roots: list[str]) -> list[metadata.Distribution]:
    """The installed distributions `roots` need at run time (no extras), recursively,
    minus the build-only ones, the runtime-provided ones and everything they need; sorted by name."""
    provided = _closure(list(PROVIDED_BY_THE_LAMBDA_RUNTIME))
    needed = _closure([root for root in roots if root not in BUILD_ONLY]) - provided
    return [_distribution(dist) for dist in sorted(needed)]


def _closure(roots: list[str]) -> set[str]:
    seen: set[str] = set()
    pending: list[str] = [canonicalize_name(root) for root in roots]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        pending.extend(_requirements(current))
    return seen


def _requirements(name: str) -> list[str]:
    return _applicable(_distribution(name).requires or [])


def _applicable(texts: list[str]) -> list[str]:
    # No extras: a dependency only an extra asks for is not a runtime dependency.
    environment: dict[str, str] = {key: str(value) for key, value in default_environment().items()}
    environment["extra"] = ""
    wanted: list[str] = []
    for text in texts:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            wanted.append(canonicalize_name(requirement.name))
    return wanted


def _distribution(name: str) -> metadata.Distribution:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise ConfigError(f"{name} is not installed in this environment ({sys.prefix}); the Lambda zip copies "
                          "the runtime dependencies from it (pip install -e .)") from None


def _files_of(dist: metadata.Distribution) -> Iterator[Entry]:
    for file in sorted(dist.files or [], key=str):
        relative = PurePosixPath(str(file).replace("\\", "/"))
        # Console scripts live outside site-packages; compiled caches differ per machine.
        if relative.parts[0] == ".." or "__pycache__" in relative.parts or relative.suffix in _NEVER_PACKED_SUFFIXES:
            continue
        located = Path(str(dist.locate_file(file)))
        if not located.is_file():
            continue
        # Lambda runs no file of a dependency as a program: every file gets the same mode.
        yield Entry(relative.as_posix(), located.read_bytes())
