"""The home screen's rows: each active ward's week states, 12-week trend and latest total.

Pure: the wards and their recent weeks as `rrp.store.home` reads them in, rows out. Every rule
comes from `rrp.models.week_status` (due, provisional, to confirm, before the ward joined), so
home cannot disagree with the huddle or the dashboard. Light on purpose (no pandas, no
pydantic): it runs for the first screen, before the rest of the app has loaded, and for 2,000
wards at national scale, so each ward's provisional weeks are worked out once and reused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rrp.messages import WARD_TYPE_LABELS
from rrp.models.week_status import (
    WeekState,
    is_due,
    last_complete_week,
    monday_of,
    provisional_weeks,
    week_state,
)

if TYPE_CHECKING:  # for the types only: the rows are built from what the store read
    from rrp.store.home import HomeWard, RecentWeek

#: Weeks in the home screen's trend (this week and the 11 before it).
TREND_WEEKS = 12


@dataclass(frozen=True)
class HomeRow:
    """One ward's line on the home screen."""

    provider_name: str
    ward_code: str
    ward_name: str
    ward_type: str
    this_week: WeekState
    last_week: WeekState
    #: Restrictive practice per 1,000 occupied bed days, oldest first (None: no charted week).
    trend: list[float | None]
    latest_total: int | None
    latest_week: dt.date | None
    #: The ward has not entered its last complete week (and took part that week).
    due: bool = False
    participation_start: dt.date | None = None


def trend_start(today: dt.date) -> dt.date:
    """The first week of the trend: what `rrp.store.home.recent_weeks` must read from."""
    return monday_of(today) - dt.timedelta(weeks=TREND_WEEKS - 1)


def home_rows(
    wards: Iterable[HomeWard], recent: Mapping[str, Mapping[dt.date, RecentWeek]], today: dt.date
) -> list[HomeRow]:
    """A row per ward, in the order given; `recent`: ward -> week -> (total, bed days, saved at)."""
    this_monday = monday_of(today)
    last_monday = last_complete_week(today)
    first = trend_start(today)
    trend_weeks = [first + dt.timedelta(weeks=i) for i in range(TREND_WEEKS)]
    rows = []
    for ward in wards:
        weeks = recent.get(ward.code, {})
        unconfirmed = provisional_weeks({week: saved for week, (_, _, saved) in weeks.items()})
        # A provisional week is no point of any chart (figures.measure_points): neither the trend
        # nor the latest total, as on the huddle and the dashboard.
        charted = {week: value for week, value in weeks.items() if week not in unconfirmed}
        trend = [
            (1000 * charted[week][0] / charted[week][1]) if week in charted and charted[week][1] else None
            for week in trend_weeks
        ]
        latest_week = max(charted, default=None)
        joined = ward.participation_start

        def state(week: dt.date, weeks: Mapping[dt.date, RecentWeek] = weeks,
                  joined: dt.date | None = joined) -> WeekState:
            saved = weeks[week][2] if week in weeks else None
            return week_state(week, today, entered=week in weeks, updated_at=saved, participation_start=joined)

        rows.append(
            HomeRow(
                provider_name=ward.provider_name,
                ward_code=ward.code,
                ward_name=ward.name,
                ward_type=WARD_TYPE_LABELS.get(ward.ward_type, ward.ward_type),
                this_week=state(this_monday),
                last_week=state(last_monday),
                trend=trend,
                latest_total=charted[latest_week][0] if latest_week else None,
                latest_week=latest_week,
                due=is_due(today, weeks.keys(), participation_start=joined, unconfirmed=unconfirmed),
                participation_start=joined,
            )
        )
    return rows
