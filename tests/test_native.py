"""The compiled hot modules (pipeline.native): a build is used only while it matches its sources.

The guard is exercised on a made-up two-module package in a temporary folder whose
"compiled" files are real extension modules of the standard library copied under the
compiled names: what matters is which file import picks, not what is in it.
"""
from __future__ import annotations

import importlib.machinery
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import native, native_build

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
MODULES = ("pkg.alpha", "pkg.beta")


def _write_package(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "alpha.py").write_text("WHERE = 'source'\n")
    (root / "pkg" / "beta.py").write_text("WHERE = 'source'\n")


def _fake_extension(root: Path, module: str) -> Path:
    """Any extension file will do: the guard decides from names, sizes and times, never from the contents."""
    target = native.source_path(module, root).with_name(module.rsplit(".", 1)[-1] + SUFFIX)
    target.write_bytes(b"\x7fELF not really")
    return target


def _record(root: Path, modules: tuple[str, ...] = MODULES, cache_tag: str | None = None) -> None:
    native.manifest_path(root).parent.mkdir(parents=True, exist_ok=True)
    native.manifest_path(root).write_text(json.dumps({
        "cache_tag": cache_tag or sys.implementation.cache_tag,
        "sources": {m: native.source_stamp(native.source_path(m, root)) for m in modules}}))


def test_nothing_compiled_is_inactive(tmp_path: Path) -> None:
    _write_package(tmp_path)
    current = native.state(MODULES, tmp_path)
    assert current.compiled == () and not current.active and current.reason == "not compiled"


def test_a_build_that_matches_its_sources_is_active(tmp_path: Path) -> None:
    _write_package(tmp_path)
    for module in MODULES:
        _fake_extension(tmp_path, module)
    _record(tmp_path)
    current = native.state(MODULES, tmp_path)
    assert current.active and current.compiled == MODULES


def test_an_edited_source_makes_the_whole_group_stale(tmp_path: Path) -> None:
    _write_package(tmp_path)
    for module in MODULES:
        _fake_extension(tmp_path, module)
    _record(tmp_path)
    (tmp_path / "pkg" / "beta.py").write_text("WHERE = 'edited source'\n")
    current = native.state(MODULES, tmp_path)
    assert not current.fresh and current.reason == "pkg.beta changed since it was compiled"


@pytest.mark.parametrize("damage", ["no manifest", "other interpreter"])
def test_a_build_without_its_manifest_or_for_another_interpreter_is_stale(tmp_path: Path, damage: str) -> None:
    _write_package(tmp_path)
    _fake_extension(tmp_path, "pkg.alpha")
    if damage == "other interpreter":
        _record(tmp_path, cache_tag="cpython-00")
    current = native.state(MODULES, tmp_path)
    assert not current.fresh
    assert current.reason == ("no build manifest" if damage == "no manifest" else
                              f"built for cpython-00, running {sys.implementation.cache_tag}")


def test_the_source_first_finder_loads_every_group_module_from_its_source(tmp_path: Path) -> None:
    """In a child interpreter: the stale 'extensions' would fail to load, so importing them proves the finder."""
    _write_package(tmp_path)
    for module in MODULES:
        _fake_extension(tmp_path, module)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from pathlib import Path
        from pipeline import native
        sys.meta_path.insert(0, native._SourceFirst({MODULES!r}, Path({str(tmp_path)!r})))
        import pkg.alpha, pkg.beta
        print(pkg.alpha.WHERE, pkg.alpha.__file__.endswith('alpha.py'), pkg.beta.__file__.endswith('beta.py'))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=native.ROOT)
    assert done.stdout.split() == ["source", "True", "True"]


def test_without_the_finder_the_stale_extension_is_what_import_would_pick(tmp_path: Path) -> None:
    """The reason the guard exists: Python prefers an extension beside its source."""
    _write_package(tmp_path)
    _fake_extension(tmp_path, "pkg.alpha")
    script = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\ntry:\n import pkg.alpha\nexcept ImportError as e:\n print('extension')"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "extension"


def test_clean_removes_the_compiled_files_and_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "parsers").mkdir()
    made = []
    for module in (*native.COMPILED_MODULES, native.GROUP_NAME + "__mypyc"):
        native.source_path(module, tmp_path).write_text("")
        made.append(_fake_extension(tmp_path, module))
    native.manifest_path(tmp_path).write_text("{}")
    removed = native_build.clean(tmp_path)
    assert sorted(removed) == sorted([*made, native.manifest_path(tmp_path)])
    assert not any(path.exists() for path in removed)


def test_the_running_checkout_never_imports_a_stale_build() -> None:
    """Whatever this checkout holds: a module of the group comes from an extension only when the build is fresh."""
    import pipeline.asff

    current = native.state()
    from_extension = not pipeline.asff.__file__.endswith(".py")
    assert from_extension == current.active, current.reason


def test_the_makefile_reads_the_compiled_sources_from_the_module() -> None:
    done = subprocess.run([sys.executable, str(native.ROOT / "pipeline" / "native.py")], capture_output=True,
                          text=True, check=True)
    listed = done.stdout.split()
    assert listed == [str(native.source_path(m).relative_to(native.ROOT)) for m in native.COMPILED_MODULES]
    assert all((native.ROOT / path).is_file() for path in listed)


def test_a_failed_build_leaves_nothing_behind_and_says_why(tmp_path: Path) -> None:
    """A checkout whose listed sources are missing cannot compile: the build reports it and removes its traces."""
    (tmp_path / "pipeline").mkdir()
    failure = native_build.compile_quietly(tmp_path)
    assert failure
    assert not native.manifest_path(tmp_path).exists()
