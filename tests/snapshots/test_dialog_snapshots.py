"""Snapshots of pop-up dialogs with text typed in them at 80x24 and 120x40: the text shows on the
field's row, inside the field's brackets (issue 13: one-row fields drawn as two borders, no text)."""

from __future__ import annotations

import pytest
from pilot import settled, until

SIZES = [(80, 24), (120, 40)]
WARD = "NVT-ASH"


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_chart_note_with_typed_text(snap_compare, demo_db, make_app, size):
    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.store is not None)
        app.open_screen("huddle", ward_code=WARD)
        await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen" and app.screen.summary is not None)
        await pilot.press("a")
        await until(pilot, lambda: type(app.screen).__name__ == "AnnotationForm")
        await pilot.press(*"Agency nurse on nights", "tab", *"16/11/2026")
        await until(pilot, lambda: app.screen.query_one("#a-date").value == "16/11/2026")
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=size, run_before=run_before)


def test_measure_form_with_typed_text(snap_compare, demo_db, make_app):
    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.store is not None)
        app.open_screen("measures", ward_code=WARD)
        await until(pilot, lambda: type(app.screen).__name__ == "MeasuresScreen" and app.screen.rows)
        await pilot.press("a")
        await until(pilot, lambda: type(app.screen).__name__ == "MeasureForm")
        await pilot.press(*"calm_box", "tab", *"Calm box use", "tab", *"Calm box")
        await until(pilot, lambda: app.screen.query_one("#mf-label").value == "Calm box")
        await settled(pilot)

    assert snap_compare(make_app(demo_db), terminal_size=(80, 24), run_before=run_before)
