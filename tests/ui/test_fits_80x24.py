"""Nothing cut off at 80x24: a long progress-score note and the PDSA editor's header are shown whole."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from pilot import until
from svg_text import svg_lines

from rrp.app import RrpApp
from rrp.models.progress import ProgressScore
from rrp.store import Store

NOTE = "Night staff now run the safety huddle at 21:00 and the day team reviews it at handover; last word ENDNOTE"


def _screen_text(app: RrpApp) -> str:
    return " ".join(" ".join(svg_lines(app.export_screenshot())).split())


def test_a_long_progress_note_wraps_in_the_history(demo_db: Path) -> None:
    store = Store(demo_db, who="test")
    ward = store.registry.wards()[0]
    month = dt.date(2026, 11, 1)
    current = store.progress.get(ward.code, month)
    store.progress.record(ProgressScore(ward_code=ward.code, month=month, score=3.0, note=NOTE),
                          expected_version=current.version if current else None)
    store.close()

    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            app.open_screen("progress", ward_code=ward.code)
            await until(pilot, lambda: getattr(app.screen, "history", None))
            table = app.screen.query_one("#progress-history")
            await until(pilot, lambda: table.row_count > 0)
            assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80 - 2
            assert "ENDNOTE" in _screen_text(app)

    asyncio.run(run())


def test_the_pdsa_header_wraps_rather_than_being_cut(demo_db: Path) -> None:
    store = Store(demo_db, who="test")
    first = store.pdsa.list()[0]
    title = "Safety huddle at every shift change with the nurse in charge and the HCA lead ENDTITLE"
    store.pdsa.save(first.cycle.model_copy(update={"title": title}), expected_version=first.version)
    store.close()

    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            cycle = app.store.pdsa.list()[0]
            app.open_screen("pdsa_edit", cycle_id=cycle.cycle.id)
            await until(pilot, lambda: getattr(app.screen, "loaded", False))
            await pilot.pause()
            text = _screen_text(app)
            assert "ENDTITLE" in text and f"v{cycle.version}" in text

    asyncio.run(run())


def test_the_huddle_shows_a_long_cycle_title_and_its_whole_legend(demo_db: Path) -> None:
    """A running cycle's long title wraps in the side panel; the legend wraps, ending 'neither'."""
    store = Store(demo_db, who="test")
    running = next(s for s in store.pdsa.list() if s.cycle.status in ("doing", "studying"))
    title = "Safety huddle at every shift change with the nurse in charge and the HCA ENDTITLE"
    store.pdsa.save(running.cycle.model_copy(update={"title": title}), expected_version=running.version)
    ward = running.cycle.ward_code
    others = [s for s in store.pdsa.list(ward_code=ward) if s.cycle.status in ("doing", "studying")]
    store.close()
    assert len(others) == 1  # the only running cycle of its ward: it has the panel's spare lines

    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            app.open_screen("huddle", ward_code=ward)
            await until(pilot, lambda: getattr(app.screen, "summary", None) is not None)
            await pilot.pause()
            text = _screen_text(app)
            assert "ENDTITLE" in text
            assert "N note" in text and "neither" in text  # the legend's last words
            assert "…" not in text

    asyncio.run(run())


def test_a_ward_with_no_weeks_yet_has_a_huddle_with_nothing_cut(demo_db: Path) -> None:
    store = Store(demo_db, who="test")
    ward = store.registry.wards()[0]
    store.registry.save_ward(ward.model_copy(update={"code": "NEW-WARD", "name": "Newly Joined Ward With A Long Name"}))
    store.close()

    async def run() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None)
            app.open_screen("huddle", ward_code="NEW-WARD")
            await until(pilot, lambda: getattr(app.screen, "summary", None) is not None)
            await pilot.pause()
            text = _screen_text(app)
            assert "Newly Joined Ward With A Long Name (NEW-WARD)" in text
            assert "no weeks entered" in text and "nothing to chart" in text
            assert "…" not in text

    asyncio.run(run())


