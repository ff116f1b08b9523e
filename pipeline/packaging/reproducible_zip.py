"""Zip files whose bytes depend only on their entries: sorted names, one fixed
timestamp, fixed permissions and a fixed compression level. Two builds of the same
files give the same archive, so its sha256 can be pinned."""
from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# The earliest time a zip entry can hold; SOURCE_DATE_EPOCH (the reproducible-builds
# convention) may choose another.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644
_EXECUTABLE_MODE = 0o755
_UNIX = 3


@dataclass(frozen=True)
class Entry:
    name: str  # forward slashes, relative
    data: bytes
    executable: bool = False


def timestamp() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return _ZIP_EPOCH
    moment = time.gmtime(max(int(epoch), 315532800))  # not before 1980-01-01
    return (moment.tm_year, moment.tm_mon, moment.tm_mday, moment.tm_hour, moment.tm_min, moment.tm_sec - moment.tm_sec % 2)


def write_zip(path: Path, entries: Iterable[Entry]) -> None:
    """Write `entries` to `path` in name order (a duplicate name is a bug in the caller)."""
    ordered = sorted(entries, key=lambda entry: entry.name)
    names = [entry.name for entry in ordered]
    if len(names) != len(set(names)):
        raise ValueError(f"{path.name}: duplicate entries {sorted({n for n in names if names.count(n) > 1})}")
    when = timestamp()
    with zipfile.ZipFile(path, "w") as archive:
        for entry in ordered:
            info = zipfile.ZipInfo(entry.name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            mode = _EXECUTABLE_MODE if entry.executable else _FILE_MODE
            info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
            archive.writestr(info, entry.data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def entries_of(path: Path) -> list[Entry]:
    """The entries of an existing zip (to rewrite it reproducibly), directories dropped."""
    with zipfile.ZipFile(path) as archive:
        return [Entry(info.filename, archive.read(info), executable=bool((info.external_attr >> 16) & 0o111))
                for info in archive.infolist() if not info.is_dir()]
