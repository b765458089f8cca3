"""The same figures everywhere: the dashboard, the huddle, `rrp report` and the governance exports
agree on the demo collaborative (one code path, checked end to end)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from click.testing import CliRunner

from rrp.cli import main
from rrp.exchange.exports import export_table
from rrp.reports.dashboard import dashboard_from_inputs, read_inputs
from rrp.reports.huddle import huddle_summary
from rrp.store import Store

#: The Wednesday after the demo's last week (Mon 16 Nov 2026): every view ends on that week.
TODAY = dt.date(2026, 11, 25)
MEASURES = ("all_restrictive", "restraint", "seclusion", "rapid_tranquillisation")


@pytest.fixture
def store(demo_db):
    return Store(demo_db, create=False)


def test_dashboard_icons_equal_the_spc_export(store):
    dash = dashboard_from_inputs(read_inputs(store), today=TODAY)
    spc = export_table(store, "spc")
    latest = spc.drop_duplicates(["ward_code", "measure"], keep="last").set_index(["ward_code", "measure"])
    compared = 0
    for _, ward in dash.wards.iterrows():
        for measure in MEASURES:
            if (ward["ward_code"], measure) not in latest.index:
                continue
            exported = latest.loc[(ward["ward_code"], measure), "variation_icon"]
            assert ward[f"{measure}_variation"] == exported, (ward["ward_code"], measure)
            compared += 1
    assert compared >= 19 * 3


def test_huddle_u_chart_equals_the_spc_export(store):
    ward = "NVT-CEDAR"
    frame = store.weekly.frame(ward_codes=[ward])
    summary = huddle_summary(frame, today=TODAY, measure="restraint", chart="u", ward_code=ward)
    spc = export_table(store, "spc")
    exported = spc[(spc["ward_code"] == ward) & (spc["measure"] == "restraint")].reset_index(drop=True)
    points = summary.result.points.reset_index(drop=True)
    assert len(points) == len(exported)
    for column in ("centre", "lower_limit", "upper_limit"):
        assert points[column].to_numpy() == pytest.approx(exported[column].to_numpy())
    assert summary.variation_icon == exported["variation_icon"].iloc[-1]


def test_weekly_export_carries_the_stored_counts(store):
    exported = export_table(store, "weekly")
    stored = store.weekly.frame()
    merged = stored.merge(
        exported.assign(week_start=pd.to_datetime(exported["week_start"])),
        on=["ward_code", "week_start"], suffixes=("", "_export"),
    )
    assert len(merged) == len(stored) == len(exported)
    for column in ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation", "occupied_bed_days"):
        assert (merged[column] == merged[f"{column}_export"]).all()
    rate = 1000 * (merged["restraint"] + merged["seclusion"] + merged["rapid_tranquillisation"]) / merged["occupied_bed_days"]
    assert merged["all_restrictive_rate"].to_numpy() == pytest.approx(rate.to_numpy())


def test_report_collaborative_prints_the_dashboards_change_figures(store, demo_db):
    dash = dashboard_from_inputs(read_inputs(store), today=TODAY)
    result = CliRunner().invoke(main, ["report", "collaborative", "--db", str(demo_db), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    for _, ward in dash.wards.head(5).iterrows():
        change = ward["all_restrictive_change"]
        if pd.notna(change):
            assert f"{change * 100:+.0f}" in result.output, ward["ward_code"]


def test_export_csv_is_excel_safe(store, tmp_path):
    from rrp.exchange.exports import export

    out = tmp_path / "weekly.csv"
    export(store, "weekly", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = io.StringIO(raw.decode("utf-8-sig")).readline()
    assert header.startswith("provider_code,provider_name,ward_code,ward_name,week_start")


# -- one definition of every figure: every view, every ward, every measure -------------------------

FIELDS = ("latest_value", "change_from_baseline", "baseline", "variation_icon", "assurance_icon")


def _json(args: list[str]) -> dict:
    import json

    result = CliRunner().invoke(main, [*args, "--today", TODAY.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _figures(data: dict):
    from rrp.reports.figures import MeasureFigures

    week = data["latest_week"]
    return MeasureFigures(**{**data, "latest_week": dt.date.fromisoformat(week) if week else None})


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return a == b


def _check_every_view(store, db, tmp_path) -> tuple[dict, dict, str]:
    """Every ward and measure: huddle JSON == collaborative JSON == the dashboard's frame == the
    spc export == the values export == the pack's captions. Returns (collab, huddles, pack html)."""
    import html

    from rrp.reports.pack import write_pack

    collab = _json(["report", "collaborative", "--db", str(db)])
    dash = dashboard_from_inputs(read_inputs(store), today=TODAY)
    wards = dash.wards.set_index("ward_code")
    spc = export_table(store, "spc")
    spc_last = spc.drop_duplicates(["ward_code", "measure"], keep="last").set_index(["ward_code", "measure"])
    values = export_table(store, "values")
    values_last = values.drop_duplicates(["ward_code", "measure_code"], keep="last").set_index(["ward_code", "measure_code"])
    page = write_pack(dash, tmp_path / "pack", database=db).read_text(encoding="utf-8")
    suffix = {"latest_value": "rate", "change_from_baseline": "change", "baseline": "baseline_rate",
              "variation_icon": "variation", "assurance_icon": "assurance"}
    huddles: dict[str, dict] = {}
    compared = 0
    for ward in collab["wards"]:
        code = ward["ward_code"]
        huddle = huddles[code] = _json(["report", "huddle", "--ward", code, "--db", str(db)])
        by_code = {m["measure"]: m for m in huddle["measures"]}
        for theirs in ward["measures"]:
            m = theirs["measure"]
            mine = by_code[m]
            row = wards.loc[code]
            for name in FIELDS:
                assert _same(mine[name], theirs[name]), (code, m, name, mine[name], theirs[name])
                framed = row[f"{m}_{suffix[name]}"]
                framed = None if framed is None or (isinstance(framed, float) and framed != framed) else framed
                assert _same(mine[name], framed), (code, m, name, "dashboard")
            if (code, m) in spc_last.index:
                exported = spc_last.loc[(code, m)]
                assert _same(mine["latest_value"], float(exported["rate"])), (code, m, "spc rate")
                for icon in ("variation_icon", "assurance_icon"):
                    cell = exported[icon]
                    assert mine[icon] == (cell if isinstance(cell, str) else None), (code, m, icon, "spc")
            if mine["latest_value"] is not None:
                value = float(values_last.loc[(code, m), "value"])
                assert _same(mine["latest_value"], value), (code, m, "values export")
            assert html.escape(__import__("rrp.reports.figures", fromlist=["x"]).figures_caption(_figures(mine))) in page, (code, m, "pack")
            compared += 1
    return collab, huddles, page


