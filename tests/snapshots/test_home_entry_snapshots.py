"""Snapshots of the home and weekly entry screens at 80x24 and 120x40 (fixed dates, seeded data).

Regenerate with `pytest tests/snapshots --snapshot-update` only after looking at the new SVGs.
"""

from __future__ import annotations

import pytest
from pilot import settled, until

SIZES = [(80, 24), (120, 40)]


async def _home_ready(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: app.store is not None and app.screen.query("#wards") and app.screen.rows)
    # The store opens, then the pre-import runs, after the table fills: let all of it finish.
    await settled(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_home(snap_compare, demo_db, make_app, size):
    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=_home_ready)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_week_entry_with_an_error(snap_compare, demo_db, make_app, size):
    async def run_before(pilot) -> None:
        app = pilot.app
        await _home_ready(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "ward", None) is not None)
        await pilot.press("2", "tab", "3", "ctrl+s")
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=run_before)
