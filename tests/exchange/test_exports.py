"""Exports: Excel safety, monthly by Thursday, SPC through the engine, dictionary covers every column."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest

from rrp.exchange.csv_out import excel_safe, write_csv
from rrp.exchange.dictionary import columns_of, dictionary_table
from rrp.exchange.exports import EXPORT_KINDS, ExportFilter, ExportRefused, export, export_table
from rrp.paths import DATA_DIR
from rrp.reports.tables import month_of_week
from rrp.store import Store


@pytest.mark.parametrize("bad", ["=1+1", "+44", "-cmd", "@SUM(A1)", "\tx", "\rx"])
def test_injection_neutralised_numbers_untouched(bad: str) -> None:
    frame = pd.DataFrame({"text": [bad, "fine"], "n": [-3, 4], "rate": [-1.5, 2.0]})
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    raw = buffer.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    assert back["text"][0] == "'" + bad.replace("\r", "\n") or back["text"][0].startswith("'")
    assert list(back["n"]) == [-3, 4] and list(back["rate"]) == [-1.5, 2.0]
    assert excel_safe(frame)["text"][1] == "fine"


def test_monthly_week_belongs_to_month_of_its_thursday() -> None:
    weeks = pd.Series(pd.to_datetime(["2026-06-29", "2026-07-27", "2026-08-31", "2026-09-28"]))
    # 29 Jun: Thursday 2 Jul -> July; 27 Jul: Thu 30 Jul -> July; 31 Aug: Thu 3 Sep -> Sep.
    assert [d.isoformat() for d in month_of_week(weeks)] == ["2026-07-01", "2026-07-01", "2026-09-01", "2026-10-01"]


def test_weekly_and_monthly_figures_agree(demo_store: Store) -> None:
    weekly = export_table(demo_store, "weekly", ExportFilter(wards=("NVT-ASH",)))
    monthly = export_table(demo_store, "monthly", ExportFilter(wards=("NVT-ASH",)))
    assert weekly["restraint"].sum() == monthly["restraint"].sum()
    assert monthly["weeks"].sum() == len(weekly)
    row = weekly.iloc[0]
    assert row["all_restrictive"] == row["restraint"] + row["seclusion"] + row["rapid_tranquillisation"]
    assert row["restraint_rate"] == pytest.approx(row["restraint"] / row["occupied_bed_days"] * 1000)


def test_filters(demo_store: Store) -> None:
    table = export_table(demo_store, "weekly", ExportFilter(provider="nvt", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)))
    assert set(table["provider_code"]) == {"NVT"}
    assert table["week_start"].min() >= dt.date(2026, 10, 1) and table["week_start"].max() <= dt.date(2026, 10, 31)
    with pytest.raises(ExportRefused, match="unknown ward"):
        export_table(demo_store, "weekly", ExportFilter(wards=("NOPE",)))
    with pytest.raises(ExportRefused, match="after"):
        export_table(demo_store, "weekly", ExportFilter(start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1)))


def test_spc_export_uses_engine(demo_store: Store) -> None:
    from rrp.reports.spc import compute_chart

    table = export_table(demo_store, "spc", ExportFilter(wards=("NVT-ASH",)))
    assert set(table["measure"]) == {"restraint", "prone_restraint", "seclusion", "rapid_tranquillisation", "all_restrictive"}
    assert set(table["chart"]) == {"u"} and set(table["direction"]) == {"decrease"}
    one = table[table["measure"] == "restraint"]
    chart = compute_chart(one["count"], denominators=one["occupied_bed_days"], chart="u", per=1000)
    assert list(one["centre"]) == pytest.approx(list(chart.points["centre"]))
    assert set(one["variation_icon"]) == {chart.summary["variation_icon"]}


def test_every_export_column_is_in_the_dictionary(demo_store: Store, tmp_path: Path) -> None:
    for kind in EXPORT_KINDS:
        result = export(demo_store, kind, tmp_path / f"{kind}.csv")
        assert result.columns == columns_of(kind), kind


def test_shipped_dictionary_csv_is_current() -> None:
    shipped = pd.read_csv(DATA_DIR / "dictionary.csv", encoding="utf-8-sig", keep_default_na=False)
    assert shipped.equals(dictionary_table().fillna(""))