def _long_title(end: str) -> str:
    """A change idea as long as a title may be (models.pdsa.TITLE_MAX), ending with `end`."""
    from rrp.models.pdsa import TITLE_MAX

    title = "Safety huddle at every shift change with the nurse in charge, the HCA lead and the doctor, [b]"
    title = (title + " and a short debrief afterwards")[: TITLE_MAX - len(end) - 1].rstrip() + " " + end
    assert len(title) <= TITLE_MAX
    return title


def test_the_huddle_wraps_the_longest_cycle_title_whole_and_scrolls_when_several_do_not_fit(demo_db: Path) -> None:
    """A running cycle's title of the longest length allowed is shown whole at 80x24 (the counts'
    row grows, the chart keeps its least height), as text: '[b]' is shown, not taken as markup.
    With a second long title the panel cannot grow further: it scrolls (Tab to it, End), each
    title still whole in it, never cut with '…'."""
    from textual.containers import VerticalScroll

    store = Store(demo_db, who="test")
    running = next(s for s in store.pdsa.list() if s.cycle.status in ("doing", "studying"))
    ward = running.cycle.ward_code
    assert [s.cycle.id for s in store.pdsa.list(ward_code=ward) if s.cycle.status in ("doing", "studying")] == [
        running.cycle.id
    ]
    first = _long_title("ENDFIRST")
    store.pdsa.save(running.cycle.model_copy(update={"title": first}), expected_version=running.version)
    assert store.pdsa.get(running.cycle.id).cycle.title == first
    store.close()
    # The usual Wednesday: last week was saved after it ended (confirmed), so the huddle's title is
    # one line ('(provisional)' would take a second one from the chart's spare lines).
    later = Store(demo_db, who="test", clock=lambda: "2026-11-24T09:00:00Z")
    last = max(later.weekly.weeks(ward), key=lambda w: w.counts.week_start)
    later.weekly.save(last.counts, expected_version=last.version, today=dt.date(2026, 11, 24))
    later.close()

    async def shown(app: RrpApp, pilot) -> str:
        await until(pilot, lambda: app.store is not None)
        app.open_screen("huddle", ward_code=ward)
        await until(pilot, lambda: getattr(app.screen, "summary", None) is not None)
        await until(pilot, lambda: app.screen.query_one("#huddle-top").size.height > 6)
        await pilot.pause()
        return _screen_text(app)

    async def one() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            text = await shown(app, pilot)
            side = str(app.screen.query_one("#huddle-side").render())
            assert " ".join(first.split()) in " ".join(side.split())  # whole, '[b]' as typed
            # all of it in view: the row is as tall as the panel's lines, nothing to scroll
            assert app.screen.query_one("#huddle-top").size.height == len(side.splitlines())
            assert app.screen.query_one("#huddle-side-scroll").max_scroll_y == 0
            assert "ENDFIRST" in text and "[b]" in text and "…" not in text
            assert app.screen.query_one("#huddle-chart").size.height >= 8

    asyncio.run(one())

    store = Store(demo_db, who="test")
    second = _long_title("ENDSECOND")
    store.pdsa.create(running.cycle.model_copy(update={"id": "", "title": second, "previous_cycle_id": None,
                                                       "cycle_number": 1}), today=dt.date(2026, 11, 25))
    store.close()

    async def two() -> None:
        app = RrpApp(demo_db, who="test", today=dt.date(2026, 11, 25))
        async with app.run_test(size=(80, 24)) as pilot:
            text = await shown(app, pilot)
            assert "…" not in text
            side = " ".join(str(app.screen.query_one("#huddle-side").render()).split())
            assert " ".join(first.split()) in side and " ".join(second.split()) in side
            scroll = app.screen.query_one("#huddle-side-scroll", VerticalScroll)
            assert scroll.max_scroll_y > 0
            for _ in range(5):  # Tab reaches the panel
                if app.focused is scroll:
                    break
                await pilot.press("tab")
            assert app.focused is scroll
            hidden = "ENDSECOND" if "ENDSECOND" not in text else "ENDFIRST"
            await pilot.press("end")
            await until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y)
            await pilot.pause()
            assert hidden in _screen_text(app)

    asyncio.run(two())
