"""Build a package folder: wheel, Lambda zip, buildspecs and their manifest."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.packaging.lambda_zip import build_lambda_zip, python_tag
from pipeline.packaging.manifest import MANIFEST_FILE, Artifact, Manifest, sha256_of
from pipeline.packaging.source import read_source, stage_copy
from pipeline.packaging.wheel import build_wheel

BUILDSPECS_FOLDER = "buildspecs"


def build_package(source_root: Path, out: Path) -> Manifest:
    source = read_source(source_root)
    _prepare(out)
    with tempfile.TemporaryDirectory(prefix="secpipe-package-") as scratch:
        work = Path(scratch)
        staged = stage_copy(source, work / "src")
        wheel = build_wheel(source, staged, work, out)
    lambda_zip = build_lambda_zip(wheel, source.name, source.version, out)
    buildspecs = []
    (out / BUILDSPECS_FOLDER).mkdir()
    for file in sorted(p for p in source.buildspecs.iterdir() if p.is_file()):
        copied = out / BUILDSPECS_FOLDER / file.name
        copied.write_bytes(file.read_bytes())
        buildspecs.append(_artifact(out, copied))
    manifest = Manifest(name=source.name, version=source.version, python=python_tag(),
                        wheel=_artifact(out, wheel), lambda_zip=_artifact(out, lambda_zip),
                        buildspecs=tuple(buildspecs))
    manifest.write(out)
    return manifest


def _artifact(out: Path, file: Path) -> Artifact:
    return Artifact(path=file.relative_to(out).as_posix(), sha256=sha256_of(file))


def _prepare(out: Path) -> None:
    """An empty folder, or a previous package (replaced); never someone else's files."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MANIFEST_FILE).is_file():
            raise ConfigError(f"--out {out}: not empty and not a secpipe package folder; choose another folder")
        for child in out.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
