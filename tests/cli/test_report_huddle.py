"""`rrp report huddle`: the same content as the huddle screen, printed; clear errors."""

from __future__ import annotations

from click.testing import CliRunner

from rrp.cli import main
from rrp.reports.huddle import huddle_summary
from rrp.reports.icons_text import variation_text
from rrp.store import Store

WARD = "SCP-ELM"


def _expected(db, **kwargs):
    import datetime as dt

    today = dt.date(2026, 11, 18)
    store = Store(db, create=False)
    try:
        return huddle_summary(
            store.weekly.frame(ward_codes=[WARD]), today=today,
            annotations=[s.annotation for s in store.annotations.list(WARD)],
            running=[s.cycle for s in store.pdsa.running(WARD, today)],
            due=[s.cycle for s in store.pdsa.due_for_study(WARD, today)], **kwargs,
        )
    finally:
        store.close()


def test_report_huddle_prints_the_huddle(demo_db) -> None:
    result = CliRunner().invoke(
        main,
        ["report", "huddle", "--ward", WARD.lower(), "--db", str(demo_db), "--today", "2026-11-18",
         "--measure", "seclusion", "--chart", "u"],
        terminal_width=100,
    )
    assert result.exit_code == 0, result.output
    out = result.output
    want = _expected(demo_db, measure="seclusion", chart="u")
    assert f"Safety huddle: Elm Ward ({WARD})" in out
    assert "Week of Monday 16 Nov 2026" in out
    assert "Seclusion per 1,000 occupied bed days, u chart" in out
    assert "Variation: " + variation_text(want.variation_icon) in out
    assert "Weeks since the last" in out
    assert want.line("seclusion").weeks_since_text in out
    assert f"PDSA cycles running: {len(want.running)}; due for Study: {len(want.due_for_study)}" in out
    assert "STUDY DUE" in out
    assert "Change from baseline: " in out and "aim: down 33%" in out
    assert "Trend, last 26 weeks: " in out
    assert " ".join(want.reading) in " ".join(out.split())  # the chart in words


def test_report_huddle_errors(demo_db, tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["report", "huddle", "--ward", "NOPE", "--db", str(demo_db)])
    assert result.exit_code == 2 and "NOPE is not in the registry" in result.output
    result = runner.invoke(main, ["report", "huddle", "--ward", WARD, "--db", str(demo_db), "--today", "soon"])
    assert result.exit_code == 2 and "--today" in result.output
    result = runner.invoke(main, ["report", "huddle", "--ward", WARD, "--db", str(demo_db), "--chart", "pie"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["report", "huddle", "--ward", WARD, "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_report_is_a_group_others_can_extend() -> None:
    import click

    from rrp.cli.report import report

    assert isinstance(report, click.Group) and "huddle" in report.commands
    assert main.commands["report"] is report


def test_the_printed_huddle_says_n_a_for_a_week_before_the_ward_joined(tmp_path) -> None:
    """The same participation rule as the screen: an empty week before joining is not 'not entered'."""
    import datetime as dt

    from rrp.store import Store
    from rrp.synthetic import build_demo

    path = tmp_path / "small.sqlite"
    store = Store(path, who="test")
    build_demo(store, wards=2, weeks=10, end=dt.date(2026, 11, 2))  # 9 and 16 Nov not entered
    code = store.registry.wards()[0].code
    ward = store.registry.ward(code)
    assert ward is not None
    store.registry.save_ward(ward.model_copy(update={"participation_start": dt.date(2026, 11, 16)}))
    store.close()
    args = ["report", "huddle", "--ward", code, "--db", str(path), "--today", "2026-11-18"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "All restrictive" in row)
    assert "not entered" in line and "n/a" in line


def test_report_huddle_names_cycles_by_their_ramp_label_as_the_pdsa_list_does(demo_db) -> None:
    """A running cycle is printed with the label the PDSA list screen shows ('B1 Title'), not
    'cycle 1' (two ramps on one ward both have a cycle 1)."""
    import datetime as dt

    today = dt.date(2026, 11, 18)
    store = Store(demo_db, create=False)
    try:
        running = {s.cycle.id for s in store.pdsa.running(WARD, today)}
        running |= {s.cycle.id for s in store.pdsa.due_for_study(WARD, today)}
        # the PDSA list's rows (rrp.screens.pdsa_list shows row.ramp_label)
        listed = [row for row in store.pdsa.summaries(today=today, ward_code=WARD) if row.cycle.id in running]
    finally:
        store.close()
    assert listed
    result = CliRunner().invoke(
        main, ["report", "huddle", "--ward", WARD, "--db", str(demo_db), "--today", "2026-11-18"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    for row in listed:
        assert f" {row.ramp_label} {' '.join(row.cycle.title.split())}" in out
    assert ", cycle " not in out
