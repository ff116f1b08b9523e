"""Repo, branch and commit of the scanned tree: from git, with sensible fallbacks."""
from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.gitinfo import read_git_info


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout.strip()


def make_repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "feature/login")
    git(root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "first")
    return root


def test_not_a_checkout_uses_the_folder_name(tmp_path) -> None:
    folder = tmp_path / "my-service"
    folder.mkdir()
    assert read_git_info(folder) == read_git_info(folder).__class__(repo="my-service", branch=None, commit=None)


def test_checkout_gives_branch_commit_and_remote_name(tmp_path) -> None:
    repo = make_repo(tmp_path / "clone-dir")
    git(repo, "remote", "add", "origin", "git@example.invalid:team/payments-api.git")
    info = read_git_info(repo)
    assert info.repo == "payments-api", "every clone of a repository reports into the same scope"
    assert info.branch == "feature/login"
    assert info.commit == git(repo, "rev-parse", "HEAD")


def test_sub_folder_is_its_own_scope(tmp_path) -> None:
    repo = make_repo(tmp_path / "mono")
    (repo / "apps" / "web").mkdir(parents=True)
    assert read_git_info(repo / "apps" / "web").repo == "mono/apps/web"


def test_detached_head_has_no_branch(tmp_path) -> None:
    repo = make_repo(tmp_path / "detached")
    git(repo, "checkout", "-q", "--detach")
    assert read_git_info(repo).branch is None
