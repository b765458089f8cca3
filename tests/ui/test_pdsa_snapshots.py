"""Snapshots at 80x24 of the PDSA list and editor on the fixed-date seeded demo database.

Regenerate (after a deliberate change) with:
    .venv/bin/python -m pytest tests/ui/test_pdsa_snapshots.py --snapshot-update
"""

from __future__ import annotations

import datetime as dt

from pilot import settled, until

TODAY = dt.date(2026, 11, 23)  # the demo's "today": the Monday after its last week
WARD = "NVT-BIRCH"


async def _open_list(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: app.store is not None)
    app.open_screen("pdsa_list", ward_code=WARD)
    await until(pilot, lambda: bool(getattr(app.screen, "rows", None)))
    await settled(pilot)


def test_pdsa_list_80x24(snap_compare, demo_db, make_app) -> None:
    assert snap_compare(make_app(demo_db, today=TODAY), terminal_size=(80, 24), run_before=_open_list)


def test_pdsa_editor_80x24(snap_compare, demo_db, make_app) -> None:
    async def open_editor(pilot) -> None:
        await _open_list(pilot)
        await pilot.press("enter")  # the first row: the cycle due for Study
        await until(pilot, lambda: getattr(pilot.app.screen, "loaded", False))
        await settled(pilot)

    assert snap_compare(make_app(demo_db, today=TODAY), terminal_size=(80, 24), run_before=open_editor)
