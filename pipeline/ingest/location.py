"""Read (repo, branch, build id, tool, filename) back out of an archive key.

The layout is pipeline.archive's: reports/{repo}/{branch}/{build_id}/{tool}/{filename},
each part percent-encoded. Each part is percent-decoded once and must still be
a part ReportRef accepts (not empty, not '.' or '..'). Re-encoding is not
required to give the same key back: buildspecs/archive-reports.sh writes keys
with ReportRef itself (`secpipe archive upload`), but an uploader elsewhere may
encode only '%' and '/', keeping characters (a space, say) that ReportRef would
encode, and its keys mean the same report.
"""
from __future__ import annotations

from urllib.parse import unquote

from pipeline.archive.base import KEY_PREFIX, ReportRef
from pipeline.errors import ConfigError

_PARTS = 5  # repo, branch, build id, tool, filename


def ref_from_key(key: str) -> ReportRef | None:
    """The ReportRef whose key this is, or None when the key does not follow the layout."""
    prefix, _, rest = key.partition("/")
    parts = rest.split("/")
    if prefix != KEY_PREFIX or len(parts) != _PARTS:
        return None
    ref = ReportRef(*(unquote(part) for part in parts))
    try:
        ref.parts()  # the archive's own check of each part
    except ConfigError:  # an empty or '..' part
        return None
    return ref
