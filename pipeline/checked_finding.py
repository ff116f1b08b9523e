"""A finding that has passed pipeline.asff_validation in this process, unchanged since.

`secpipe publish` checks every finding of its FILE, then reads each again to send it; the
local hub in the same process checked each one a second time with the same function on
the same bytes (a sixth of the command's CPU). The sequences that hand out checked
findings (pipeline.sinks.asff_file) give them this type, and the in-process hub takes it as
proof (pipeline.hub.imports.check). Only code that has just checked a finding makes one,
from a fresh decode of the bytes it checked; nothing changes one afterwards. A finding that
came over HTTP is a plain dict, so the hub checks it.
"""
from __future__ import annotations

from typing import Any


class CheckedFinding(dict[str, Any]):
    __slots__ = ()
