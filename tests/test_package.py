"""`secpipe package --out DIR`: the same source gives the same bytes (wheel, Lambda zip,
buildspecs, manifest), the Lambda zip holds the handlers and their runtime dependencies
but not what the Lambda runtime provides, and the wheel installs into a fresh venv
(offline) from which `secpipe scan` runs on a repository that is not Python."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from pipeline.packaging.manifest import MANIFEST_FILE, read_manifest, sha256_of
from pipeline.packaging.source import read_source
from pipeline.tools import registry
from pipeline.tools.locate import TOOLS_DIR_ENV, tools_dir
from tests.conftest import PROJECT

CLI = [sys.executable, "-m", "pipeline.cli"]


def _secpipe(*args: str, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd or PROJECT)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout's build inputs, so two builds see the same files while
    other work goes on in the working tree."""
    root = tmp_path_factory.mktemp("source")
    source = read_source(PROJECT)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, root / name)
    for folder in (*source.packages, "buildspecs"):
        shutil.copytree(PROJECT / folder, root / folder, ignore=ignore)
    return root


@pytest.fixture(scope="module")
def packaged(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    for out in (first, second):
        done = _secpipe("package", "--out", str(out), "--source", str(snapshot))
        assert done.returncode == 0, done.stderr
    return first, second


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_packaging_twice_gives_the_same_bytes(packaged: tuple[Path, Path]) -> None:
    first, second = packaged
    assert _files(first) == _files(second)
    version = read_source(PROJECT).version
    assert sorted(_files(first)) == sorted([
        MANIFEST_FILE, f"secpipe-{version}-py3-none-any.whl", f"secpipe-lambda-{version}.zip",
        *(f"buildspecs/{p.name}" for p in (PROJECT / "buildspecs").iterdir() if p.is_file())])


def test_the_manifest_pins_every_file_by_sha256(packaged: tuple[Path, Path]) -> None:
    folder = packaged[0]
    manifest = read_manifest(folder)  # re-checks every digest
    assert {a.path for a in manifest.artifacts} == set(_files(folder)) - {MANIFEST_FILE}
    for artifact in manifest.artifacts:
        assert artifact.sha256 == sha256_of(folder / artifact.path)
    assert manifest.prefix.startswith(f"packages/{manifest.version}-")
    document = json.loads((folder / MANIFEST_FILE).read_text())
    assert document["wheel"]["path"] == f"secpipe-{manifest.version}-py3-none-any.whl"


@pytest.mark.parametrize("artifact", ["wheel", "lambda_zip"])
def test_archives_have_sorted_entries_one_timestamp_and_fixed_permissions(packaged: tuple[Path, Path],
                                                                          artifact: str) -> None:
    folder = packaged[0]
    path = folder / getattr(read_manifest(folder), artifact).path
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {(info.external_attr >> 16) & 0o777 for info in infos} == {0o644}
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_lambda_zip_holds_the_handlers_and_runtime_dependencies_only(packaged: tuple[Path, Path]) -> None:
    folder = packaged[0]
    with zipfile.ZipFile(folder / read_manifest(folder).lambda_zip.path) as archive:
        names = set(archive.namelist())
    tops = {name.split("/")[0] for name in names}
    assert {"lambdas", "pipeline", "parsers", "reports"} <= tops
    assert "lambdas/__init__.py" in names
    assert {"jinja2", "defusedxml", "requests"} <= tops
    # Provided by every Python Lambda runtime, or only used to build the package.
    assert not tops & {"boto3", "botocore", "s3transfer", "setuptools", "packaging"}
    assert not [name for name in names if name.startswith("secpipe-")], "the wheel's own metadata is not code"


def test_out_must_be_an_empty_folder_or_a_previous_package(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    done = _secpipe("package", "--out", str(a_file))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "is a file" in done.stderr
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "notes.txt").write_text("keep me")
    done = _secpipe("package", "--out", str(tmp_path / "theirs"))
    assert done.returncode == 2 and "not a secpipe package folder" in done.stderr
    assert (tmp_path / "theirs" / "notes.txt").read_text() == "keep me"


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path: Path) -> None:
    done = _secpipe("package", "--out", str(tmp_path / "out"), "--source", str(tmp_path))
    assert done.returncode == 2 and "no pyproject.toml" in done.stderr


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_venv_and_scans_a_node_repository(packaged: tuple[Path, Path],
                                                                         tmp_path: Path) -> None:
    folder = packaged[0]
    wheel = folder / read_manifest(folder).wheel.path
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    # Offline: the wheel alone with this venv's pip; its dependencies come from this
    # venv's site-packages through a .pth (which does not run this venv's editable hook).
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index",
                           "--no-deps", str(wheel)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (Path(site) / "dependencies-from-the-test-venv.pth").write_text("\n".join(ours) + "\n")
    where = subprocess.run([str(python), "-c", "import pipeline; print(pipeline.__file__)"], capture_output=True,
                           text=True, timeout=60, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(site), "secpipe must come from the wheel, not the checkout"

    repo = tmp_path / "node-app"
    (repo / "infra").mkdir(parents=True)
    (repo / "package.json").write_text(json.dumps({"name": "shop", "version": "1.0.0", "dependencies": {}}))
    (repo / "index.js").write_text("console.log('hello');\n")
    (repo / "infra" / "app.yaml").write_text(_BUCKET_TEMPLATE)
    if registry.get("cfn-lint").missing():
        pytest.skip("cfn-lint is not installed here (secpipe tools install cfn-lint); the install itself passed")
    environment = {"PATH": f"{fresh / 'bin'}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path / "home"),
                   TOOLS_DIR_ENV: str(tools_dir()), "SECPIPE_HUB_DB": str(tmp_path / "hub.sqlite3")}
    scan = subprocess.run(["secpipe", "scan", str(repo), "--tools", "cfn-lint", "--out", str(tmp_path / "out"),
                           "--repo", "acme/shop", "--branch", "main"],
                          capture_output=True, text=True, timeout=300, env=environment, cwd=tmp_path)
    assert scan.returncode in (0, 1), scan.stderr
    assert "gate:" in scan.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [(run["tool"], run["status"]) for run in summary["runs"]] == [("cfn-lint", "passed")]
    assert summary["repo"] == "acme/shop"


_BUCKET_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""
