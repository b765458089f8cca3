"""A key pressed as soon as the home table fills (the full store may still be loading) is kept."""

from __future__ import annotations

from pilot import until


async def test_enter_before_the_store_is_ready_still_opens_the_form(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query("#wards") and app.screen.rows)
        await pilot.press("enter")  # possibly before app.store is set
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen")
