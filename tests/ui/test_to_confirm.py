"""Pilot tests: a week entered before it ended is *to confirm* once it has ended, and a late ward's
join date on the week form (rrp.models.week_status, the one definition).

The demo's last week is 16 Nov (saved on 18 Nov, mid-week). Here the ward also saves the week of
30 Nov on Thursday 3 Dec, while it is in progress; the app is then opened on Tuesday 8 Dec, when
that week has ended and waits to be confirmed. Keys in; the database and the screen asserted.
"""

from __future__ import annotations

import datetime as dt

from pilot import until

from rrp.models.week_status import WeekState
from rrp.models.weekly import WeeklyCounts
from rrp.store import Store, audit

WARD = "NVT-CEDAR"
WEEK = dt.date(2026, 11, 30)
THURSDAY = dt.date(2026, 12, 3)  # the week of 30 Nov in progress
TUESDAY_AFTER = dt.date(2026, 12, 8)  # the week of 30 Nov has ended


def stored(db, week=WEEK, ward=WARD):
    store = Store(db, create=False)
    try:
        return store.weekly.week(ward, week)
    finally:
        store.close()


def history(db, week=WEEK, ward=WARD) -> list[dict]:
    store = Store(db, create=False)
    try:
        return audit.history(store.database, "weekly", f"{ward}/{week.isoformat()}")
    finally:
        store.close()


def save_mid_week(db, bed_days: int | None = None) -> WeeklyCounts:
    """The ward saves the week of 30 Nov on Thursday 3 Dec (bed days so far, or a full week's)."""
    store = Store(db, create=False, who="nurse", clock=lambda: "2026-12-03T15:00:00Z")
    try:
        full = store.weekly.latest_bed_days(WARD, WEEK)
        counts = WeeklyCounts.model_validate(
            dict(ward_code=WARD, week_start=WEEK, restraint=2, prone_restraint=0, seclusion=1,
                 rapid_tranquillisation=0, occupied_bed_days=bed_days if bed_days is not None else full),
            context={"today": THURSDAY},
        )
        store.weekly.save(counts, expected_version=None, today=THURSDAY)
        return counts
    finally:
        store.close()


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def home_row(app, ward=WARD):
    return next(r for r in app.screen.rows if r.ward_code == ward)


def cells(app, ward=WARD) -> list[str]:
    return [getattr(c, "plain", c) for c in app.screen.query_one("#wards").get_row(ward)]


async def home_ready(pilot, app):
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)


async def test_tuesday_after_enter_then_ctrl_s_confirms_the_provisional_week_with_no_reason(demo_db, make_app):
    """Open home on the Tuesday after, Enter, Ctrl+S: the week entered mid-week is confirmed, no
    reason asked (no correction), and home no longer counts it as not submitted."""
    save_mid_week(demo_db)
    Store(demo_db).preferences.set("last_ward", WARD)
    version = stored(demo_db).version
    app = make_app(demo_db, today=TUESDAY_AFTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot, app)
        assert home_row(app).last_week is WeekState.TO_CONFIRM and home_row(app).due
        assert cells(app)[3] == "conf?"  # compact at 80 columns; "to confirm" when wide
        due_before = sum(r.due for r in app.screen.rows)
        confirm_before = sum(r.last_week is WeekState.TO_CONFIRM for r in app.screen.rows)
        assert confirm_before >= 1
        assert f"{due_before} have not entered last week ({confirm_before} to confirm)." in text(app, "#home-status")
        keys = ["enter", "ctrl+s"]
        await pilot.press(keys[0])
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.stored is not None)
        form = app.screen
        # Enter opens the week to confirm, not the week in progress (7 Dec).
        assert form.week_start == WEEK
        assert "Ctrl+S confirms it" in text(app, "#week-state")
        assert "Edit to update it" in text(app, "#week-state")  # not a correction (needs_reason)
        missing = text(app, "#week-missing")
        assert missing.startswith("Missing or to confirm (last 26): 30 Nov to confirm, 23 Nov, 16 Nov to confirm")
        await pilot.press(keys[1])
        await until(pilot, lambda: stored(demo_db).version == version + 1 and not form.saving)
        assert app.screen is form  # no "are you sure?", no "why?"
        assert text(app, "#week-banner").startswith("Saved week of 30 Nov 2026")
        assert "PROVISIONAL" not in text(app, "#week-state")
        assert "Edit to correct it" in text(app, "#week-state")  # confirmed: a change now is a correction
        assert text(app, "#week-missing").startswith("Missing or to confirm (last 26): 23 Nov, 16 Nov to confirm")
        assert len(keys) == 2
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and cells(app)[3] == "✓")
        assert home_row(app).last_week is WeekState.ENTERED and not home_row(app).due
        assert sum(r.due for r in app.screen.rows) == due_before - 1
    week = stored(demo_db)
    assert week.updated_at == "2026-12-08T09:00:00Z" and week.updated_by == "nurse"
    last = history(demo_db)[-1]
    assert last["action"] == "update" and "reason" not in (last["after"] or {})  # audited, no reason


