"""The home screen's rows (rrp.reports.home_rows): week states, trend and latest total per ward,
by the rules of rrp.models.week_status."""

from __future__ import annotations

import datetime as dt

from rrp.models.week_status import WeekState
from rrp.reports.home_rows import TREND_WEEKS, home_rows, trend_start
from rrp.store.home import HomeWard

TODAY = dt.date(2026, 11, 18)  # a Wednesday: this week began 16 Nov, last week 9 Nov
THIS, LAST = dt.date(2026, 11, 16), dt.date(2026, 11, 9)
AFTER = "2026-11-17T08:00:00Z"  # saved after last week ended
DURING = "2026-11-12T08:00:00Z"  # saved while last week was running


def _ward(code: str = "W1", joined: dt.date | None = None) -> HomeWard:
    return HomeWard(code, "P1", "Provider One", f"Ward {code}", "acute", joined)


def test_a_confirmed_week_is_charted_and_entered():
    (row,) = home_rows([_ward()], {"W1": {LAST: (3, 60, AFTER)}}, TODAY)
    assert row.last_week is WeekState.ENTERED and row.this_week is WeekState.IN_PROGRESS
    assert not row.due
    assert row.latest_total == 3 and row.latest_week == LAST
    assert len(row.trend) == TREND_WEEKS and row.trend[-2] == 50.0 and row.trend[-1] is None


def test_a_week_saved_before_it_ended_is_to_confirm_due_and_not_charted():
    older = LAST - dt.timedelta(weeks=1)
    (row,) = home_rows([_ward()], {"W1": {older: (1, 70, "2026-11-09T10:00:00Z"), LAST: (9, 60, DURING)}}, TODAY)
    assert row.last_week is WeekState.TO_CONFIRM and row.due
    assert row.latest_total == 1 and row.latest_week == older  # the provisional week is no point
    assert row.trend[-2] is None


def test_a_week_in_progress_saved_now_is_provisional_and_not_charted():
    (row,) = home_rows([_ward()], {"W1": {THIS: (2, 50, "2026-11-18T08:00:00Z")}}, TODAY)
    assert row.this_week is WeekState.PROVISIONAL
    assert row.latest_total is None and row.trend[-1] is None


def test_before_the_ward_joined_nothing_is_due():
    (row,) = home_rows([_ward(joined=THIS)], {}, TODAY)
    assert row.last_week is WeekState.NOT_PARTICIPATING and not row.due
    (row,) = home_rows([_ward(joined=LAST)], {}, TODAY)
    assert row.last_week is WeekState.MISSING and row.due


def test_rows_follow_the_wards_order_and_a_ward_without_weeks_has_an_empty_trend():
    rows = home_rows([_ward("W2"), _ward("W1")], {"W1": {LAST: (0, 0, AFTER)}}, TODAY)
    assert [r.ward_code for r in rows] == ["W2", "W1"]
    assert rows[0].trend == [None] * TREND_WEEKS
    assert rows[1].trend[-2] is None and rows[1].latest_total == 0  # no bed days: no rate, a total
    assert trend_start(TODAY) == THIS - dt.timedelta(weeks=TREND_WEEKS - 1)
