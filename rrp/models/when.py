"""Times and dates as people read them: UK local time, UK format.

The database keeps every timestamp in UTC (ISO 8601, `2026-12-01T04:52:06Z`); screens, CLI
reports and messages show them through `local_time_text` ("1 Dec 2026 04:52", British Summer
Time when it applies) and dates through `rrp.messages.day_month` ("1 Dec 2026"), `short_day`
("8 Jun", in a list of recent weeks), `month_text` ("Dec 2026") and `uk_dates` (every ISO date in a
line of text). Exports keep ISO UTC: they are for machines.
"""

from __future__ import annotations

import datetime as dt
import re
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


#: An ISO date standing alone in text (not part of a timestamp or a longer number).
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d:T])")


def short_day(day: dt.date) -> str:
    """'8 Jun' (no year): in a list of recent weeks, where the year is plain."""
    return f"{day.day} {day:%b}"


def month_text(day: dt.date) -> str:
    """'Dec 2026': the month holding `day`."""
    return f"{day:%b %Y}"


def uk_dates(text: str) -> str:
    """`text` with each ISO date in it (2024-12-09) written the UK way (9 Dec 2024)."""

    def uk(match: re.Match[str]) -> str:
        try:
            return day_month(dt.date(*(int(g) for g in match.groups())))
        except ValueError:  # not a real date: left as it was
            return match.group(0)

    return _ISO_DATE.sub(uk, text)
