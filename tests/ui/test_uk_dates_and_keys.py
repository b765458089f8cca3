"""Issue 13's minor findings: dates on screen the UK way through rrp.models.when (the week form's
missing weeks, the progress-score month, the measures list's From/To), and Enter in the
progress-score Month box saves, as the footer says."""

from __future__ import annotations

import datetime as dt
import re

from pilot import settled, until
from svg_text import svg_lines

from rrp.store import Store

WARD = "NVT-ASH"


def screen_text(app) -> str:
    return "\n".join(svg_lines(app.export_screenshot()))


async def test_the_missing_weeks_line_has_no_stray_space(demo_db, make_app):
    """A missing week on a single-digit day: '2 Nov.' (it was '2 Nov .', day_month(d)[:6])."""
    week = dt.date(2026, 11, 2)
    store = Store(demo_db, create=False)
    stored = store.weekly.week(WARD, week)
    store.weekly.delete(WARD, week, reason="test set-up", expected_version=stored.version)
    store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("week_entry", ward_code=WARD)
        await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
        line = str(app.screen.query_one("#week-missing").render())
        assert re.search(r"\b2 Nov[,.]", line) and " ." not in line and " ," not in line, line


async def test_enter_in_the_progress_month_saves_and_the_month_is_shown_the_uk_way(demo_db, make_app):
    app = make_app(demo_db)  # today: 18 Nov 2026
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("progress", ward_code=WARD)
        await until(pilot, lambda: type(app.screen).__name__ == "ProgressScreen")
        await settled(pilot)
        await pilot.press("s")
        await until(pilot, lambda: type(app.screen).__name__ == "ScoreForm")
        form = app.screen
        month = form.query_one("#s-month")
        assert month.value == "Nov 2026" and "2026-11" not in screen_text(app)
        form.query_one("#s-score").value = 0.5  # the drop-down: chosen as a person would with Enter
        month.focus()
        await pilot.press("enter")  # in the Month box: saves (it did nothing)
        await until(pilot, lambda: type(app.screen).__name__ == "ProgressScreen")
    store = Store(demo_db, create=False)
    saved = {s.score.month: s.score.score for s in store.progress.history(WARD)}
    store.close()
    assert saved.get(dt.date(2026, 11, 1)) == 0.5


async def test_the_measures_list_shows_from_and_to_the_uk_way(demo_db, make_app):
    store = Store(demo_db, create=False)
    restraint = store.measures.get("restraint")
    store.measures.save(restraint.measure.model_copy(update={"active_from": dt.date(2024, 12, 9)}),
                        expected_version=restraint.version)
    store.close()
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("measures", ward_code=WARD)
        await until(pilot, lambda: type(app.screen).__name__ == "MeasuresScreen" and app.screen.rows)
        await settled(pilot)
        text = screen_text(app)
        assert "9 Dec 2024" in text and "2024-12-09" not in text
