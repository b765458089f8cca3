"""Pilot tests: which week Enter opens, weeks in progress saved as provisional and confirmed,
and a late-joining ward's participation start (`j` on the home screen).

The demo's last week is Monday 16 Nov 2026, saved (by the fixed test clock) on Wednesday
18 Nov, while it was in progress: provisional until someone saves it again after it has ended.
"""

from __future__ import annotations

import datetime as dt

from pilot import confirm_week, until

from rrp.models.week_status import WeekState
from rrp.store import Store

WARD = "NVT-CEDAR"
DEMO_LAST = dt.date(2026, 11, 16)
#: Tuesday 1 Dec: last week (23 Nov) has ended and is not entered.
TUESDAY = dt.date(2026, 12, 1)
LAST_WEEK = dt.date(2026, 11, 23)
#: Wednesday 25 Nov: the week of 23 Nov is in progress; the last complete week (16 Nov) is entered.
WEDNESDAY = dt.date(2026, 11, 25)


def stored(db, week, ward=WARD):
    return Store(db, create=False).weekly.week(ward, week)


async def home_ready(pilot, app):
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)


def cells(app, ward=WARD) -> list[str]:
    """The home table's row for `ward`, as text (compact at 80 columns: Provider, Ward, This, Last, ...)."""
    table = app.screen.query_one("#wards")
    return [getattr(c, "plain", c) for c in table.get_row(ward)]


def row(app, ward=WARD):
    return next(r for r in app.screen.rows if r.ward_code == ward)


async def open_entry(pilot, app):
    await pilot.press("enter")
    await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)


async def test_enter_opens_last_week_when_it_is_missing_with_bed_days_pre_filled(demo_db, make_app):
    Store(demo_db).preferences.set("last_ward", WARD)
    app = make_app(demo_db, today=TUESDAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot, app)
        assert cells(app)[2:4] == ["-", "due"]  # this week in progress, last week due
        assert (row(app).this_week, row(app).last_week) == (WeekState.IN_PROGRESS, WeekState.MISSING)
        await open_entry(pilot, app)
        screen = app.screen
        assert screen.week_start == LAST_WEEK and screen.stored is None
        before = Store(demo_db, create=False).weekly.latest_bed_days(WARD, LAST_WEEK)
        assert screen.form_values()["occupied_bed_days"] == str(before)
        assert "pre-filled" in str(screen.query_one("#week-state").render())
        await pilot.press("1", "tab", "0", "tab", "0", "tab", "0", "tab", "ctrl+s")
        await until(pilot, lambda: stored(demo_db, LAST_WEEK) is not None)
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and cells(app)[3] == "✓")
        assert row(app).last_week is WeekState.ENTERED and not row(app).due
    saved = stored(demo_db, LAST_WEEK)
    assert saved.counts.occupied_bed_days == before and saved.updated_at == "2026-12-01T09:00:00Z"


async def test_a_week_in_progress_opens_blank_and_is_saved_provisional(demo_db, make_app):
    Store(demo_db).preferences.set("last_ward", WARD)
    # Last week (16 Nov), saved by the demo on 18 Nov, confirmed on Monday 23rd: submitted.
    confirm_week(demo_db, DEMO_LAST, at="2026-11-23T09:00:00Z", wards=[WARD])
    app = make_app(demo_db, today=WEDNESDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await home_ready(pilot, app)
        assert cells(app)[3:5] == ["-", "done"]
        assert not row(app).due
        await open_entry(pilot, app)
        screen = app.screen
        assert screen.week_start == monday(WEDNESDAY) and screen.stored is None
        assert screen.form_values()["occupied_bed_days"] == ""  # no full-week pre-fill
        assert "PROVISIONAL" in str(screen.query_one("#week-state").render())
        await pilot.press("0", "tab", "0", "tab", "0", "tab", "0", "tab", *"30", "ctrl+s")
        await until(pilot, lambda: stored(demo_db, monday(WEDNESDAY)) is not None)
        await until(pilot, lambda: "saved before the week ended" in str(screen.query_one("#week-state").render()))
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and cells(app)[3] == "prov")
        assert row(app).this_week is WeekState.PROVISIONAL
    assert stored(demo_db, monday(WEDNESDAY)).counts.occupied_bed_days == 30


