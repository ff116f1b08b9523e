"""The hot modules compiled to C with mypyc, and keeping the compiled copies in step with their sources.

`secpipe parse` spends nearly all its time turning findings into validated ASFF, once
per finding; compiled, the same Python runs about 1.5 times faster. The compiled
modules are one optional build step (`python -m pipeline.native_build`, run by
`make setup`); without a C compiler, or after its `clean`, secpipe runs the same
code from its sources.

A compiled module sits beside its source (Python imports an extension before a
.py), so an edited source would be shadowed by a stale build. The manifest written
by the build records each source's size and time; `prefer_fresh_sources()`, called by the
`pipeline` and `parsers` packages before anything else is imported from them, makes
every module of the compiled group load from source when any of them has changed
since (the group calls itself natively, so one stale member taints all of them) or
when the build is for another interpreter.

Only the standard library is imported here: this runs at every start.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

#: Compiled together, as one group: the per-finding path of parse, publish and scan.
COMPILED_MODULES = (
    "pipeline.asff",
    "pipeline.asff_validation",
    "pipeline.identity",
    "pipeline.finding_types",
    "pipeline.convert",
    "pipeline.jsonout",
    "parsers.sarif",
    "parsers.dependency_check",
)
#: The group's shared library is `pipeline/_native__mypyc...so`, inside the package, so that
#: it imports wherever `pipeline` does (an editable install maps only the packages).
GROUP_NAME = "pipeline._native"
ROOT = Path(__file__).resolve().parent.parent
#: Written by `build`, beside the compiled files (all of them ignored by git and by `secpipe package`).
MANIFEST_NAME = "pipeline/_native.json"


def manifest_path(root: Path = ROOT) -> Path:
    return root / MANIFEST_NAME


def source_path(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def compiled_paths(module: str, root: Path = ROOT) -> list[Path]:
    """The extension files of `module` that Python would import instead of its source."""
    source = source_path(module, root)
    return [path for suffix in importlib.machinery.EXTENSION_SUFFIXES
            if (path := source.with_name(source.stem + suffix)).exists()]


def source_stamp(path: Path) -> str:
    """A source's size and modification time: what make decides by too, and no file read (or hashlib's
    start-up) at every start. A source touched without a change only costs a rebuild."""
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


@dataclass(frozen=True)
class BuildState:
    """What the compiled copies are, next to what the sources are now."""

    compiled: tuple[str, ...]  # modules with an extension beside their source
    fresh: bool  # every one of them was built from the source that is there now, for this interpreter
    reason: str  # why not, in a few words

    @property
    def active(self) -> bool:
        return bool(self.compiled) and self.fresh


def state(modules: Sequence[str] = COMPILED_MODULES, root: Path = ROOT) -> BuildState:
    compiled = tuple(module for module in modules if compiled_paths(module, root))
    if not compiled:
        return BuildState((), False, "not compiled")
    import json

    try:
        recorded = json.loads(manifest_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BuildState(compiled, False, "no build manifest")
    if recorded.get("cache_tag") != sys.implementation.cache_tag:
        return BuildState(compiled, False, f"built for {recorded.get('cache_tag')}, running {sys.implementation.cache_tag}")
    sources = recorded.get("sources") or {}
    for module in compiled:
        try:
            if sources.get(module) != source_stamp(source_path(module, root)):
                return BuildState(compiled, False, f"{module} changed since it was compiled")
        except OSError:
            return BuildState(compiled, False, f"{module} has no source")
    return BuildState(compiled, True, "compiled")


class _SourceFirst:
    """A meta path finder that loads the named modules from their .py, never their stale extension."""

    def __init__(self, modules: Sequence[str], root: Path):
        self._sources = {module: source_path(module, root) for module in modules}

    def find_spec(self, name: str, path: object = None, target: ModuleType | None = None):
        source = self._sources.get(name)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(name, source)


_installed = False


def prefer_fresh_sources(root: Path = ROOT) -> BuildState | None:
    """Make a stale or foreign build invisible to import; once per process. None when nothing is compiled."""
    global _installed
    if _installed:
        return None
    _installed = True
    current = state(COMPILED_MODULES, root)
    if not current.compiled:
        return None  # the usual developer checkout: nothing to guard
    if not current.fresh:
        sys.meta_path.insert(0, _SourceFirst(COMPILED_MODULES, root))
    return current


if __name__ == "__main__":  # the sources the compiled modules are built from, for the Makefile
    print(" ".join(str(source_path(module).relative_to(ROOT)) for module in COMPILED_MODULES))
