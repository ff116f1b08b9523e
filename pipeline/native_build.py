"""`python -m pipeline.native_build [build|clean|status]`: compile the hot modules with mypyc, in place.

What is compiled, and how a stale build is kept from being imported, is `pipeline.native`.
A build that fails (no C compiler, say) removes what it left and exits 0: secpipe then runs
from its sources, which is slower and otherwise the same.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.native import (
    COMPILED_MODULES,
    GROUP_NAME,
    ROOT,
    compiled_paths,
    manifest_path,
    source_path,
    source_stamp,
    state,
)


def build(root: Path = ROOT) -> None:
    """Compile COMPILED_MODULES in place with mypyc and record their sources' size and time (needs a C compiler)."""
    from mypyc.build import mypycify
    from setuptools import Distribution

    clean(root)
    sources = [str(source_path(module, root).relative_to(root)) for module in COMPILED_MODULES]
    # Taken before compiling: a source edited while the compiler runs must read as changed afterwards.
    recorded = {"cache_tag": sys.implementation.cache_tag,
                "sources": {module: source_stamp(source_path(module, root)) for module in COMPILED_MODULES}}
    previous = Path.cwd()
    os.chdir(root)  # mypyc names modules by their path from the current folder
    try:
        with tempfile.TemporaryDirectory(prefix="secpipe-mypyc-") as temp:
            extensions = mypycify(sources, opt_level="3", group_name=GROUP_NAME, target_dir=temp)
            distribution = Distribution({"name": "secpipe-native", "ext_modules": extensions})
            command = distribution.get_command_obj("build_ext")
            command.inplace = True
            command.build_temp = temp
            distribution.run_command("build_ext")
    finally:
        os.chdir(previous)
    manifest_path(root).write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def clean(root: Path = ROOT) -> list[Path]:
    """Remove the compiled modules, the group library and the manifest; returns what was removed."""
    removed = [path for module in (*COMPILED_MODULES, GROUP_NAME + "__mypyc") for path in compiled_paths(module, root)]
    manifest = manifest_path(root)
    if manifest.exists():
        removed.append(manifest)
    for path in removed:
        path.unlink()
    return removed


def compile_quietly(root: Path = ROOT) -> str | None:
    """build() in a child process, its compiler chatter kept; None on success, else the last lines of it."""
    done = subprocess.run([sys.executable, "-m", "pipeline.native_build", "compile", str(root)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return None
    clean(root)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return "\n".join(lines[-5:]) or f"exit status {done.returncode}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "build"
    if command == "compile":  # the child of compile_quietly
        build(Path(args[1]) if len(args) > 1 else ROOT)
        return 0
    if command == "build":
        failure = compile_quietly()
        if failure is not None:
            # Not an error: secpipe runs from its sources, slower and otherwise the same.
            print(f"secpipe: hot modules not compiled; running from sources. The compiler said:\n{failure}",
                  file=sys.stderr)
            return 0
        print(f"secpipe: compiled {len(COMPILED_MODULES)} hot modules with mypyc ({state().reason})")
        return 0
    if command == "clean":
        for path in clean():
            print(f"removed {path.relative_to(ROOT)}")
        return 0
    if command == "status":
        current = state()
        print(f"{'active' if current.active else 'inactive'}: {current.reason}")
        return 0
    print("usage: python -m pipeline.native_build [build|clean|status]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
