"""Every input looks like an input and the focused one is unmistakable, in dark and light themes."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from pilot import until

from rrp.app import RrpApp
from rrp.screens.annotation_form import AnnotationForm


def _contrast(a, b) -> float:
    return sum(abs(x - y) for x, y in zip(a.rgb, b.rgb, strict=True))


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_form_fields_stand_out_and_focus_is_plain(demo_db: Path, theme: str) -> None:
    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            app.theme = theme
            await until(pilot, lambda: app.store is not None)
            ward = app.store.registry.wards()[0].code
            app.push_screen(AnnotationForm(ward_code=ward, on_date=dt.date(2026, 11, 18)))
            await until(pilot, lambda: type(app.screen).__name__ == "AnnotationForm")
            await pilot.pause()
            form = app.screen
            date, note = form.query_one("#a-date"), form.query_one("#a-text")
            panel = form.query_one("#annotation-form").background_colors[1]
            assert app.focused is note
            unfocused, focused = date.background_colors[1], note.background_colors[1]
            assert _contrast(unfocused, panel) >= 30  # the field is visible on its panel
            assert _contrast(focused, unfocused) >= 60  # the focused field is unmistakable

    asyncio.run(run())
