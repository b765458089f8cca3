"""Times and dates as people read them: UK local time, UK format.

The database keeps every timestamp in UTC (ISO 8601, `2026-12-01T04:52:06Z`); screens, CLI
reports and messages show them through `local_time_text` ("1 Dec 2026 04:52", British Summer
Time when it applies) and dates through `rrp.messages.day_month` ("1 Dec 2026"). Exports keep ISO UTC:
they are for machines.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rrp.messages import day_month

#: Every ward in the collaborative is in England.
UK_ZONE_NAME = "Europe/London"


@cache
def uk_zone() -> dt.tzinfo:
    """Europe/London (tzdata, a dependency of pandas, supplies it where the system has none)."""
    try:
        return ZoneInfo(UK_ZONE_NAME)
    except ZoneInfoNotFoundError:  # pragma: no cover - tzdata is a dependency on Windows
        return dt.UTC


def local_time(utc_iso: str) -> dt.datetime | None:
    """The stored UTC timestamp as an aware UK-local datetime; None when it is not a timestamp."""
    text = (utc_iso or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # stored without an offset: rrp only ever stores UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(uk_zone())


def local_time_text(utc_iso: str) -> str:
    """'1 Dec 2026 04:52' in UK local time (GMT or BST) for a stored UTC timestamp.

    Text that is not a timestamp is returned as it is (never an exception in a message).
    """
    moment = local_time(utc_iso)
    if moment is None:
        return str(utc_iso or "")
    return f"{day_month(moment.date())} {moment:%H:%M}"