async def test_saving_a_provisional_week_again_after_it_ended_confirms_it(demo_db, make_app):
    Store(demo_db).preferences.set("last_ward", WARD)
    app = make_app(demo_db, today=TUESDAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot, app)
        await open_entry(pilot, app)  # the missing 23 Nov; the provisional 16 Nov is one before
        await pilot.press("pageup")
        await until(pilot, lambda: app.screen.week_start == DEMO_LAST and app.screen.stored is not None)
        state = str(app.screen.query_one("#week-state").render())
        assert "PROVISIONAL" in state and "Ctrl+S confirms it" in state
        version = app.screen.stored.version
        await pilot.press("ctrl+s")  # nothing changed: the save confirms it
        await until(pilot, lambda: stored(demo_db, DEMO_LAST).version == version + 1)
        await until(pilot, lambda: "PROVISIONAL" not in str(app.screen.query_one("#week-state").render()))
    week = stored(demo_db, DEMO_LAST)
    assert week.updated_at == "2026-12-01T09:00:00Z" and week.updated_by == "nurse"


async def test_j_sets_a_late_joining_wards_participation_start(demo_db, make_app):
    Store(demo_db).preferences.set("last_ward", WARD)
    app = make_app(demo_db, today=TUESDAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot, app)
        due_before = sum(r.due for r in app.screen.rows)
        assert row(app).due
        await pilot.press("j")
        await until(pilot, lambda: type(app.screen).__name__ == "ParticipationScreen")
        await pilot.press(*"31/11/2026", "enter")  # no such day: refused beside the box
        await until(pilot, lambda: "not a date" in str(app.screen.query_one("#e-participation").render()))
        assert Store(demo_db, create=False).registry.ward(WARD).participation_start is None
        await pilot.press("ctrl+a", "ctrl+k", *"30/11/2026", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and cells(app)[3] == "n/a")
        assert row(app).last_week is WeekState.NOT_PARTICIPATING and not row(app).due
        assert sum(r.due for r in app.screen.rows) == due_before - 1
        assert f"{due_before - 1} have not entered last week" in str(app.screen.query_one("#home-status").render())
        assert Store(demo_db, create=False).registry.ward(WARD).participation_start == dt.date(2026, 11, 30)
        # Enter now opens the week in progress (the ward's first), not a week before it joined.
        await open_entry(pilot, app)
        assert app.screen.week_start == TUESDAY - dt.timedelta(days=1)
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        # Emptied: the ward always took part again.
        await pilot.press("j")
        await until(pilot, lambda: type(app.screen).__name__ == "ParticipationScreen")
        assert app.screen.query_one("#participation-date").value == "30/11/2026"
        await pilot.press("ctrl+a", "ctrl+k", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and cells(app)[3] == "due")
    assert Store(demo_db, create=False).registry.ward(WARD).participation_start is None


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


async def test_home_trend_and_latest_leave_a_provisional_week_out(demo_db, make_app):
    """The demo's 16 Nov, saved on the 18th, is provisional on 25 Nov: the home screen's latest
    total and trend come from 9 Nov back, as the huddle's and the dashboard's figures do."""
    earlier = DEMO_LAST - dt.timedelta(weeks=1)
    week = stored(demo_db, earlier).counts
    app = make_app(demo_db, today=WEDNESDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await home_ready(pilot, app)
        shown = row(app)
        assert shown.last_week == WeekState.TO_CONFIRM  # ended, not confirmed: still no point
        assert shown.latest_week == earlier
        assert shown.latest_total == week.restraint + week.seclusion + week.rapid_tranquillisation
        assert shown.trend[-2] is None  # the week of 16 Nov: no point
        assert shown.trend[-3] is not None
