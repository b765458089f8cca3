"""Ctrl+P finds the current screen's actions by name and runs them."""

from __future__ import annotations

from pilot import until


async def test_palette_opens_the_dashboard_by_name(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"collaborative dashboard")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
