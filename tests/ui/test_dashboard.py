"""Pilot: open the collaborative dashboard from home (key c) at 120x40; the table matches
rrp.reports.dashboard computed directly; s sorts, p / t filter, n / b page, Enter opens a ward."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pilot import until
from textual.widgets import DataTable

from rrp.app import RrpApp
from rrp.store import Store

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def db(demo_db: Path) -> Path:
    """A private copy of the session's demo collaborative (tests/conftest.py)."""
    return demo_db


def expected(db: Path, **filters):
    from rrp.reports.dashboard import dashboard_from_inputs, read_inputs

    store = Store(db, create=False)
    try:
        return dashboard_from_inputs(read_inputs(store), today=TODAY, **filters)
    finally:
        store.close()


async def settle(app, pilot) -> None:
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        if type(screen).__name__ == "DashboardScreen" and screen.view is not None:
            table = screen.query_one("#dash-wards", DataTable)
            if not table.loading:
                return
        await pilot.pause(0.05)


async def open_dashboard(app, pilot) -> None:
    for _ in range(200):
        if app.store is not None and app.screen.query("#wards"):
            break
        await pilot.pause(0.05)
    await pilot.press("c")
    await settle(app, pilot)
    assert type(app.screen).__name__ == "DashboardScreen"


async def test_dashboard_table_sort_filter_and_open(db: Path) -> None:
    app = RrpApp(db, today=TODAY, who="test")
    want = expected(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen
        table = screen.query_one("#dash-wards", DataTable)
        assert table.row_count == len(want.wards) == 19
        codes = [str(k.value) for k in table.rows]
        assert codes == list(want.wards["ward_code"])
        first = want.wards.iloc[0]
        cell = table.get_row_at(0)[1].plain
        assert f"{first['all_restrictive_rate']:5.1f}" in cell
        assert f"{100 * first['all_restrictive_change']:+4.0f}".strip() in cell
        weeks = table.get_row_at(0)[-1].plain
        assert weeks.strip() == f"{first['weeks_submitted']}/12"

        # s: sort by all restrictive change, smallest (largest fall) first
        await pilot.press("s")
        await pilot.pause()
        codes = [str(k.value) for k in table.rows]
        ordered = want.wards.sort_values("all_restrictive_change", kind="mergesort")
        assert codes[0] == ordered["ward_code"].iloc[0]
        assert "all restrictive change" in str(screen.query_one("#dash-status").render())

        # p: the first provider only, recomputed in a worker
        await pilot.press("p")
        await settle(app, pilot)
        provider = screen.provider
        assert provider == sorted(want.wards["provider_code"].unique())[0]
        by_provider = expected(db, provider=provider)
        assert {str(k.value) for k in table.rows} == set(by_provider.wards["ward_code"])

        # t: a ward type as well
        await pilot.press("t")
        await settle(app, pilot)
        both = expected(db, provider=provider, ward_type=screen.ward_type)
        assert {str(k.value) for k in table.rows} == set(both.wards["ward_code"])

        # back to all providers and types, then Enter opens the ward
        while screen.provider is not None:
            await pilot.press("p")
            await settle(app, pilot)
        while screen.ward_type is not None:
            await pilot.press("t")
            await settle(app, pilot)
        assert table.row_count == 19
        table.focus()
        table.move_cursor(row=2)
        ward = screen.selected_ward()
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is not screen
        assert getattr(app.screen, "ward_code", ward) == ward


async def test_dashboard_pages_large_collaborative(tmp_path: Path) -> None:
    from rrp.synthetic import build_demo

    path = tmp_path / "big.sqlite"
    store = Store(path, who="test")
    build_demo(store, wards=120, weeks=30, end=dt.date(2026, 11, 16))
    store.close()
    app = RrpApp(path, today=TODAY, who="test")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen
        table = screen.query_one("#dash-wards", DataTable)
        assert table.row_count == 50 and screen.pages == 3
        first_page = [str(k.value) for k in table.rows]
        await pilot.press("n")
        await pilot.pause()
        assert screen.page == 1 and [str(k.value) for k in table.rows] != first_page
        await pilot.press("n", "n")
        await pilot.pause()
        assert screen.page == 2 and table.row_count == 20
        await pilot.press("b")
        await pilot.pause()
        assert screen.page == 1
        assert "page 2/3" in str(screen.query_one("#dash-status").render())


async def test_dashboard_reads_the_highlighted_ward_and_the_aggregate_in_words(db: Path) -> None:
    from rrp.reports.dashboard import aggregate_reading, ward_reading

    app = RrpApp(db, today=TODAY, who="test")
    want = expected(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen

        def shown(selector: str) -> str:
            return " ".join(str(screen.query_one(selector).render()).split())

        first, second = list(want.wards["ward_code"])[:2]
        assert shown("#dash-ward-reading").endswith(" ".join(ward_reading(want, first)))
        await pilot.press("down")
        await pilot.pause()
        name = want.wards.iloc[1]["ward_name"]
        assert shown("#dash-ward-reading") == f"{name}: " + " ".join(ward_reading(want, second))
        await pilot.press("f4")  # the Aggregate tab
        await pilot.pause()
        assert " ".join(aggregate_reading(want, "all_restrictive")) in shown("#dash-aggregate-summary")


async def test_dashboard_shows_prone_restraint_and_v_chooses_the_measures(db: Path) -> None:
    """Issue 12: prone restraint is on the dashboard by default; `v` chooses the measures shown
    (Space unticks, Enter applies), and the figures in the cells are the shared ones."""
    from pilot import until

    from rrp.screens.dashboard import measure_cell

    app = RrpApp(db, today=TODAY, who="test")
    want = expected(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen
        table = screen.query_one("#dash-wards", DataTable)
        keys = [str(c.key.value) for c in table.ordered_columns]
        assert keys[1:6] == ["all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
        first = screen.sorted_rows[0]
        record = want.wards.set_index("ward_code").loc[first.ward_code]
        assert first.change["prone_restraint"] == pytest.approx(record["prone_restraint_change"])
        # at 120 columns only the first measure shows its latest rate (the layout that fits)
        assert str(measure_cell(first, "prone_restraint", rate=False)) in str(table.get_row_at(0)[3])
        await pilot.press("v")
        await until(pilot, lambda: type(app.screen).__name__ == "MeasureChoice")
        await pilot.press("down", "down", "space", "enter")
        await until(pilot, lambda: app.screen is screen)
        await pilot.pause()
        keys = [str(c.key.value) for c in table.ordered_columns]
        assert "prone_restraint" not in keys and keys[1:5] == ["all_restrictive", "restraint", "seclusion", "rapid_tranquillisation"]
        assert screen.shown == ["all_restrictive", "restraint", "seclusion", "rapid_tranquillisation"]


async def test_dashboard_paints_from_summaries_and_recomputes_a_changed_ward(db: Path) -> None:
    """The first opening stores every ward's summary; a week saved since (another station) marks
    that ward alone out of date, and the dashboard opened again shows its new figure."""
    from pilot import until

    from rrp.models.weekly import WeeklyCounts
    from rrp.reports import summaries
    from rrp.screens.dashboard import measure_cell

    app = RrpApp(db, today=TODAY, who="test")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        codes = [r.ward_code for r in app.screen.view.rows]
        assert summaries.out_of_date(app.store, codes, today=TODAY) == []
        ward = app.screen.page_rows()[0].ward_code
        other = Store(db, who="another station")
        week = other.weekly.week(ward, dt.date(2026, 11, 9))
        counts = week.counts.model_dump() if week else {}
        other.weekly.save(
            WeeklyCounts(ward_code=ward, week_start=dt.date(2026, 11, 9), restraint=40, prone_restraint=0,
                         seclusion=counts.get("seclusion", 0), rapid_tranquillisation=counts.get("rapid_tranquillisation", 0),
                         occupied_bed_days=100),
            expected_version=week.version if week else None,
        )
        other.close()
        assert summaries.out_of_date(app.store, codes, today=TODAY) == [ward]
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ != "DashboardScreen")
        await open_dashboard(app, pilot)
        row = next(r for r in app.screen.view.rows if r.ward_code == ward)
        assert row.rate["restraint"] == pytest.approx(400.0)  # 40 per 100 bed days, per 1,000
        cell = str(measure_cell(row, "restraint"))
        assert cell.startswith("400.0")
        table = app.screen.query_one("#dash-wards", DataTable)
        shown = " ".join(str(c) for c in table.get_row_at(0))
        assert app.screen.page_rows()[0].ward_code == ward and str(measure_cell(row, "restraint", rate=False)) in shown
        assert summaries.out_of_date(app.store, codes, today=TODAY) == []
    assert expected(db).wards.set_index("ward_code").at[ward, "restraint_rate"] == pytest.approx(400.0)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_status_line_is_one_line_at_120_columns_and_whole_at_80(db: Path, size: tuple[int, int]) -> None:
    """The line above the tabs (wards, filters, sort, weeks, aim, wards behind) is one line at 120
    columns, the wards not in last week included; at 80 it wraps whole onto two."""
    from svg_text import svg_lines

    app = RrpApp(db, today=TODAY, who="test")
    async with app.run_test(size=size) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen
        await until(pilot, lambda: screen.dashboard is not None and not screen.view.updating, 120)
        await pilot.pause()
        status = screen.query_one("#dash-status")
        lines = str(status.render()).split("\n")  # broken between parts, never inside one
        text = " | ".join(lines)
        behind = sum(1 for r in screen.view.rows if r.weeks_submitted < r.weeks_expected)
        assert text.startswith(f"{len(screen.view.rows)} wards (no filter) | sort: provider and ward | to ")
        assert text.endswith(f" | {behind} missed a week, {screen.view.not_submitted} the last (u)")
        assert len(lines) == status.region.height == (1 if size[0] >= 120 else 2)
        assert [line.strip() for line in svg_lines(app.export_screenshot())[1:1 + len(lines)]] == lines
        await pilot.press("t")  # a type filter is named, the other is not
        await settle(app, pilot)
        await until(pilot, lambda: "(type " in str(status.render()))
        assert "provider" not in str(status.render()).split(" | ")[0]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_dashboard_headings_are_whole_and_the_footer_offers_enter(db: Path, size: tuple[int, int]) -> None:
    """A long measure name wraps onto a second heading line instead of being cut ('Rapid
    tranquillisations'); the footer shows Enter to open a ward on the Wards tab only, and every key
    in the footer fits (F1 Help last)."""
    from svg_text import svg_lines

    app = RrpApp(db, today=TODAY, who="test")
    async with app.run_test(size=size) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen
        table = screen.query_one("#dash-wards", DataTable)
        screen.query_one("#dash-wards").scroll_to(x=10_000, animate=False)  # the last columns in view
        await pilot.pause()
        lines = svg_lines(app.export_screenshot())
        assert lines[-1].startswith("⏎ Open") and lines[-1].rstrip().endswith("f1 Help")
        assert "u Due" in lines[-1]  # the wards not in last week: in the footer too
        headings = [str(column.label) for column in table.columns.values()]
        # whole, over lines (a long word hyphenated in a narrow column), never cut
        assert any("tranquillisations" in heading.replace("-\n", "") for heading in headings)
        assert not any("…" in heading for heading in headings)
        await pilot.press("f4")  # Aggregate: Enter has nothing to open there
        await pilot.pause()
        assert "⏎ Open" not in svg_lines(app.export_screenshot())[-1]


async def test_dashboard_with_out_of_date_summaries_paints_at_once_marked_then_updates(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every summary out of date (a new week, no nightly refresh): the table is painted at once
    from the figures the summaries held, each ward marked "updating" in words; the wards are then
    computed in the background and their rows shown without the mark, the summaries stored."""
    import threading

    from pilot import until

    from rrp.reports import summaries

    store = Store(db, who="test")
    codes = [w.code for w in store.registry.wards() if w.active]
    summaries.refresh(store, codes, today=TODAY)
    store.summaries.forget()
    store.close()
    # Hold the background computation until the first paint has been seen (no race, no sleep).
    go = threading.Event()
    real_refresh = summaries.refresh

    def held_refresh(*args, **kwargs):
        assert go.wait(60)
        return real_refresh(*args, **kwargs)

    monkeypatch.setattr(summaries, "refresh", held_refresh)
    want = expected(db)
    app = RrpApp(db, today=TODAY, who="test")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
        await pilot.press("c")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.view is not None
                    and not app.screen.query_one("#dash-wards", DataTable).loading)
        screen = app.screen
        table = screen.query_one("#dash-wards", DataTable)
        assert table.row_count == 19
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert all(name.endswith(" updating") for name in names)
        status = str(screen.query_one("#dash-status").render())
        assert "updating the figures of 19 wards" in status
        assert summaries.out_of_date(app.store, codes, today=TODAY) == codes  # nothing computed yet
        go.set()
        await until(pilot, lambda: not screen.view.updating and not any(w.is_running for w in app.workers), 120)
        table = screen.query_one("#dash-wards", DataTable)
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        assert names and not any("updating" in name for name in names)
        assert "updating" not in str(screen.query_one("#dash-status").render())
        first = want.wards.iloc[0]
        assert [str(k.value) for k in table.rows] == list(want.wards["ward_code"])
        assert f"{first['all_restrictive_rate']:5.1f}" in table.get_row_at(0)[1].plain
        assert not screen.dashboard.aggregate.empty
    check = Store(db, create=False)
    try:
        assert summaries.out_of_date(check, codes, today=TODAY) == []  # every summary stored, current
    finally:
        check.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_ward_table_fits_its_width_and_reads_out_what_it_leaves_out(db: Path, size: tuple[int, int]) -> None:
    """Issue 13: no sideways scrolling. At 120 columns every column is in view (every measure's
    change, variation and assurance, the first measure's latest rate, PDSA, progress, weeks in);
    at 80 every measure's change and variation, and the highlighted ward's PDSA, progress score
    and weeks in are read out under the table, from the same figures as the database's. `u` (in
    the footer) lists the wards due."""
    from pilot import until

    from rrp.reports.dashboard import not_submitted_wards

    want = expected(db)
    app = RrpApp(db, today=TODAY, who="test")
    async with app.run_test(size=size) as pilot:
        await open_dashboard(app, pilot)
        screen = app.screen
        table = screen.query_one("#dash-wards", DataTable)
        await until(pilot, lambda: not table._require_update_dimensions)
        await pilot.pause()
        assert table.max_scroll_x == 0  # nothing off to the right
        keys = [str(c.key.value) for c in table.ordered_columns]
        measures = ["all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
        await pilot.press("down")  # keys in: the second ward
        await pilot.pause()
        row = screen.page_rows()[1]
        record = want.wards.set_index("ward_code").loc[row.ward_code]
        assert (row.weeks_submitted, row.pdsa_running) == (record["weeks_submitted"], record["pdsa_running"])
        cells = " ".join(str(c) for c in table.get_row_at(1))
        reading = str(screen.query_one("#dash-ward-reading").render())
        weeks = f"{row.weeks_submitted:>2}/{row.weeks_expected}"
        if size == (120, 40):
            assert keys == ["ward", *measures, "pdsa", "score", "weeks"]
            assert f"{row.rate['all_restrictive']:5.1f}" in cells and weeks in cells
            assert "rate" in str(table.columns[table.ordered_columns[1].key].label)
            assert "Weeks in" not in reading  # in the table, not repeated
        else:
            assert keys[:6] == ["ward", *measures] and "pdsa" not in keys
            assert f"PDSA: {row.pdsa_this_month} started this month, {row.pdsa_running} running." in reading
            assert f"Weeks in: {row.weeks_submitted} of {row.weeks_expected}." in reading
        from svg_text import svg_lines

        lines = svg_lines(app.export_screenshot())
        assert any(line.lstrip().startswith(row.ward_name) for line in lines)  # its row is on screen
        assert "u Due" in lines[-1] and lines[-1].rstrip().endswith("f1 Help")
        await pilot.press("u")
        await until(pilot, lambda: type(app.screen).__name__ == "NotSubmittedScreen")
        due = not_submitted_wards(want)
        text = " ".join(svg_lines(app.export_screenshot()))
        assert app.screen.count == len(due) and all(w["ward_name"] in text for w in due[:3])


def test_headings_hyphenate_whole_and_changes_are_never_cut_to_a_wrong_number() -> None:
    from rrp.screens.dashboard import LAYOUTS, _heading, change_text, fit_layout

    assert _heading("Rapid tranquillisations", 11) == "Rapid\ntranquilli-\nsations"
    assert _heading("All restrictive", 10) == "All\nrestrict-\nive"  # 3 letters carried over at least
    assert _heading("Restraints", 10) == "Restraints"
    assert [change_text(c) for c in (None, 0.25, -1.0, 9.99, 12.34, 123.4)] == ["-", "+25", "-100", "+999", "+1k", "+12k"]
    labels = {"a": "All restrictive", "b": "Restraints"}
    assert fit_layout(["a", "b"], labels, [], 10_000) == LAYOUTS[0]  # room for everything
    assert fit_layout(["a", "b"], labels, [], 10) == LAYOUTS[-1]  # nothing fits: the leanest


async def test_ward_table_has_the_focus_from_the_start_and_keys_follow_the_tab(db: Path) -> None:
    """The ward table is focused as the screen opens (AUTO_FOCUS), not the tab bar first; the
    footer's keys are the Wards tab's from the start and follow F4; back from F1 on another tab
    the focus is not left on the hidden table (F4 still moves on)."""
    app = RrpApp(db, today=TODAY, who="test")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store is not None and app.screen.query("#wards"))
        app.open_screen("dashboard")
        await until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen" and app.screen.focused is not None)
        screen = app.screen
        assert screen.focused.id == "dash-wards"
        await settle(app, pilot)
        assert screen.focused.id == "dash-wards"

        def footer_keys() -> set[str]:
            return {str(key.action) for key in screen.query("FooterKey")}

        await until(pilot, lambda: "sort" in footer_keys() and "measure" not in footer_keys())
        await pilot.press("f4")
        await until(pilot, lambda: screen.query_one("#dash-tabs").active == "tab-aggregate")
        await until(pilot, lambda: "measure" in footer_keys() and "sort" not in footer_keys())
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert screen.focused is None or screen.focused.id != "dash-wards"
        await pilot.press("f4")
        await until(pilot, lambda: screen.query_one("#dash-tabs").active == "tab-completeness")
        await pilot.press("shift+f4", "shift+f4")
        await until(pilot, lambda: screen.query_one("#dash-tabs").active == "tab-wards")
        await until(pilot, lambda: "sort" in footer_keys() and "measure" not in footer_keys())
        assert screen.focused.id == "dash-wards"
