"""One definition of due, missing, in progress and provisional (rrp.models.week_status)."""

from __future__ import annotations

import datetime as dt

from rrp.models.week_status import (
    WeekState,
    completeness,
    is_due,
    is_provisional,
    last_complete_week,
    missing_weeks,
    week_state,
    week_to_open,
)

TUESDAY = dt.date(2026, 12, 1)
THIS_MONDAY = dt.date(2026, 11, 30)
LAST_MONDAY = dt.date(2026, 11, 23)


def test_last_complete_week_is_the_monday_before_this_weeks():
    assert last_complete_week(TUESDAY) == LAST_MONDAY
    assert last_complete_week(THIS_MONDAY) == LAST_MONDAY
    assert last_complete_week(dt.date(2026, 12, 6)) == LAST_MONDAY  # Sunday: this week not over


def test_week_in_progress_is_not_missing_and_not_due():
    assert week_state(THIS_MONDAY, TUESDAY, entered=False) is WeekState.IN_PROGRESS
    assert week_state(LAST_MONDAY, TUESDAY, entered=False) is WeekState.MISSING
    assert not is_due(TUESDAY, {LAST_MONDAY})
    assert is_due(TUESDAY, {THIS_MONDAY})


def test_saved_before_the_week_ended_is_provisional_until_saved_again():
    # Saved on Tuesday of the same week (UTC 10:00 = 10:00 GMT).
    assert is_provisional(THIS_MONDAY, "2026-12-01T10:00:00Z")
    # Sunday 23:30 in BST is still Sunday: provisional.
    assert is_provisional(dt.date(2026, 6, 1), "2026-06-07T22:30:00Z")
    # Monday 00:30 BST (Sunday 23:30 UTC) is after the week: confirmed.
    assert not is_provisional(dt.date(2026, 6, 1), "2026-06-07T23:30:00Z")
    assert week_state(THIS_MONDAY, TUESDAY, entered=True, updated_at="2026-12-01T10:00:00Z") is WeekState.PROVISIONAL
    assert week_state(LAST_MONDAY, TUESDAY, entered=True, updated_at="2026-12-01T10:00:00Z") is WeekState.ENTERED
    assert not is_provisional(LAST_MONDAY, "not a time")


def test_provisional_reads_the_save_time_in_uk_local_time_whatever_its_form():
    """The UTC-day shortcut (a save on a later UTC day is after the week) must agree with the
    full reading in UK local time, and apply only to times written in UTC."""
    june = dt.date(2026, 6, 1)  # ends Sunday 7 June (BST)
    assert not is_provisional(june, "2026-06-08T00:10:00Z")  # Monday, either way
    assert not is_provisional(june, " 2026-06-09T12:00:00Z ")
    # The same instant as 22:30 UTC on Sunday, written with another offset: still Sunday in BST.
    assert is_provisional(june, "2026-06-08T00:30:00+02:00")
    # Saved on the Sunday's UTC day late enough to be Monday in BST: confirmed.
    assert not is_provisional(june, "2026-06-07T23:00:00Z")
    # No offset: read as UTC (rrp stores only UTC).
    assert is_provisional(june, "2026-06-07T22:30:00")
    # A malformed date ending in Z is not a time: confirmed, as any unreadable save time.
    assert not is_provisional(june, "2026-13-40T00:00:00Z")
    assert not is_provisional(june, "Z")


def test_weeks_before_participation_are_never_missing_or_due():
    joined = dt.date(2026, 11, 26)  # a Thursday: its week (from 23 Nov) is the first due
    assert week_state(dt.date(2026, 11, 16), TUESDAY, entered=False, participation_start=joined) is (
        WeekState.NOT_PARTICIPATING
    )
    assert missing_weeks(TUESDAY, set(), 12, participation_start=joined) == [LAST_MONDAY]
    assert completeness(TUESDAY, [], 12, participation_start=joined) == (0, 1)
    assert completeness(TUESDAY, [LAST_MONDAY], 12) == (1, 12)
    assert not is_due(TUESDAY, set(), participation_start=TUESDAY)


def test_enter_opens_the_latest_missing_complete_week_else_this_week():
    entered = {LAST_MONDAY - dt.timedelta(weeks=k) for k in range(1, 12)}
    assert week_to_open(TUESDAY, entered, lookback=12) == LAST_MONDAY
    assert week_to_open(TUESDAY, entered | {LAST_MONDAY}, lookback=12) == THIS_MONDAY
    assert week_to_open(TUESDAY, {LAST_MONDAY}, lookback=12) == LAST_MONDAY - dt.timedelta(weeks=1)
    assert week_to_open(TUESDAY, set(), lookback=12, participation_start=TUESDAY) == THIS_MONDAY


def test_future_week():
    assert week_state(THIS_MONDAY + dt.timedelta(weeks=1), TUESDAY, entered=False) is WeekState.FUTURE


def test_enter_looks_back_one_week_only():
    # The app's lookback is 1: an older gap is back-filled with Ctrl+G, not opened by Enter.
    older_gap = {LAST_MONDAY}
    assert week_to_open(TUESDAY, older_gap, lookback=1) == THIS_MONDAY
    assert week_to_open(TUESDAY, set(), lookback=1) == LAST_MONDAY


def test_monday_of_and_the_light_import():
    import subprocess
    import sys

    from rrp.models.week_status import monday_of
    from rrp.models.weekly import monday_of as weekly_monday_of

    assert monday_of(TUESDAY) == THIS_MONDAY == monday_of(THIS_MONDAY) and weekly_monday_of is monday_of
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, rrp.models.week_status; print('pydantic' in sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert loaded == "False"  # the home screen's first read needs no pydantic
