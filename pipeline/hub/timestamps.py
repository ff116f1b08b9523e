"""ASFF timestamps (RFC 3339 with a zone, up to 9 fractional digits) to sortable integers."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):?(\d\d)?)$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# The findings of one import share their CreatedAt and UpdatedAt: each distinct text is converted once.
@lru_cache(maxsize=4096)
def to_microseconds(text: str) -> int:
    """Microseconds since the epoch, UTC; ValueError for anything that is not an ASFF timestamp."""
    match = _TIMESTAMP.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an RFC 3339 timestamp with a zone")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = (match.group(7) or "").ljust(6, "0")[:6]
    zone = UTC
    if match.group(8) != "Z":
        sign = -1 if match.group(9) == "-" else 1
        zone = timezone(sign * timedelta(hours=int(match.group(10)), minutes=int(match.group(11) or 0)))
    # 23:59:60 (a leap second) is valid ASFF; fold it into the next second.
    leap = second == 60
    moment = datetime(year, month, day, hour, minute, 59 if leap else second, int(fraction), tzinfo=zone)
    if leap:
        moment += timedelta(seconds=1)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def now_iso(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_microseconds(moment: datetime | None = None) -> int:
    moment = moment or datetime.now(UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)
