"""Snapshot of the measures screen at 80x24 (the demo's measures, fixed dates).

Regenerate with `pytest tests/snapshots --snapshot-update` only after looking at the new SVG.
"""

from __future__ import annotations

from pilot import settled, until


def test_measures_80x24(snap_compare, demo_db, make_app):
    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await settled(pilot)
        await pilot.press("m")
        await until(pilot, lambda: type(app.screen).__name__ == "MeasuresScreen" and app.screen.rows)
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=run_before)
