"""The app on a PostgreSQL database: the home screen fills and a week logged from the keyboard is saved."""

from __future__ import annotations

import datetime as dt

from pilot import until

from rrp.store import Store
from rrp.store.copy import copy_database

NEXT_TODAY = dt.date(2026, 11, 30)  # a Monday: the week of 23 Nov has ended and is missing, so Enter opens it
THIS_WEEK = dt.date(2026, 11, 23)


async def test_log_a_week_on_postgres(demo_db, pg_database, make_app):
    copy_database(demo_db, pg_database)  # the demo collaborative, on the server
    app = make_app(pg_database, today=NEXT_TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        ward = app.screen.selected_ward()
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "ward", None) is not None)
        await pilot.press("3", "tab", "1", "tab", "0", "tab", "0", "tab", "ctrl+s")
        await until(pilot, lambda: Store(pg_database, create=False).weekly.week(ward, THIS_WEEK) is not None)
    saved = Store(pg_database, create=False).weekly.week(ward, THIS_WEEK)
    assert (saved.counts.restraint, saved.counts.prone_restraint) == (3, 1)
    assert saved.updated_by == "nurse" and saved.version == 1
    audit = Store(pg_database, create=False).database.query(
        "SELECT who, action FROM audit WHERE table_name = 'weekly' AND row_key = ?", (f"{ward}/{THIS_WEEK}",))
    assert audit == [{"who": "nurse", "action": "insert"}]
