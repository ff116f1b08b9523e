"""Repo, branch and commit of a source tree, from git when it is a checkout."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitInfo:
    repo: str
    branch: str | None
    commit: str | None


def _git(path: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def read_git_info(path: Path) -> GitInfo:
    """Falls back to the folder name when the tree is not a git checkout.

    The repo name comes from the remote when there is one, so every clone of a
    repository reports findings into the same scope.
    """
    top = _git(path, "rev-parse", "--show-toplevel")
    remote = _git(path, "remote", "get-url", "origin") if top else None
    if remote:
        repo = remote.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
    else:
        repo = Path(top or path).resolve().name or "local"
    if top and Path(top).resolve() != path.resolve():
        # A sub-folder of a checkout (a monorepo app, or the bundled example) is its own scope.
        relative = path.resolve().relative_to(Path(top).resolve()).as_posix()
        repo = f"{repo}/{relative}"
    branch = _git(path, "rev-parse", "--abbrev-ref", "HEAD") if top else None
    if branch == "HEAD":
        branch = None
    commit = _git(path, "rev-parse", "HEAD") if top else None
    return GitInfo(repo=repo, branch=branch, commit=commit)
