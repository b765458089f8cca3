"""Snapshot of the ward huddle at 80x24 (fixed dates, seeded demo data, u chart with PDSA markers).

Regenerate with `pytest tests/snapshots/test_huddle_snapshot.py --snapshot-update` only after
looking at the new SVG.
"""

from __future__ import annotations

from pilot import settled, until

WARD = "SCP-ELM"  # two running cycles, one due for Study, PDSA markers on the chart


def test_huddle_80x24(snap_compare, demo_db, make_app):
    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        app.open_screen("huddle", ward_code=WARD)
        await until(pilot, lambda: getattr(app.screen, "loaded", False))
        await pilot.press("c", "c")  # run -> XmR -> u chart
        await until(pilot, lambda: app.screen.summary.chart == "u")
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=run_before)
