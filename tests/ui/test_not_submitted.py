"""Pilot: the dashboard's `u` lists the wards that have not submitted last week and `c` copies
the list; a ward whose week is entered but not confirmed is on it, marked "to confirm"; a ward
that joined after that week is not on it (rrp.models.week_status)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pilot import confirm_week, until

from rrp.store import Store

#: Wednesday 25 Nov 2026: the last complete week is the demo's last, 16 Nov.
TODAY = dt.date(2026, 11, 25)
LAST_WEEK = dt.date(2026, 11, 16)


def confirm_all_but(db: Path, pending: list[str]) -> None:
    """The demo saved LAST_WEEK mid-week (18 Nov): every ward but `pending` confirms it on the 23rd."""
    store = Store(db, create=False)
    codes = [w.code for w in store.registry.wards()]
    store.close()
    confirm_week(db, LAST_WEEK, at="2026-11-23T09:00:00Z", wards=[c for c in codes if c not in pending])


def missing_last_week(db: Path) -> list[str]:
    """Active wards with no row for LAST_WEEK, read straight from the store."""
    store = Store(db, create=False)
    try:
        entered = {code for code, _ in store.weekly.entered([LAST_WEEK])}
        return [w.code for w in store.registry.wards(active_only=True) if w.code not in entered]
    finally:
        store.close()


async def open_list(app, pilot) -> None:
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
    await pilot.press("c")
    # Summaries computed before TODAY's week are painted marked "updating" and computed again
    # in the background; the list is of current figures.
    await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.dashboard is not None
                and not app.screen.view.updating and not app.screen.dashboard.updating, 120)
    await pilot.press("u")
    await until(pilot, lambda: type(app.screen).__name__ == "NotSubmittedScreen")


async def test_u_lists_the_wards_not_submitted_and_c_copies_them(demo_db: Path, make_app) -> None:
    not_entered = missing_last_week(demo_db)
    assert not_entered  # the demo has wards that have not entered their last week
    names = {w.code: w.name for w in Store(demo_db, create=False).registry.wards()}
    pending = next(c for c in names if c not in not_entered)  # entered mid-week, never confirmed
    confirm_all_but(demo_db, [pending])
    missing = [c for c in names if c in not_entered or c == pending]
    app = make_app(demo_db, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(app, pilot)
        status = str(app.screen_stack[-2].query_one("#dash-status").render())
        assert f" missed a week, {len(missing)} the last (u)" in status
        shown = str(app.screen.query_one("#not-submitted-text").render())
        assert f"Not submitted for the week of Mon 16 Nov 2026: {len(missing)} wards" in shown
        for code in missing:
            assert f"{names[code]} ({code})" in shown
        lines = shown.splitlines()
        # Only the unconfirmed ward is marked, and in words.
        marked = [line for line in lines if "to confirm" in line]
        assert len(marked) == 1 and marked[0].startswith(f"{names[pending]} ({pending}), ")
        assert marked[0].endswith(" - to confirm (entered before the week ended)")
        assert sum(f"({code})" in shown for code in names) == len(missing)
        await pilot.press("c")
        assert app.clipboard == app.screen.text and app.clipboard.splitlines()[1:] == [
            line for line in app.clipboard.splitlines()[1:] if any(f"({c})" in line for c in missing)
        ]
        assert len(app.clipboard.splitlines()) == len(missing) + 1
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")


async def test_a_ward_that_joined_after_last_week_is_not_on_the_list(demo_db: Path, make_app) -> None:
    confirm_all_but(demo_db, [])
    missing = missing_last_week(demo_db)
    late = missing[0]
    store = Store(demo_db)
    ward = store.registry.ward(late)
    store.registry.save_ward(ward.model_copy(update={"participation_start": dt.date(2026, 11, 23)}))
    store.close()
    app = make_app(demo_db, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_list(app, pilot)
        shown = str(app.screen.query_one("#not-submitted-text").render())
        assert f": {len(missing) - 1} ward" in shown and f"({late})" not in shown
        # Its weeks before it joined do not count against its completeness.
        record = app.screen_stack[-2].dashboard.wards.set_index("ward_code").loc[late]
        assert (record["weeks_submitted"], record["weeks_expected"]) == (0, 0)
