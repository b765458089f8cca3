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
    """Under NO_COLOR (monochrome) every one-row field is still a field and the focused one is
    plain by shape: thin brackets ▏ ▕ round each field, half blocks ▌ ▐ round the focused one; no
    other field has them. Tabbing back into a text field keeps what was typed there (typing goes on
    after it)."""
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

            def rows(glyphs: str) -> list[int]:
                return [i for i, line in enumerate(_lines(app)) if all(g in line for g in glyphs)]

            note, date = form.query_one("#a-text"), form.query_one("#a-date")
            assert rows("▌▐") == [note.region.y]  # the note (focused) alone
            assert rows("▏▕") == [date.region.y]  # the date: a field, not focused
            await pilot.press(*"Agency nurse")
            await pilot.press("shift+tab")  # back to the date
            await pilot.pause()
            assert app.focused is date and rows("▌▐") == [date.region.y] and rows("▏▕") == [note.region.y]
            assert "Agency nurse" in _lines(app)[note.region.y]
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
            lines = _lines(app)
            for label in ("Prone restraints", "Seclusions", "Rapid tranquillisations", "Occupied bed days"):
                row = next(line for line in lines if line.startswith(label))
                assert "▏" in row and "▕" in row, row  # an unfocused box is a box without colour

    asyncio.run(run())


def _cells(app: RrpApp, y: int, x0: int, x1: int) -> list[tuple[str, tuple, tuple]]:
    """The characters drawn on row `y` from column x0 to x1: (text, foreground, background)."""
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    cells, x = [], 0
    for segment in (segment for strip in update.strips[y] for segment in strip):
        start, x = x, x + len(segment.text)
        if segment.style is None or x <= x0 or start >= x1:
            continue
        style = segment.style
        fg, bg = tuple(style.color.get_truecolor()), tuple(style.bgcolor.get_truecolor())
        if style.reverse:
            fg, bg = bg, fg
        cells.append((segment.text, fg, bg))
    return cells


def test_unfocused_count_boxes_are_visible_in_every_theme(demo_db: Path) -> None:
    """The week form's unfocused count boxes in every theme rrp offers (Textual's and the projector):
    the brackets round each box read as a graphic (3:1, WCAG 1.4.11) on the colours around them
    (in the ANSI themes, which use the terminal's own colours, the brackets are there),
    and the box's fill is not the screen's own colour (it was #FFFFFF on #FFFFFF, #E0E0E0 on
    #E0E0E0)."""
    from test_projector_contrast import GRAPHIC, contrast

    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 18))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            app.open_screen("week_entry", ward_code="NVT-ASH")
            await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.stored)
            box = app.screen.query_one("#f-seclusion")  # not focused: the form starts in restraints
            assert app.focused is not box
            themes = sorted(app.available_themes)
            assert "projector" in themes and "textual-light" in themes
            failures = []
            for theme in themes:
                app.theme = theme
                await pilot.pause()
                await pilot.pause()
                region = box.region
                outside = tuple(box.parent.background_colors[1].rgb)  # the form the box sits on
                cells = _cells(app, region.y, region.x, region.right)
                edges = [(fg, bg) for text, fg, bg in cells if text.strip() in ("▏", "▕")]
                fill = next(bg for text, fg, bg in cells if not text.strip())
                if len(edges) != 2:
                    failures.append(f"{theme}: no brackets {cells}")
                    continue
                if app.get_theme(theme).name.startswith("ansi"):  # the terminal's own colours
                    continue
                for fg, bg in edges:
                    if min(contrast(fg, bg), contrast(fg, fill), contrast(fg, outside)) < GRAPHIC:
                        failures.append(f"{theme}: bracket #{bytes(fg).hex()} on #{bytes(bg).hex()}")
                if fill == outside:
                    failures.append(f"{theme}: fill #{bytes(fill).hex()} is the screen's colour")
            assert not failures, "\n".join(failures)

    asyncio.run(run())
