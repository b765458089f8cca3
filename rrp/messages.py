"""Plain-language labels shared by the screens, the reports and the exports."""

from __future__ import annotations

import datetime as dt

#: Ward types as people say them, keyed by the stored value (the WardType enum's values).
WARD_TYPE_LABELS: dict[str, str] = {
    "acute_adult": "Acute adult",
    "picu": "PICU",
    "ld_autism": "LD / autism",
    "older_adult": "Older adult",
    "camhs": "CAMHS",
    "forensic": "Forensic",
    "rehab": "Rehabilitation",
}


def week_label(week_start: dt.date, today: dt.date) -> str:
    """'this week', 'last week' or 'N weeks ago' relative to today."""
    this_monday = today - dt.timedelta(days=today.weekday())
    weeks = (this_monday - week_start).days // 7
    if weeks == 0:
        return "this week"
    if weeks == 1:
        return "last week"
    if weeks < 0:
        return "a future week"
    return f"{weeks} weeks ago"


def day_month(day: dt.date) -> str:
    """'16 Nov 2026' (no leading zero), the way ward staff write dates."""
    return f"{day.day} {day:%b %Y}"
