"""Reading (repo, branch, build id, tool, filename) back out of an archive key, so the
archive tests check the keys written follow pipeline.archive's layout:
reports/{repo}/{branch}/{build_id}/{tool}/{filename}, each part percent-encoded once.
A key of another shape (a build's own file, one part fewer) reads as None."""
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
