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


def _lines(app: RrpApp) -> list[str]:
    from svg_text import svg_lines

    return svg_lines(app.export_screenshot())


def test_focus_shows_without_colour_and_tab_back_keeps_the_text(demo_db: Path, monkeypatch) -> None:
    """Under NO_COLOR (monochrome) the focused field is still plain by shape: heavy lines round a
    bordered field, a ▌ bar beside a one-row one; no other field has either. Tabbing back into a
    field keeps what was typed there (typing goes on after it)."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run() -> None:
        from rrp.screens.change_idea_form import ChangeIdeaForm

        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.no_color
            await until(pilot, lambda: app.store is not None)
            store = app.store
            ward = store.registry.wards()[0].code
            app.push_screen(AnnotationForm(ward_code=ward, on_date=dt.date(2026, 11, 18)))
            await until(pilot, lambda: type(app.screen).__name__ == "AnnotationForm")
            await pilot.pause()
            form = app.screen

            def heavy_rows() -> list[int]:
                return [i for i, line in enumerate(_lines(app)) if "┏" in line]

            def field_top(widget) -> int:
                return widget.region.y

            note, date = form.query_one("#a-text"), form.query_one("#a-date")
            assert heavy_rows() == [field_top(note)]  # the note (focused) alone
            await pilot.press(*"Agency nurse")
            await pilot.press("shift+tab")  # back to the date
            await pilot.pause()
            assert app.focused is date and heavy_rows() == [field_top(date)]
            await pilot.press("tab")  # and into the note again: its text stays, typing goes on
            await pilot.press(*" on nights")
            assert note.value == "Agency nurse on nights"
            await pilot.press("escape")

            app.push_screen(ChangeIdeaForm(drivers=store.change_package.drivers(), wards=store.registry.wards(),
                                           ideas=store.change_package.ideas()))
            await until(pilot, lambda: type(app.screen).__name__ == "ChangeIdeaForm")
            await pilot.press(*"Calm box")
            await pilot.pause()
            bars = [line for line in _lines(app) if "▌" in line]
            assert len(bars) == 1 and "Calm box" in bars[0]  # one bar, beside the field typed in
            await pilot.press("tab")
            await pilot.pause()
            bars = [line for line in _lines(app) if "▌" in line]
            assert len(bars) == 1 and "Description" in bars[0] and "Calm box" not in bars[0]
            await pilot.press("escape")
            await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")

            await pilot.press("enter")  # the week form: one-row count boxes
            await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen")
            await pilot.pause(0.3)
            bars = [line for line in _lines(app) if "▌" in line]
            assert len(bars) == 1 and bars[0].startswith("Restraints")

    asyncio.run(run())
