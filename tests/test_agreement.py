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
