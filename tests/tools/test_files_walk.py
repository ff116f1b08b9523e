"""Choosing a scan's runners walks the tree once (files.one_walk); outside that block every
call looks at the tree as it is now."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.tools import files


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = os.walk

    def counting(top, *args, **kwargs):
        seen.append(str(top))
        return real(top, *args, **kwargs)

    monkeypatch.setattr(files.os, "walk", counting)
    return seen


def tree(root: Path) -> Path:
    for name in ("a.py", "b.yaml", "sub/c.py", "node_modules/d.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    return root


def test_inside_one_walk_the_tree_is_walked_once_with_the_same_answers(tmp_path: Path, walks: list[str]) -> None:
    root = tree(tmp_path)
    python = files.with_suffix(".py")
    expected = list(files.iter_files(root, python))
    assert expected == [root / "a.py", root / "sub" / "c.py"], "skipped folders stay skipped"
    walks.clear()
    with files.one_walk():
        assert list(files.iter_files(root, python)) == expected
        assert files.has_file(root, files.with_suffix(".yaml"))
        assert list(files.iter_files(root, files.with_suffix(".md"))) == []
    assert walks == [str(root)]


def test_outside_the_block_new_files_are_seen(tmp_path: Path, walks: list[str]) -> None:
    root = tree(tmp_path)
    with files.one_walk():
        assert not files.has_file(root, files.with_suffix(".php"))
    (root / "e.php").write_text("<?php")
    assert files.has_file(root, files.with_suffix(".php"))


def test_a_per_walk_check_runs_once_per_file_in_the_block_and_every_time_outside(tmp_path: Path) -> None:
    calls: list[Path] = []

    @files.per_walk
    def is_big(path: Path) -> bool:
        calls.append(path)
        return path.stat().st_size > 1

    target = tree(tmp_path) / "a.py"
    with files.one_walk():
        assert [is_big(target), is_big(target)] == [False, False]
    assert calls == [target]
    target.write_text("longer")
    assert is_big(target) and is_big(target)
    assert calls == [target, target, target]
