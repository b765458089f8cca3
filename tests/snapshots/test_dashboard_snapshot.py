"""Snapshot of the collaborative dashboard at 120x40 (fixed dates, fixed seed)."""

from __future__ import annotations

import datetime as dt

from pilot import confirm_week, settled, until

TODAY = dt.date(2026, 11, 25)  # the last complete week is the demo's last, Mon 16 Nov


def test_dashboard_120x40(snap_compare, demo_db, make_app) -> None:
    # The demo saves its last week mid-week (18 Nov); confirmed on the 23rd it is submitted and
    # charted (unconfirmed, every ward's would be "to confirm": rrp.models.week_status).
    confirm_week(demo_db, dt.date(2026, 11, 16), at="2026-11-23T09:00:00Z")
    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await settled(pilot)
        await pilot.press("c")
        await until(pilot, lambda: getattr(app.screen, "view", None) is not None)
        await settled(pilot)

    assert snap_compare(make_app(demo_db, today=TODAY), terminal_size=(120, 40), run_before=run_before)
