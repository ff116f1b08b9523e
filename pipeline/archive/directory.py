"""Reports archived in a local folder (the laptop and CI default)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pipeline.archive.base import ArchiveRef, ReportArchive, StoredReport, digest
from pipeline.errors import ConfigError


class DirArchive(ReportArchive):
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, ref: ArchiveRef) -> Path:
        path = self.root.joinpath(*ref.key.split("/"))
        root = self.root.resolve()
        if root not in path.resolve().parents:
            raise ConfigError(f"archive path {path} is outside {root}")
        return path

    def store(self, ref: ArchiveRef, data: bytes) -> StoredReport:
        path = self._path(ref)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a report.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return StoredReport(location=str(path), key=ref.key, size=len(data), sha256=digest(data))

    def fetch(self, ref: ArchiveRef) -> bytes:
        return self._path(ref).read_bytes()
