"""Walking a scan target's source tree the way every scanner here should see it."""
from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: Directories no scanner looks into by default: VCS data, virtual environments,
#: installed dependencies and caches are not the project's own code.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", ".pytest_cache"})


# Inside one_walk(): each tree's file list, and what per_walk functions said of each file.
_listings: ContextVar[dict[tuple[Path, frozenset[str]], list[Path]] | None] = ContextVar("listings", default=None)
_answers: ContextVar[dict[tuple[Callable[[Path], object], Path], object] | None] = ContextVar("answers", default=None)


@contextmanager
def one_walk() -> Iterator[None]:
    """Inside the block each tree is walked once, and the per_walk checks of a file are made
    once: choosing a scan's runners asks a dozen questions of the same tree (three runners
    look for CloudFormation templates), and no tool starts before the answers are in."""
    listings, answers = _listings.set({}), _answers.set({})
    try:
        yield
    finally:
        _listings.reset(listings)
        _answers.reset(answers)


def per_walk(check: Callable[[Path], T]) -> Callable[[Path], T]:
    """`check(path)` remembered for the rest of the one_walk() block it is called in (if any)."""
    @functools.wraps(check)
    def remembered(path: Path) -> T:
        answers = _answers.get()
        if answers is None:
            return check(path)
        key = (check, path)
        if key not in answers:
            answers[key] = check(path)
        return answers[key]  # type: ignore[return-value]
    return remembered


def _walk(root: Path, skip_dirs: frozenset[str]) -> Iterator[Path]:
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in skip_dirs)
        for name in sorted(names):
            yield Path(directory, name)


def iter_files(root: Path, wanted: Callable[[Path], bool], skip_dirs: frozenset[str] = SKIPPED_DIRS) -> Iterator[Path]:
    """Files under root (or root itself if it is a file) for which wanted(path) holds,
    in a stable order, never descending into skip_dirs."""
    if root.is_file():
        if wanted(root):
            yield root
        return
    listings = _listings.get()
    if listings is None:
        yield from filter(wanted, _walk(root, skip_dirs))
        return
    key = (root, skip_dirs)
    if key not in listings:
        listings[key] = list(_walk(root, skip_dirs))
    yield from filter(wanted, listings[key])


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