def test_every_figure_agrees_in_every_view(store, demo_db, tmp_path):
    collab, huddles, _ = _check_every_view(store, demo_db, tmp_path)
    assert len(collab["wards"]) == 19
    # prone restraint is shown by default, and the huddle shows every active measure
    assert collab["measures"] == ["all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"]
    assert all([m["measure"] for m in h["measures"]] == collab["measures"] for h in huddles.values())


def test_the_huddle_and_the_slide_agree_on_a_late_starting_ward(store, demo_db):
    # The copy that disagreed: the dashboard took a ward's baseline from the collaborative's first
    # 12 weeks, the huddle from the ward's own first 12 (QI-METHODS). ERC-MAPLE: +25% both now.
    huddle = _json(["report", "huddle", "--ward", "ERC-MAPLE", "--db", str(demo_db)])
    figure = next(m for m in huddle["measures"] if m["measure"] == "all_restrictive")
    assert round(figure["change_from_baseline"] * 100) == 25
    assert figure["baseline_weeks"] == 12 and figure["recent_weeks"] == 12


def test_pdsa_running_counts_cycles_in_study_everywhere(store, demo_db):
    from rrp.models.pdsa import PdsaStatus

    collab = _json(["report", "collaborative", "--db", str(demo_db)])
    studying = {c.cycle.ward_code for c in store.pdsa.list(status=PdsaStatus.STUDYING)}
    assert studying, "the demo has cycles in Study"
    for ward in collab["wards"]:
        if ward["ward_code"] in studying:
            huddle = _json(["report", "huddle", "--ward", ward["ward_code"], "--db", str(demo_db)])
            assert huddle["pdsa_running"] == ward["pdsa_running"] > 0
            assert huddle["pdsa_due_for_study"] == ward["pdsa_due_for_study"]


