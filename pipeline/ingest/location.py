"""Read (repo, branch, build id, tool, filename) back out of an archive key.

The layout is pipeline.archive's: reports/{repo}/{branch}/{build_id}/{tool}/{filename},
each part percent-encoded. The decoded parts are accepted only if ReportRef
encodes them back to the very same key, so there is one definition of the
layout (ReportRef.key) and this is merely its inverse.
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
        return ref if ref.key == key else None
    except ConfigError:  # an empty or '..' part
        return None
