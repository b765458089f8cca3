"""The completeness grid draws a week before a ward's participation start as not applicable (a
dash, in the legend too), never as missing; its Of column counts the due weeks only (issue 13)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pilot import settled, until
from rich.console import Console
from svg_text import svg_lines

from rrp.store import Store
from rrp.widgets.completeness import LEGEND, MISSING, NOT_APPLICABLE, SUBMITTED, completeness_table

JOINED = dt.date(2026, 10, 14)  # a Wednesday: its week (12 Oct) is the first it takes part in


def _text(table) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(table)
    return console.file.getvalue()


def test_the_grid_draws_weeks_before_joining_as_a_dash_and_counts_only_due_weeks() -> None:
    weeks = [dt.date(2026, 10, 5), dt.date(2026, 10, 12), dt.date(2026, 10, 19)]
    text = _text(completeness_table(weeks, [("Ash", (None, True, False))]))
    row = next(line for line in text.splitlines() if line.startswith("Ash"))
    assert row.split() == ["Ash", NOT_APPLICABLE, SUBMITTED, MISSING + "!", "1/2"]
    assert f"{NOT_APPLICABLE} not yet taking part" in LEGEND


def _first_ward(db: Path):
    """The dashboard's first ward (active wards by provider, then name): on its first page."""
    store = Store(db, create=False)
    try:
        return min(store.registry.wards(active_only=True), key=lambda w: (w.provider_code, w.name, w.code))
    finally:
        store.close()


async def test_the_dashboards_grid_shows_a_late_joiners_early_weeks_as_not_applicable(demo_db: Path, make_app) -> None:
    ward = _first_ward(demo_db)
    store = Store(demo_db)
    store.registry.save_ward(ward.model_copy(update={"participation_start": JOINED}))
    store.close()
    assert Store(demo_db, create=False).registry.ward(ward.code).participation_start == JOINED
    app = make_app(demo_db)  # Wednesday 18 Nov: the 12 weeks shown end on Mon 9 Nov
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("dashboard")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.view is not None)
        tabs = app.screen.query_one("#dash-tabs")
        while tabs.active != "tab-completeness":
            await pilot.press("f4")
        await settled(pilot)
        lines = svg_lines(app.export_screenshot())
        row = next(line for line in lines if line.strip().startswith(ward.name[:15]))
        # 24 Aug .. 5 Oct: before it joined (7 weeks); 12 Oct .. 9 Nov: due (5 weeks).
        cells = row.split()[-13:]
        assert cells[:7] == [NOT_APPLICABLE] * 7, row
        assert NOT_APPLICABLE not in cells[7:12] and cells[-1].endswith("/5"), row
        assert not any(c.startswith(MISSING) for c in cells[:7]), row
        assert any(f"{NOT_APPLICABLE} not yet taking part" in line for line in lines), lines