def test_added_process_and_balancing_measures_appear_everywhere(store, demo_db, tmp_path):
    """Issue 12's 'done when': a proportion process measure and a per-bed-days balancing measure,
    a few weeks of values, then every view shows them, charted by their own chart type."""
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "issue_measures.toml"
    result = CliRunner().invoke(main, ["import", "measures", str(fixture), "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    weeks = [dt.date(2026, 11, 16) - dt.timedelta(weeks=i) for i in range(15, -1, -1)]
    lines = ["ward_code,period_start,measure_code,numerator,denominator"]
    for i, week in enumerate(weeks):
        lines.append(f"NVT-CEDAR,{week},debrief_72h,{3 + i % 4},{8 + i % 3}")
        lines.append(f"NVT-CEDAR,{week},assaults_on_staff,{i % 3},")
    for week in weeks[-3:]:  # another ward's first few weeks
        lines.append(f"NVT-ASH,{week},debrief_72h,2,4")
    source = tmp_path / "values.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "values", str(source), "--db", str(demo_db)])
    assert result.exit_code == 0, result.output

    collab, huddles, page = _check_every_view(store, demo_db, tmp_path)
    assert set(collab["measures"][-2:]) == {"debrief_72h", "assaults_on_staff"}  # after the core, by code
    cedar = {m["measure"]: m for m in huddles["NVT-CEDAR"]["measures"]}
    debrief, assaults = cedar["debrief_72h"], cedar["assaults_on_staff"]
    assert debrief["chart"] == "p" and debrief["direction"] == "increase" and debrief["unit"] == "%"
    assert assaults["chart"] == "u" and assaults["unit"] == "per 1,000 occupied bed days"
    assert debrief["latest_value"] == pytest.approx(100 * (3 + 15 % 4) / (8 + 15 % 3))
    assert debrief["variation_icon"] is not None and assaults["variation_icon"] is not None
    ash = {m["measure"]: m for m in huddles["NVT-ASH"]["measures"]}
    assert ash["debrief_72h"]["latest_value"] == pytest.approx(50.0)
    assert ash["debrief_72h"]["variation_icon"] is None  # three points: no icon yet
    aggregate = {row["measure"]: row for row in collab["aggregate"]}
    assert aggregate["debrief_72h"]["chart"] == "pprime" and aggregate["assaults_on_staff"]["chart"] == "uprime"
    spc = export_table(store, "spc")
    assert set(spc.loc[spc["measure"] == "debrief_72h", "chart"]) == {"p"}
    assert "Incidents debriefed within 72 hours (p chart)" in page
    # the process and the balancing measure each get their own collaborative chart in the pack
    assert (tmp_path / "pack" / "00-aggregate-debrief-72h.png").stat().st_size > 1000
    assert (tmp_path / "pack" / "00-aggregate-assaults-on-staff.svg").stat().st_size > 1000
    assert "Collaborative aggregate: Incidents debriefed within 72 hours" in page
    assert "p&#x27; chart" in page or "p' chart" in page


def test_running_and_due_for_study_mean_the_same_in_every_view(store, demo_db):
    """Cycles on the edges of the rule (TODAY is Wednesday 25 Nov; its week ends Sunday 29 Nov):
    the huddle report, the collaborative report, the dashboard, the PDSA list and the store's
    lists all count what rrp.models.pdsa says is running and due for Study."""
    from rrp.models.pdsa import PdsaCycle, is_due_for_study, is_running

    ward = "ERC-MAPLE"
    idea = next(s.cycle.change_idea_code for s in store.pdsa.list(ward_code=ward))
    edges = [
        ("doing", "2026-11-29"),  # ends this Sunday: due
        ("doing", "2026-11-30"),  # ends next Monday: running, not due
        ("doing", "2026-11-01"),  # overdue: due
        ("studying", "2026-11-01"),  # in Study already: running, not due
        ("planned", "2026-11-20"),  # not started: neither
    ]
    for status, end in edges:
        store.pdsa.create(PdsaCycle(ward_code=ward, change_idea_code=idea, title=f"Edge {status} {end}",
                                    status=status, planned_start="2026-10-01", planned_end=end))
    cycles = [s.cycle for s in store.pdsa.list(ward_code=ward)]
    want_running = sum(is_running(c.status) for c in cycles)
    want_due = {c.id for c in cycles if is_due_for_study(c, TODAY)}
    assert len(want_due) >= 2

    huddle = _json(["report", "huddle", "--ward", ward, "--db", str(demo_db)])
    collab = next(w for w in _json(["report", "collaborative", "--db", str(demo_db)])["wards"] if w["ward_code"] == ward)
    wards = dashboard_from_inputs(read_inputs(store), today=TODAY).wards
    dash = wards[wards["ward_code"] == ward].iloc[0]
    listed = {s.cycle.id for s in store.pdsa.summaries(today=TODAY, ward_code=ward) if s.due_for_study}
    assert huddle["pdsa_running"] == collab["pdsa_running"] == int(dash["pdsa_running"]) == want_running
    assert huddle["pdsa_due_for_study"] == collab["pdsa_due_for_study"] == int(dash["pdsa_due_for_study"]) == len(want_due)
    assert listed == {s.cycle.id for s in store.pdsa.due_for_study(ward, TODAY)} == want_due
    assert len(store.pdsa.running(ward, TODAY)) == want_running


# -- the governance workbook: the CSVs' figures and the app's -------------------------------------


def _sheet(book, name: str) -> pd.DataFrame:
    rows = list(book[name].iter_rows(values_only=True))
    width = len(rows[0])  # a read-only sheet's row stops at its last value
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows[1:]], columns=rows[0])


