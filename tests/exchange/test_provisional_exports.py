"""Every export that carries weeks says which are provisional (issue 13), on both engines.

A week saved before it ended and not since (rrp.models.week_status.is_provisional, read by the
store) is flagged True in the weekly and values exports and on the workbook's weekly and values
sheets; it is never a point, so the spc export has no row for it; the dictionary and the workbook's
README say so; and a file exported with the new column imports again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from exchange_helpers import TODAY
from openpyxl import load_workbook

from rrp.exchange.dictionary import ENTRIES
from rrp.exchange.exports import export
from rrp.exchange.measures_exchange import import_values
from rrp.exchange.weekly_import import import_weekly
from rrp.exchange.workbook import write_workbook
from rrp.store import Store

WARD = "NVT-BIRCH"
WEEK = dt.date(2026, 11, 16)  # the demo's latest week


@pytest.fixture
def store(demo_store: Store) -> Store:
    """The demo with BIRCH's latest week saved on its Wednesday: provisional."""
    with demo_store.database.transaction() as conn:
        conn.execute(
            "UPDATE weekly SET updated_at = ? WHERE ward_code = ? AND week_start = ?",
            ("2026-11-18T10:00:00Z", WARD, WEEK.isoformat()),
        )
    assert demo_store.weekly.provisional_keys() == {(WARD, WEEK)}
    return demo_store


def _rows(store: Store, kind: str, **options) -> list[dict[str, str]]:
    out = io.BytesIO()
    export(store, kind, out, **options)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))


def test_the_weekly_export_flags_the_provisional_week_in_its_last_column(store: Store) -> None:
    rows = _rows(store, "weekly")
    assert list(rows[0])[-1] == "provisional"
    flagged = {(r["ward_code"], r["week_start"]) for r in rows if r["provisional"] == "True"}
    assert flagged == {(WARD, WEEK.isoformat())}
    assert {r["provisional"] for r in rows} == {"True", "False"}


def test_the_monthly_export_counts_the_provisional_week_in_its_month(store: Store) -> None:
    """The week of 16 Nov (Thursday 19 Nov) is November's: that row counts one provisional week, and
    its counts stay in the sums (as the weekly export shows them); every other row counts none."""
    rows = _rows(store, "monthly")
    assert list(rows[0])[-1] == "provisional_weeks"
    counted = {(r["ward_code"], r["month"]): int(r["provisional_weeks"]) for r in rows}
    assert counted[(WARD, "2026-11-01")] == 1
    assert sum(counted.values()) == 1
    weekly = [r for r in _rows(store, "weekly") if r["ward_code"] == WARD and r["week_start"].startswith("2026-11")]
    november = next(r for r in rows if (r["ward_code"], r["month"]) == (WARD, "2026-11-01"))
    assert int(november["restraint"]) == sum(int(r["restraint"]) for r in weekly)


def test_the_values_export_flags_every_measure_of_the_provisional_week(store: Store) -> None:
    rows = _rows(store, "values")
    flagged = [r for r in rows if r["provisional"] == "True"]
    assert {(r["ward_code"], r["period_start"]) for r in flagged} == {(WARD, WEEK.isoformat())}
    assert sorted(r["measure_code"] for r in flagged) == sorted(
        r["measure_code"] for r in rows if (r["ward_code"], r["period_start"]) == (WARD, WEEK.isoformat())
    )
    assert len(flagged) >= 5  # the four counts and all restrictive practice


@pytest.mark.parametrize("options", [{}, {"chart": "run", "rules": "anhoej"}])
def test_the_spc_export_never_lists_a_provisional_week_as_a_point(store: Store, options: dict) -> None:
    rows = _rows(store, "spc", **options)
    birch = {r["week_start"] for r in rows if r["ward_code"] == WARD}
    assert birch and WEEK.isoformat() not in birch
    # Every other ward's latest week is a point: only the provisional week is left out.
    assert WEEK.isoformat() in {r["week_start"] for r in rows if r["ward_code"] == "NVT-CEDAR"}


def test_the_workbook_flags_it_and_its_readme_and_dictionary_explain(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "governance.xlsx"
    write_workbook(store, out)
    book = load_workbook(out, read_only=True)
    for sheet, date_column in (("weekly", "week_start"), ("values", "period_start")):
        header, *rows = book[sheet].iter_rows(values_only=True)
        assert header[-1] == "provisional"
        at = {name: i for i, name in enumerate(header)}
        flagged = {(r[at["ward_code"]], r[at[date_column]].date()) for r in rows if r[-1] is True}
        assert flagged == {(WARD, WEEK)}, sheet
        assert {r[-1] for r in rows} == {True, False}  # real TRUE/FALSE cells
    readme = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True) if len(row) > 1 and row[0]}
    assert "provisional column" in readme["Provisional weeks"] and "no row on the spc sheet" in readme["Provisional weeks"]
    dictionary = {(r[0], r[1]): r for r in book["dictionary"].iter_rows(values_only=True)}
    for kind in ("weekly", "values"):
        assert dictionary[(kind, "provisional")][2] == "boolean"
        assert "saved before the week ended" in dictionary[(kind, "provisional")][4]
    assert ("spc", "provisional") not in dictionary
    assert [e[0] for e in ENTRIES["weekly"]][-1] == "provisional"


def test_exports_with_the_provisional_column_import_again(store: Store, tmp_path: Path) -> None:
    weekly = tmp_path / "weekly.csv"
    export(store, "weekly", weekly)
    result = import_weekly(store, weekly, today=TODAY)
    assert not result.inserted and not result.updated and len(result.unchanged) == len(_rows(store, "weekly"))
    values = tmp_path / "values.csv"
    export(store, "values", values)
    again = import_values(store, values, today=TODAY)
    assert not again.inserted and not again.updated and again.unchanged
    book = tmp_path / "governance.xlsx"
    write_workbook(store, book)
    from_sheet = import_weekly(store, book, sheet="weekly", today=TODAY)
    assert not from_sheet.inserted and not from_sheet.updated