async def test_a_provisional_week_is_kept_up_to_date_without_questions_then_confirmed(demo_db, make_app):
    """During the week: bed days so far are not questioned and an update asks no reason (a
    slipped key in a count still is). After it: confirming with the full bed days asks no
    reason; a change after that is a correction and asks why."""
    app = make_app(demo_db, today=THURSDAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("week_entry", ward_code=WARD, week_start=WEEK)
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
        form = app.screen
        assert form.form_values()["occupied_bed_days"] == ""  # no full-week pre-fill
        await pilot.press("2", "tab", "0", "tab", "1", "tab", "0", "tab", *"20", "ctrl+s")
        await until(pilot, lambda: stored(demo_db) is not None and not form.saving)
        assert app.screen is form and stored(demo_db).counts.occupied_bed_days == 20
        # Update the week in progress: 3 restraints, 30 bed days so far. No question at all.
        form.query_one("#f-restraint").focus()
        await pilot.press("ctrl+a", "ctrl+k", "3")
        form.query_one("#f-occupied_bed_days").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"30", "ctrl+s")
        await until(pilot, lambda: stored(demo_db).version == 2 and not form.saving)
        assert app.screen is form
        assert (stored(demo_db).counts.restraint, stored(demo_db).counts.occupied_bed_days) == (3, 30)
        # A slipped key in a count is still questioned mid-week.
        form.query_one("#f-restraint").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"500", "ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "SureScreen")
        question = text(app, "#confirm-question")
        assert "Restraints 500" in question and "Occupied bed days" not in question
        await pilot.press("n")
        await until(pilot, lambda: app.screen is form and not form.saving)
    assert stored(demo_db).counts.restraint == 3
    assert [row["action"] for row in history(demo_db)] == ["insert", "update"]
    assert all("reason" not in (row["after"] or {}) for row in history(demo_db))

    full = stored(demo_db, WEEK - dt.timedelta(weeks=2)).counts.occupied_bed_days  # the demo's 16 Nov
    Store(demo_db).preferences.set("last_ward", WARD)
    app = make_app(demo_db, today=TUESDAY_AFTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot, app)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.stored is not None)
        form = app.screen
        assert form.week_start == WEEK
        form.query_one("#f-occupied_bed_days").focus()
        await pilot.press("ctrl+a", "ctrl+k", *str(full), "ctrl+s")  # the full week's bed days
        await until(pilot, lambda: stored(demo_db).version == 3 and not form.saving)
        assert app.screen is form  # confirmed with a change: no reason asked
        assert "PROVISIONAL" not in text(app, "#week-state")
        # Confirmed now: a change is a correction.
        form.query_one("#f-seclusion").focus()
        await pilot.press("ctrl+a", "ctrl+k", "2", "ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press(*"late report", "enter")
        await until(pilot, lambda: stored(demo_db).version == 4)
    week = stored(demo_db)
    assert (week.counts.occupied_bed_days, week.counts.seclusion) == (full, 2)
    rows = history(demo_db)
    assert "reason" not in rows[2]["after"] and rows[3]["after"]["reason"] == "late report"


async def test_the_week_form_leaves_out_weeks_before_a_late_ward_joined(demo_db, make_app):
    """`j` sets Dove Ward's join date; the week form's list of weeks to do and Ctrl+G then agree
    with home: no week before the ward joined is missing."""
    dove = "NVT-DOVE"
    Store(demo_db).preferences.set("last_ward", dove)
    app = make_app(demo_db, today=TUESDAY_AFTER)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot, app)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
        assert app.screen.week_start == WEEK  # missing before the join date is set
        assert text(app, "#week-missing").startswith("Missing weeks (last 26): 30 Nov, 23 Nov, 16 Nov")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        await pilot.press("j")
        await until(pilot, lambda: type(app.screen).__name__ == "ParticipationScreen")
        await pilot.press(*"07/12/2026", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen" and cells(app, dove)[3] == "n/a")
        assert home_row(app, dove).last_week is WeekState.NOT_PARTICIPATING and not home_row(app, dove).due
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
        form = app.screen
        assert form.week_start == TUESDAY_AFTER - dt.timedelta(days=1)  # its first week, in progress
        assert form.missing == [] and text(app, "#week-missing") == "No missing weeks in the last 26."
        await pilot.press("pageup")
        await until(pilot, lambda: form.week_start == WEEK)
        assert text(app, "#week-missing") == "No missing weeks in the last 26."
        await pilot.press("ctrl+g")
        await until(pilot, lambda: any("No missing weeks" in n.message for n in app._notifications))
        assert form.week_start == WEEK
    assert Store(demo_db, create=False).registry.ward(dove).participation_start == dt.date(2026, 12, 7)