def test_the_workbook_carries_the_csvs_and_the_apps_figures(store, tmp_path):
    """The governance workbook against the CSV exports, the dashboard, and its own sheets: the
    board's figures worked out again from the monthly sheet, the monthly sheet from the weekly."""
    from openpyxl import load_workbook

    from rrp.exchange.workbook import write_workbook
    from rrp.reports.board import BASELINE_MONTHS, RECENT_MONTHS, REDUCTIONS

    write_workbook(store, tmp_path / "board.xlsx")
    book = load_workbook(tmp_path / "board.xlsx", read_only=True)

    # 1. Every sheet's figures are the export's, as its CSV rounds them.
    from rrp.exchange.exports import export_decimals

    for kind in ("weekly", "monthly", "board", "spc"):
        sheet = _sheet(book, kind)
        exported = export_table(store, kind)
        places = export_decimals(kind, exported)
        assert list(sheet.columns) == list(exported.columns), kind
        assert len(sheet) == len(exported), kind
        for column in exported.columns:
            if pd.api.types.is_numeric_dtype(exported[column]) and not pd.api.types.is_bool_dtype(exported[column]):
                got = pd.to_numeric(sheet[column], errors="coerce").to_numpy(dtype=float)
                within = 0.5 * 10 ** -places[column] + 1e-9 if column in places else 1e-9
                assert got == pytest.approx(exported[column].to_numpy(dtype=float), abs=within, nan_ok=True), (kind, column)

    # 2. The spc sheet's latest point per ward and measure is the dashboard's (the app's figures).
    dash = dashboard_from_inputs(read_inputs(store), today=TODAY)
    spc = _sheet(book, "spc").drop_duplicates(["ward_code", "measure"], keep="last").set_index(["ward_code", "measure"])
    compared = 0
    for _, ward in dash.wards.iterrows():
        for measure in ("all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation"):
            key = (ward["ward_code"], measure)
            if key not in spc.index or pd.isna(ward[f"{measure}_rate"]):
                continue
            row = spc.loc[key]
            assert row["rate"] == pytest.approx(ward[f"{measure}_rate"], abs=0.006), key
            assert (row["variation_icon"] or None) == (ward[f"{measure}_variation"] or None), key
            compared += 1
    assert compared >= 19 * 4

    # 3. The monthly sheet adds up the weekly sheet (a week counts in the month of its Thursday).
    weekly = _sheet(book, "weekly")
    thursday = pd.to_datetime(weekly["week_start"]) + pd.Timedelta(days=3)
    weekly["month"] = thursday.dt.to_period("M").dt.to_timestamp()
    monthly = _sheet(book, "monthly")
    monthly["month"] = pd.to_datetime(monthly["month"])
    counts = ["restraint", "prone_restraint", "seclusion", "rapid_tranquillisation", "occupied_bed_days"]
    summed = weekly.groupby(["ward_code", "month"])[counts].sum().reset_index()
    merged = monthly.merge(summed, on=["ward_code", "month"], suffixes=("", "_weeks"))
    assert len(merged) == len(monthly)
    for column in counts:
        assert (merged[column] == merged[f"{column}_weeks"]).all(), column

    # 4. The board's figures, worked out again from the monthly sheet.
    board = _sheet(book, "board")
    calendar = sorted(monthly["month"].unique())
    baseline, recent = calendar[:BASELINE_MONTHS], calendar[-RECENT_MONTHS:]
    monthly["all_restrictive"] = monthly["restraint"] + monthly["seclusion"] + monthly["rapid_tranquillisation"]

    def rate(rows: pd.DataFrame, measure: str) -> float:
        return 1000 * rows[measure].sum() / rows["occupied_bed_days"].sum()

    checked = 0
    for _, row in board[board["scope"] == "ward"].iterrows():
        mine = monthly[monthly["ward_code"] == row["ward_code"]]
        measure = row["measure"]
        assert row["mean_monthly_rate"] == pytest.approx(rate(mine, measure), abs=0.006)
        before, after = mine[mine["month"].isin(baseline)], mine[mine["month"].isin(recent)]
        if before.empty or after.empty or rate(before, measure) == 0:
            assert pd.isna(row["change_percent"])
            continue
        change = rate(after, measure) / rate(before, measure) - 1
        assert row["change_percent"] == pytest.approx(100 * change, abs=0.06), (row["ward_code"], measure)
        for column, reduction in REDUCTIONS.items():
            assert row[column] == (change <= -reduction + 1e-12), (row["ward_code"], measure, column)
        checked += 1
    assert checked >= 19 * 4
    for _, row in board[board["scope"] == "collaborative"].iterrows():
        wards = board[(board["scope"] == "ward") & (board["measure"] == row["measure"])]
        assert row["mean_monthly_rate"] == pytest.approx(rate(monthly, row["measure"]), abs=0.006)
        assert row["wards_reduced_25"] == int((wards["reduced_25"] == True).sum())  # noqa: E712
        assert row["wards_reduced_33"] == int((wards["reduced_33"] == True).sum())  # noqa: E712
