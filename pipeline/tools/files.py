"""Walking a scan target's source tree the way every scanner here should see it."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

#: Directories no scanner looks into by default: VCS data, virtual environments,
#: installed dependencies and caches are not the project's own code.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache"})


def iter_files(root: Path, wanted: Callable[[Path], bool], skip_dirs: frozenset[str] = SKIPPED_DIRS) -> Iterator[Path]:
    """Files under root (or root itself if it is a file) for which wanted(path) holds,
    in a stable order, never descending into skip_dirs."""
    if root.is_file():
        if wanted(root):
            yield root
        return
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in skip_dirs)
        for name in sorted(names):
            path = Path(directory, name)
            if wanted(path):
                yield path


def has_file(root: Path, wanted: Callable[[Path], bool]) -> bool:
    return next(iter_files(root, wanted), None) is not None


def with_suffix(*suffixes: str) -> Callable[[Path], bool]:
    lowered = tuple(s.lower() for s in suffixes)
    return lambda path: path.name.lower().endswith(lowered)


def read_head(path: Path, limit: int = 200_000) -> str:
    """The start of a text file, for cheap content checks; '' when unreadable."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def relative_root(root: Path) -> tuple[Path, str]:
    """(working directory, argument) to run a scanner in so the paths it reports
    are relative to the target ("./app.py"), the same on every machine."""
    root = root.resolve()
    if root.is_file():
        return root.parent, root.name
    return root, "."
