"""Pilot tests of the ward huddle at 80x24: what it shows agrees with the engine, keys switch
measure and chart, a rebase is stored as an annotation and reaches the chart, choices persist."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from pilot import until

from rrp.app import RrpApp
from rrp.store import Store

TODAY = dt.date(2026, 11, 18)
END = dt.date(2026, 11, 16)
CLOCK = "2026-11-18T09:00:00Z"
WARD = "SCP-ELM"  # a demo ward with two running cycles, one due for Study


@pytest.fixture
def db(demo_db: Path) -> Path:
    """A private copy of the session's demo collaborative (tests/conftest.py), ending on END."""
    return demo_db


def make_app(db: Path) -> RrpApp:
    return RrpApp(db, today=TODAY, who="nurse", clock=lambda: CLOCK)


async def settle(pilot, app: RrpApp) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def expected(db: Path, ward: str, **kwargs):
    from rrp.reports.huddle import huddle_summary

    store = Store(db, create=False)
    try:
        return huddle_summary(
            store.weekly.frame(ward_codes=[ward]),
            today=TODAY,
            annotations=[s.annotation for s in store.annotations.list(ward)],
            aim_reduction=store.change_package.aim().reduction,
            running=[s.cycle for s in store.pdsa.running(ward, TODAY)],
            due=[s.cycle for s in store.pdsa.due_for_study(ward, TODAY)],
            ward_code=ward,
            **kwargs,
        )
    finally:
        store.close()


def plain(app: RrpApp, selector: str) -> str:
    widget = app.screen.query_one(selector)
    content = widget.content
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(content)
    return console.export_text()


async def open_huddle(pilot, app: RrpApp, ward: str = WARD) -> None:
    await until(pilot, lambda: app.store is not None)
    await settle(pilot, app)
    app.open_screen("huddle", ward_code=ward)
    await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
    await settle(pilot, app)
    await until(pilot, lambda: app.screen.loaded)


def test_h_on_home_opens_the_highlighted_wards_huddle(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.store is not None and bool(app.screen.query("#wards")))
            await until(pilot, lambda: bool(app.screen.rows))
            ward = app.screen.selected_ward()
            await pilot.press("h")
            await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
            await settle(pilot, app)
            await until(pilot, lambda: app.screen.loaded)
            assert app.screen.ward_code == ward
            assert f"({ward})" in plain(app, "#huddle-title")
            await pilot.press("escape")
            await until(pilot, lambda: type(app.screen).__name__ == "HomeScreen")

    asyncio.run(run())


