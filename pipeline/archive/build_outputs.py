"""Where each file of a scan's output folder goes in the archive.

`secpipe scan --out DIR` writes the tools' raw reports into DIR/raw/ and the
build's own files (summary.json, findings.asff.json, report.html, ...) into DIR.
- DIR/raw/<file> of a tool -> reports/{repo}/{branch}/{build_id}/{tool}/{file}
  (ReportRef: the layout that names the tool). A raw file
  belongs to the tool whose name starts it ("npm-audit.2.json" -> npm-audit,
  "dependency-check-report.xml" -> dependency-check); the longest name wins.
- any other file -> reports/{repo}/{branch}/{build_id}/{relative path}
  (BuildFileRef: one part fewer, never taken for a tool's report). A raw file no
  tool's name starts (a scanner's log) keeps its "raw/" prefix there, encoded
  into the one part.
Symbolic links are not followed: the archive holds what the scan wrote, nothing
a link could point at.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.archive.base import ArchiveRef, BuildFileRef, ReportRef
from pipeline.errors import ConfigError

RAW_DIR = "raw"  # pipeline.scan's folder for the tools' own reports


@dataclass(frozen=True)
class BuildScope:
    repo: str
    branch: str
    build_id: str


@dataclass(frozen=True)
class OutputFile:
    path: Path
    ref: ArchiveRef
    key: str  # computed up front, so an unusable repo or branch fails before anything is uploaded


def raw_report_tool(filename: str, tools: Mapping[str, str]) -> str | None:
    """The archive tool name of a raw file, from `tools` (file-name prefix -> tool); None when no prefix fits."""
    matches = [prefix for prefix in tools
               if filename == prefix or filename.startswith((f"{prefix}.", f"{prefix}-"))]
    return tools[max(matches, key=len)] if matches else None


def output_files(out_dir: Path, scope: BuildScope, tools: Mapping[str, str]) -> list[OutputFile]:
    """Every regular file under out_dir with the ref it is archived under, in path order."""
    if not out_dir.is_dir():
        raise ConfigError(f"{out_dir}: not a folder of scan output")
    files = []
    for path in sorted(out_dir.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        ref = _ref(path.relative_to(out_dir), scope, tools)
        files.append(OutputFile(path, ref, ref.key))
    return files


def _ref(relative: Path, scope: BuildScope, tools: Mapping[str, str]) -> ArchiveRef:
    if len(relative.parts) == 2 and relative.parts[0] == RAW_DIR:
        tool = raw_report_tool(relative.name, tools)
        if tool is not None:
            return ReportRef(scope.repo, scope.branch, scope.build_id, tool, relative.name)
    return BuildFileRef(scope.repo, scope.branch, scope.build_id, relative.as_posix())
