"""Pilot: every home key kept out of the footer (so the footer fits 80 columns) is named on the
screen, and does what the screen says: `M` the monthly measures, `j` the day a ward joined."""

from __future__ import annotations

from pilot import until
from textual.widgets import Static

#: Keys that need no naming: `r` reloads what is already shown.
UNNAMED = {"r"}


async def test_hidden_home_keys_are_named_in_the_status_line_and_work(demo_db, make_app) -> None:
    from rrp.screens.home import HomeScreen
    from rrp.screens.month_entry import MonthEntryScreen
    from rrp.screens.participation import ParticipationScreen

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.rows)
        status = str(app.screen.query_one("#home-status", Static).render())
        hidden = [b for b in HomeScreen.BINDINGS if not b.show and b.key not in UNNAMED]
        assert {b.key for b in hidden} == {"M", "j"}
        assert "M the monthly measures" in status and "j the day a ward joined" in status
        home = app.screen
        await pilot.press("M")
        await until(pilot, lambda: app.screen is not home)
        assert isinstance(app.screen, MonthEntryScreen)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is home)
        await pilot.press("j")
        await until(pilot, lambda: isinstance(app.screen, ParticipationScreen))
