"""rrp import/export measures and values: the issue's file, round trips, all-or-nothing, figures."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from exchange_helpers import END, TODAY, write

from rrp.cli import main
from rrp.exchange.exports import export, export_table
from rrp.exchange.measures_exchange import (
    MeasuresRefused,
    import_measures,
    import_values,
    measures_text,
)
from rrp.exchange.weekly_import import RowsRefused
from rrp.store import Store
from rrp.store.measures import load_shipped_measures

ISSUE_TOML = Path(__file__).resolve().parent.parent / "fixtures" / "issue_measures.toml"

WARD = "ERC-MAPLE"
WEEK = END.isoformat()
HEADER = "ward_code,period_start,measure_code,numerator,denominator\n"


def _issue_toml() -> str:
    return ISSUE_TOML.read_text(encoding="utf-8")


def switched_on(store: Store) -> Store:
    load_shipped_measures(store)
    store.measures.save_many(s.measure.model_copy(update={"enabled": True}) for s in store.measures.stored())
    return store


def test_the_issue_file_imports_and_exports_round_trip(demo_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "family.toml", _issue_toml())
    dry = import_measures(demo_store, path, dry_run=True)
    assert dry.inserted == ["debrief_72h", "assaults_on_staff"] and demo_store.measures.get("debrief_72h") is None
    done = import_measures(demo_store, path)
    assert done.inserted == ["debrief_72h", "assaults_on_staff"]
    assert demo_store.measures.get("assaults_on_staff").measure.chart == "u"
    exported = write(tmp_path / "out.toml", measures_text(demo_store))
    again = import_measures(demo_store, exported)
    assert again.inserted == again.updated == [] and len(again.unchanged) == 7
    assert measures_text(demo_store) == exported.read_text(encoding="utf-8")


def test_a_bad_measures_file_names_each_measure_and_field_and_writes_nothing(demo_store: Store, tmp_path: Path) -> None:
    text = _issue_toml().replace('direction = "increase"', 'direction = "up"') + (
        '\n[[measure]]\ncode = "local_prone"\nname = "Local"\ndefinition = "Ours."\nkind = "outcome"\n'
        'recorded_as = "count"\ndirection = "decrease"\nfrequency = "weekly"\npart_of = "restraint"\n'
    )
    with pytest.raises(MeasuresRefused) as info:
        import_measures(demo_store, write(tmp_path / "bad.toml", text))
    assert "[[measure]] 1 (debrief_72h), direction:" in "\n".join(info.value.problems)
    assert demo_store.measures.get("assaults_on_staff") is None  # the good one was not written either
    # Each measure valid on its own: then the set's rules, against the stored set, name the field.
    with pytest.raises(MeasuresRefused) as info:
        import_measures(demo_store, write(tmp_path / "bad2.toml", text.replace('"up"', '"increase"')))
    assert info.value.problems == [
        "[[measure]] 3 (local_prone), part_of: restraint is count_per_bed_days, weekly; local_prone is count, weekly: they must match"
    ]


def test_values_import_all_or_nothing_naming_row_and_column(demo_store: Store, tmp_path: Path) -> None:
    switched_on(demo_store)
    good = HEADER + f"{WARD},{WEEK},debrief_72h,2,3\n{WARD},{WEEK},assaults_on_staff,1,\n"
    bad = good + (
        f"{WARD},2030-01-06,self_harm,1,\n"          # row 4: in the future
        f"{WARD},{WEEK},debrief_72h,1,1\n"           # row 5: twice
        f"NOPE,{WEEK},self_harm,1,\n"                # row 6: unknown ward
        f"{WARD},{WEEK},made_up,1,\n"                # row 7: unknown measure
        f"{WARD},{WEEK},safety_huddle_shifts,5,4\n"  # row 8: numerator above denominator
        f"{WARD},{WEEK},prone_restraint,99,\n"       # row 9: prone above restraint
        f"{WARD},2020-01-06,self_harm,1,\n"          # row 10: no weekly row that week
    )
    with pytest.raises(RowsRefused) as info:
        import_values(demo_store, write(tmp_path / "bad.csv", bad), today=TODAY)
    found = {(p.row, p.column) for p in info.value.problems}
    assert {(4, "period_start"), (5, "period_start"), (6, "ward_code"), (7, "measure_code"),
            (8, "numerator"), (9, "numerator"), (10, "period_start")} <= found
    assert "2020-01-06" in next(p.message for p in info.value.problems if p.row == 10)
    assert demo_store.measures.values_frame().empty  # nothing from the good rows either
    result = import_values(demo_store, write(tmp_path / "good.csv", good), today=TODAY)
    assert sorted(result.inserted) == [f"{WARD}/assaults_on_staff/{WEEK}", f"{WARD}/debrief_72h/{WEEK}"]


def test_a_switched_off_measure_takes_no_values(demo_store: Store, tmp_path: Path) -> None:
    load_shipped_measures(demo_store)
    with pytest.raises(RowsRefused) as info:
        import_values(demo_store, write(tmp_path / "v.csv", HEADER + f"{WARD},{WEEK},self_harm,1,\n"), today=TODAY)
    assert "switched off" in info.value.problems[0].message


def test_core_counts_import_into_the_weekly_row(demo_store: Store, tmp_path: Path) -> None:
    week = demo_store.weekly.week(WARD, END)
    text = HEADER + f"{WARD},{WEEK},restraint,{week.counts.restraint + 2},\n{WARD},{WEEK},seclusion,{week.counts.seclusion},\n"
    result = import_values(demo_store, write(tmp_path / "v.csv", text), today=TODAY)
    assert result.updated == [f"{WARD}/restraint/{WEEK}"] and result.unchanged == [f"{WARD}/seclusion/{WEEK}"]
    stored = demo_store.weekly.week(WARD, END)
    assert stored.counts.restraint == week.counts.restraint + 2 and stored.version == week.version + 1


def test_export_values_core_figures_are_the_weekly_exports_rates(demo_store: Store) -> None:
    weekly = pd.read_csv(_csv(demo_store, "weekly"), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    values = pd.read_csv(_csv(demo_store, "values"), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    for measure in ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation", "all_restrictive"):
        mine = values[values["measure_code"] == measure].set_index(["ward_code", "period_start"])
        theirs = weekly.set_index(["ward_code", "week_start"])
        assert len(mine) == len(theirs)
        assert list(mine["value"]) == list(theirs[f"{measure}_rate"])
        assert list(mine["numerator"]) == list(theirs[measure])
        assert list(mine["denominator"]) == list(theirs["occupied_bed_days"])
    assert list(values.columns) == [
        "provider_code", "ward_code", "ward_name", "measure_code", "measure_name", "kind",
        "period_start", "numerator", "denominator", "value", "provisional",
    ]
    assert list(values["provisional"].unique()) == ["False"] == list(weekly["provisional"].unique())


def test_export_values_then_import_changes_nothing(demo_store: Store, tmp_path: Path) -> None:
    switched_on(demo_store)
    text = HEADER + f"{WARD},{WEEK},debrief_72h,2,3\n{WARD},{WEEK},assaults_on_staff,1,\n{WARD},2026-11-01,safewards_in_place,6.5,\n"
    import_values(demo_store, write(tmp_path / "v.csv", text), today=TODAY)
    table = export_table(demo_store, "values")
    mine = table[table["measure_code"].isin(["debrief_72h", "assaults_on_staff", "safewards_in_place"])]
    rate = round(1 / demo_store.weekly.week(WARD, END).counts.occupied_bed_days * 1000, 2)
    assert list(mine["measure_code"]) == ["debrief_72h", "safewards_in_place", "assaults_on_staff"]  # the set's order
    assert list(mine["value"].round(2)) == [66.67, 6.5, rate]
    out = tmp_path / "values.csv"
    export(demo_store, "values", out)
    result = import_values(demo_store, out, today=TODAY)
    assert result.inserted == result.updated == []
    assert any("all_restrictive skipped" in note for note in result.notes)


def test_cli_import_and_export_measures_and_values(demo_store: Store, tmp_path: Path) -> None:
    db = str(demo_store.path)
    runner = CliRunner()
    path = write(tmp_path / "family.toml", _issue_toml())
    done = runner.invoke(main, ["--db", db, "import", "measures", str(path)])
    assert done.exit_code == 0, done.output
    assert "2 added" in done.output
    bad = runner.invoke(main, ["--db", db, "import", "measures", str(write(tmp_path / "b.toml", "[[measure]]\ncode = 'X'\n"))])
    assert bad.exit_code == 1 and "[[measure]] 1" in bad.output and "Traceback" not in bad.output
    out = runner.invoke(main, ["--db", db, "export", "measures", "-"])
    assert out.exit_code == 0 and 'code = "debrief_72h"' in out.output
    missing = runner.invoke(main, ["--db", db, "import", "values", str(write(tmp_path / "v.csv", "ward_code,numerator\n"))])
    assert missing.exit_code == 2 and "missing columns: period_start, measure_code" in missing.output
    refused = runner.invoke(main, ["--db", db, "import", "values", str(write(tmp_path / "w.csv", HEADER + f"{WARD},{WEEK},debrief_72h,4,3\n"))])
    assert refused.exit_code == 1 and "numerator" in refused.output
    values = runner.invoke(main, ["--db", db, "export", "values", "-"])
    assert values.exit_code == 0 and values.output.startswith("\ufeffprovider_code,ward_code,ward_name,measure_code")


def _csv(store: Store, kind: str) -> io.BytesIO:
    out = io.BytesIO()
    export(store, kind, out)
    out.seek(0)
    return out


def test_rrp_init_loads_the_shipped_measures_once(tmp_path: Path) -> None:
    db = str(tmp_path / "new.sqlite")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "init"]).exit_code == 0
    store = Store(db)
    measures = store.measures.all()
    assert len(measures) == 11 and len(measures.enabled()) == 5
    versions = [s.version for s in store.measures.stored()]
    store.close()
    again = runner.invoke(main, ["--db", db, "init"])
    assert again.exit_code == 0 and "(0 records added or changed)" in again.output
    assert [s.version for s in Store(db).measures.stored()] == versions
