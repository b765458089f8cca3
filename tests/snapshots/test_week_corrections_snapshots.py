"""Snapshots of the week form's correction dialogs at 80x24 and 120x40: the "are you sure?" on an
unusual value and a week's history (UK local time), nothing cut off."""

from __future__ import annotations

import datetime as dt

import pytest
from pilot import settled, until

SIZES = [(80, 24), (120, 40)]
WARD = "NVT-ASH"


async def _week_form(pilot, week: dt.date | None = None) -> None:
    app = pilot.app
    await until(pilot, lambda: app.store is not None)
    app.open_screen("week_entry", ward_code=WARD, **({"week_start": week} if week else {}))
    await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_unusual_value_are_you_sure(snap_compare, demo_db, make_app, size):
    async def run_before(pilot) -> None:
        await _week_form(pilot)
        await pilot.press(*"500", "ctrl+s")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "SureScreen")
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_week_history_after_a_correction(snap_compare, demo_db, make_app, size):
    async def run_before(pilot) -> None:
        app = pilot.app
        # The week of 9 Nov, confirmed (saved after it ended): a change is a correction, with a
        # reason (the week in progress, provisional, would ask none).
        await _week_form(pilot, dt.date(2026, 11, 9))
        form = app.screen
        await pilot.press("tab", "tab", "9", "ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ReasonScreen")
        await pilot.press(*"late report from the night shift", "enter")
        await until(pilot, lambda: app.screen is form and not form.saving and form.stored.version == 2)
        await pilot.press("f6")
        await until(pilot, lambda: type(app.screen).__name__ == "WeekHistoryScreen" and app.screen.lines)
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=run_before)