def test_huddle_shows_the_engines_results(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            screen = app.screen
            want = expected(db, WARD, measure="all_restrictive", chart="run")
            assert screen.summary.variation_icon == want.variation_icon
            side = plain(app, "#huddle-side")
            from rrp.reports.icons_text import variation_text

            assert variation_text(want.variation_icon, short=True) in side
            assert f"PDSA: {len(want.running)} running, {len(want.due_for_study)} due Study" in side
            counts = plain(app, "#huddle-counts")
            for i, line in enumerate(want.lines, start=1):
                row = next(r for r in counts.splitlines() if r.strip().startswith(f"{i} "))
                cells = row.split()
                # this week (END) was saved before it ended: its count says 'prov'
                assert want.this_week_provisional and not want.last_week_provisional
                assert cells[-4:-1] == [
                    "-" if line.this_week is None else str(line.this_week),
                    "-" if line.this_week is None else "prov",
                    "-" if line.last_week is None else str(line.last_week),
                ]
            chart = screen.query_one("#huddle-chart")
            assert list(chart.points["value"]) == list(want.result.points["value"])
            assert chart.drawn["n"] == min(52, len(want.result.points))

    asyncio.run(run())


def test_keys_switch_measure_and_chart_and_choices_persist(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            screen = app.screen
            assert (screen.measure, screen.chart) == ("all_restrictive", "run")
            await pilot.press("4")
            await settle(pilot, app)
            assert screen.summary.measure == "seclusion"
            assert "Seclusion per 1,000" in screen.query_one("#huddle-chart").title
            await pilot.press("m")
            await settle(pilot, app)
            assert screen.summary.measure == "rapid_tranquillisation"
            await pilot.press("m")
            await settle(pilot, app)
            assert screen.summary.measure == "all_restrictive"
            await pilot.press("c")
            await settle(pilot, app)
            assert screen.summary.chart == "xmr"
            await pilot.press("c")
            await settle(pilot, app)
            assert screen.summary.chart == "u"
            want = expected(db, WARD, measure="all_restrictive", chart="u")
            assert screen.summary.variation_icon == want.variation_icon
            assert list(screen.summary.result.points["upper_limit"]) == list(want.result.points["upper_limit"])
            # Fix the baseline after 20 points with b.
            await pilot.press("b")
            await until(pilot, lambda: type(app.screen).__name__ == "BaselineForm")
            await pilot.press("5", "enter")  # too few: refused inline
            assert type(app.screen).__name__ == "BaselineForm"
            assert "at least 12" in str(app.screen.query_one("#e-points").render())
            await pilot.press("backspace", "2", "0", "enter")
            await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
            await settle(pilot, app)
            assert screen.summary.fix_after == 20
        store = Store(db, create=False)
        assert store.preferences.get(f"huddle:{WARD}") == {"measure": "all_restrictive", "chart": "u", "fix_after": 20}
        store.close()
        # A new session starts from the saved choices.
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            assert (app.screen.chart, app.screen.fix_after) == ("u", 20)

    asyncio.run(run())


def test_rebase_by_keys_is_stored_and_reaches_the_chart(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            screen = app.screen
            await pilot.press("2", "c")  # restraint, XmR
            await settle(pilot, app)
            assert screen.summary.measure == "restraint" and screen.summary.chart == "xmr"
            assert screen.summary.rebases == []
            await pilot.press("r")
            await until(pilot, lambda: type(app.screen).__name__ == "AnnotationForm")
            form = app.screen
            await pilot.press(*"03/06/2026", "enter")  # Enter moves on to the reason
            await pilot.press("enter")  # no reason: refused
            assert type(app.screen).__name__ == "AnnotationForm"
            assert "required" in str(form.query_one("#e-text").render())
            await pilot.press(*"New ward manager and staffing model", "enter")
            assert type(app.screen).__name__ == "AnnotationForm"  # 3 June 2026 is a Wednesday
            assert "is a Wednesday" in str(form.query_one("#e-on_date").render())
            form.query_one("#a-date").value = "01/06/2026"
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
            await settle(pilot, app)
            assert screen.summary.rebases == [dt.date(2026, 6, 1)]
            assert screen.summary.result.points["segment"].max() == 2
            assert any(m.kind == "rebase" for m in screen.summary.markers)
        store = Store(db, create=False)
        rows = [s.annotation for s in store.annotations.list(WARD, kinds=["rebase"])]
        store.close()
        assert len(rows) == 1
        assert rows[0].on_date == dt.date(2026, 6, 1)
        assert rows[0].measure == "restraint"
        assert rows[0].text == "New ward manager and staffing model"
        assert expected(db, WARD, measure="restraint", chart="xmr").rebases == [dt.date(2026, 6, 1)]

    asyncio.run(run())


def test_note_refuses_an_nhs_number_and_saves_plain_text(db: Path) -> None:
    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            await pilot.press("a")
            await until(pilot, lambda: type(app.screen).__name__ == "AnnotationForm")
            form = app.screen
            assert form.query_one("#a-date").value == "18/11/2026"
            await pilot.press(*"Patient 943 476 5919 moved", "enter")
            assert type(app.screen).__name__ == "AnnotationForm"
            assert "NHS number" in str(form.query_one("#e-text").render())
            form.query_one("#a-text").value = "Two agency shifts covered"
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
            await settle(pilot, app)
            assert any(m.kind == "note" and m.x == dt.date(2026, 11, 16) for m in app.screen.summary.markers)
        store = Store(db, create=False)
        notes = [s.annotation for s in store.annotations.list(WARD, kinds=["note"])]
        store.close()
        assert [n.text for n in notes] == ["Two agency shifts covered"]
        assert notes[0].measure is None

    asyncio.run(run())


def test_screen_measure_keys_match_the_reports() -> None:
    from rrp.reports.huddle import HUDDLE_CHARTS, HUDDLE_MEASURES
    from rrp.screens.huddle import CHARTS, MEASURE_KEYS

    assert tuple(HUDDLE_MEASURES) == MEASURE_KEYS
    assert HUDDLE_CHARTS == CHARTS


def test_e_logs_this_week_and_the_huddle_redraws_in_place(db: Path) -> None:
    """e opens the week entry form for the ward; after ctrl+s the huddle beneath shows the new
    counts (recomputed from what it had read plus the saved week) and, after escape, its chart."""

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            huddle = app.screen
            this_monday = TODAY - dt.timedelta(days=TODAY.weekday())
            read_before = huddle.inputs
            await pilot.press("e")
            await until(pilot, lambda: type(app.screen).__name__ == "WeekEntryScreen" and app.screen.ward is not None)
            entry = app.screen
            assert entry.ward_code == WARD and entry.week_start == this_monday
            bed_days = int(entry.query_one("#f-occupied_bed_days").value)
            # Restraint 9 (prone 1), seclusion 2, rapid tranquillisation 0; bed days as shown.
            for field, value in (("restraint", "9"), ("prone_restraint", "1"), ("seclusion", "2"),
                                 ("rapid_tranquillisation", "0")):
                box = entry.query_one(f"#f-{field}")
                box.focus()
                box.value = ""
                await pilot.press(*value)  # typed
            # This week is saved already, before it ended: keeping it up to date is no correction,
            # so no reason is asked (rrp.reports.corrections.needs_reason).
            assert entry.stored is not None
            await pilot.press("ctrl+s")
            await until(pilot, lambda: str(entry.query_one("#week-banner").render()).startswith("Saved week"))
            await until(pilot, lambda: huddle.summary.line("restraint").this_week == 9)
            # Recomputed in place from what the huddle had read: no second read of the database.
            assert huddle.inputs is read_before
            assert huddle.summary.line("all_restrictive").this_week == 11
            assert huddle.summary.line("prone_restraint").this_week == 1
            chart = huddle.query_one("#huddle-chart")
            # The new chart is drawn and turned into screen lines beneath the form, so Esc only
            # shows it: plotext does not run again and the lines are reused.
            # Wait for the huddle to settle (a re-read may follow the recompute) and for the lines
            # of the chart it now holds.
            # This week is still in progress: saved, it is provisional, drawn hollow after the
            # last point and never one of the chart's points.
            await until(pilot, lambda: not any(w.is_running for w in app.workers)
                        and chart.provisional and chart.provisional[-1][0] == this_monday
                        and chart.points["x"].iloc[-1] < this_monday and chart._strips is not None
                        and chart._built is not None and chart._built[0] == chart._build_key()
                        and chart._strips[0][0] == chart._built[0])
            built, strips, renders = chart._built, chart._strips, chart.renders
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is huddle)
            await settle(pilot, app)
            assert chart._built is built and chart._strips is strips
            assert chart.renders > renders  # shown since Esc
            counts = plain(app, "#huddle-counts")
            row = next(r for r in counts.splitlines() if r.strip().startswith("2 "))
            assert row.split()[-4:-2] == ["9", "prov"]  # this week, saved before it ended
            assert chart.points["x"].iloc[-1] < this_monday
            assert chart.provisional[-1] == (this_monday, pytest.approx(1000 * 11 / bed_days))
            assert chart.drawn["n"] == min(52, len(chart.points))
            assert [x for x, _, _ in chart.drawn["provisional"]] == [this_monday]
            assert "\u25cb/prov provisional" in plain(app, "#huddle-legend")
            assert "latest 16 Nov 2026 (provisional)" in plain(app, "#huddle-title")
            # The same as a fresh computation from the database.
            want = expected(db, WARD, measure=huddle.measure, chart=huddle.chart, fix_after=huddle.fix_after)
            assert list(huddle.summary.result.points["value"]) == list(want.result.points["value"])
            assert huddle.summary.variation_icon == want.variation_icon
            assert huddle.summary.change == want.change

    asyncio.run(run())


def test_huddle_reads_the_chart_out_in_words(db: Path) -> None:
    """The chart's plain-English reading (the engine's signal, the aim) is on the huddle screen,
    and follows the chart when c changes it."""

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            want = expected(db, WARD, measure="all_restrictive", chart="run")
            shown = " ".join(plain(app, "#huddle-reading").split())
            assert want.reading and shown == " ".join(want.reading)
            assert shown.startswith("All restrictive practice: ")
            assert "run chart has no usual range" in shown
            await pilot.press("c")  # the XmR chart: a usual range, so a verdict on the aim
            await until(pilot, lambda: app.screen.loaded and app.screen.chart == "xmr")
            await settle(pilot, app)
            want = expected(db, WARD, measure="all_restrictive", chart="xmr")
            await until(pilot, lambda: " ".join(plain(app, "#huddle-reading").split()) == " ".join(want.reading))
            assert want.reading[2].startswith("Aim ")

    asyncio.run(run())


def test_a_note_tabbed_into_the_date_box_neither_replaces_the_date_nor_fails_silently(db: Path) -> None:
    """The issue's bug: type a note, Tab, type more, Enter. The date was replaced by the text and
    Enter only moved the cursor; now the date box takes only a date and Enter saves, as it says."""

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            await pilot.press("a")
            await until(pilot, lambda: type(app.screen).__name__ == "AnnotationForm")
            form = app.screen
            await pilot.press(*"Agency cover", "tab")
            assert app.focused.id == "a-date"
            await pilot.press(*"all night")
            assert form.query_one("#a-date").value == "18/11/2026"
            await pilot.press("enter")
            await until(pilot, lambda: type(app.screen).__name__ == "HuddleScreen")
        store = Store(db, create=False)
        notes = [s.annotation for s in store.annotations.list(WARD, kinds=["note"])]
        store.close()
        assert [(n.text, n.on_date) for n in notes] == [("Agency cover", dt.date(2026, 11, 18))]

    asyncio.run(run())


def test_huddle_cycles_through_an_added_proportion_measure_and_its_p_chart(db: Path, tmp_path: Path) -> None:
    """Issue 12: the huddle cycles through every measure the ward sees; a proportion measure is
    charted with its own p chart, and its change line is the shared figure."""
    from click.testing import CliRunner

    from rrp.cli import main

    fixture = Path(__file__).parent.parent / "fixtures" / "issue_measures.toml"
    assert CliRunner().invoke(main, ["import", "measures", str(fixture), "--db", str(db)]).exit_code == 0
    weeks = [END - dt.timedelta(weeks=i) for i in range(13, -1, -1)]
    source = tmp_path / "values.csv"
    source.write_text(
        "ward_code,period_start,measure_code,numerator,denominator\n"
        + "".join(f"{WARD},{w},debrief_72h,{2 + i % 3},6\n" for i, w in enumerate(weeks)),
        encoding="utf-8",
    )
    assert CliRunner().invoke(main, ["import", "values", str(source), "--db", str(db)]).exit_code == 0

    async def run() -> None:
        app = make_app(db)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            screen = app.screen
            codes = screen.summary.measure_codes
            assert codes[:5] == ["all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
            assert set(codes[5:]) == {"debrief_72h", "assaults_on_staff"}
            key = str(codes.index("debrief_72h") + 1)
            await pilot.press(key)
            await until(pilot, lambda: screen.summary.measure == "debrief_72h" and screen.loaded)
            await settle(pilot, app)
            assert screen.summary.chart_options == ("run", "xmr", "p")
            await pilot.press("c", "c")
            await until(pilot, lambda: screen.summary.chart == "p")
            await settle(pilot, app)
            points = screen.summary.result.points
            # The ward's last week (END) was saved before it ended: provisional, so its value is
            # drawn apart and the chart's last point is the week before.
            assert list(points["value"])[-1] == pytest.approx(100 * (2 + 12 % 3) / 6)
            assert screen.summary.provisional == [(END, pytest.approx(100 * (2 + 13 % 3) / 6))]
            shared = next(f for f in screen.summary.figures if f.measure == "debrief_72h")
            assert screen.summary.change.change == shared.change_from_baseline
            assert "(%)" in screen._chart_title(screen.summary)
            # m cycles on past the last measure back to the first
            for _ in range(len(codes) - codes.index("debrief_72h")):
                await pilot.press("m")
            await until(pilot, lambda: screen.summary.measure == codes[0])

    asyncio.run(run())


def _counts_rows(app: RrpApp) -> dict[str, str]:
    """The counts table's rows by measure key ('1'..), as shown."""
    rows = {}
    for line in plain(app, "#huddle-counts").splitlines():
        parts = line.split()
        if parts and parts[0].isdigit():
            rows[parts[0]] = line
    return rows


def test_this_and_last_week_say_prov_for_a_provisional_week_until_it_is_confirmed(db: Path) -> None:
    """The demo's latest week (END) was saved on 18 Nov, before it ended: on 18 Nov it is this
    week and each count says 'prov'; on 25 Nov it is last week, still provisional, and the Last
    column says it; saved again after it ended (confirmed), the mark goes. The flag is the store's
    (week_status.is_provisional), checked here against the database."""
    from rrp.models.week_status import is_provisional

    store = Store(db, create=False)
    stored = store.weekly.week(WARD, END)
    last = store.weekly.week(WARD, END - dt.timedelta(weeks=1))
    store.close()
    assert stored is not None and is_provisional(END, stored.updated_at)
    assert last is not None and not is_provisional(last.counts.week_start, last.updated_at)

    async def shown(today: dt.date) -> tuple[dict[str, str], str, object]:
        app = RrpApp(db, today=today, who="nurse", clock=lambda: f"{today.isoformat()}T09:00:00Z")
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            await settle(pilot, app)
            return _counts_rows(app), plain(app, "#huddle-legend"), app.screen.summary

    rows, legend, summary = asyncio.run(shown(TODAY))
    assert summary.this_week == END and summary.this_week_provisional and not summary.last_week_provisional
    restraint = summary.line("restraint")
    # "2 Restraints  <this> prov  <last>  <since>": the mark follows this week's count only
    assert rows["2"].split()[2:5] == [str(restraint.this_week), "prov", str(restraint.last_week)]
    assert all(row.count("prov") == 1 for key, row in rows.items() if key in "12345")
    assert "prov provisional" in legend

    later = END + dt.timedelta(days=9)  # Wednesday 25 Nov: END is last week now, still provisional
    rows, legend, summary = asyncio.run(shown(later))
    assert summary.last_week == END and summary.last_week_provisional and not summary.this_week_provisional
    assert rows["2"].split()[2:5] == ["-", str(restraint.this_week), "prov"]
    assert "prov provisional" in legend

    # Confirmed: saved again after it ended (the store moves updated_at on), no mark.
    store = Store(db, create=False, who="nurse", clock=lambda: f"{later.isoformat()}T10:00:00Z")
    store.weekly.save(stored.counts, expected_version=stored.version, today=later)
    assert not is_provisional(END, store.weekly.week(WARD, END).updated_at)
    store.close()
    rows, legend, summary = asyncio.run(shown(later))
    assert not summary.last_week_provisional
    assert rows["2"].split()[2:4] == ["-", str(restraint.this_week)] and "prov" not in "".join(rows.values())


def test_a_week_before_the_ward_joined_reads_n_a_not_missing(db: Path) -> None:
    """Issue 13: the huddle's This/Last counts use the one participation rule (week_status), as
    the home screen does: an empty week before the ward joined is 'n/a', an empty week after is '-'."""
    import sqlite3

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM weekly WHERE ward_code = ? AND week_start = '2026-11-09'", (WARD,))
    conn.close()

    async def last_week_cell(app: RrpApp) -> str:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_huddle(pilot, app)
            row = next(line for line in plain(app, "#huddle-counts").splitlines() if "All restrictive" in line)
            return row

    before = asyncio.run(last_week_cell(make_app(db)))
    assert "n/a" not in before and " - " in before  # not entered, and the ward takes part
    store = Store(db, create=False)
    ward = store.registry.ward(WARD)
    assert ward is not None
    store.registry.save_ward(ward.model_copy(update={"participation_start": END}))  # joined this week
    store.close()
    after = asyncio.run(last_week_cell(make_app(db)))
    assert "n/a" in after and " - " not in after
