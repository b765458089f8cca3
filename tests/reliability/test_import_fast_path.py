"""The fast weekly import is exactly as strict as the model, and writes what save_many writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import TODAY, registry_store

from rrp.exchange.reading import Table
from rrp.exchange.weekly_import import parse_weekly_rows, parse_weekly_table
from rrp.models.registry import Ward
from rrp.models.registry_file import parse_registry
from rrp.models.weekly import WeeklyCounts
from rrp.paths import DATA_DIR
from rrp.store import ConstraintError, Store, UnknownRecord

_, _WARDS = parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8"))
WARDS: dict[str, Ward] = {w.code: w for w in _WARDS}
WARDS["HMC-SORREL"] = WARDS["HMC-SORREL"].model_copy(update={"active": False})
COLUMNS = ["ward_code", "week_start", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation",
           "occupied_bed_days"]

counts = st.one_of(
    st.integers(min_value=0, max_value=3).map(str),
    st.sampled_from(["0", "1", "2", "7", "140", "141", "999", "1000", "1001", "7000", "7001", "-0", "-1", "007",
                     " 3 ", "", "1e309", "NaN", "=1+1", "'=1", "5.0", "１", "99999999999", "٣"]),
    st.integers(min_value=0, max_value=200).map(str),
    st.text(max_size=4),
    st.sampled_from([0, 1, 2.0, 2.5, True, None]),  # xlsx cells
)
dates = st.one_of(
    st.sampled_from(["2026-03-02", "2026-03-09", "2026-03-08", "02/03/2026", "09/03/2026", "08/03/2026",
                     "2026-03-03", "31/02/2025", "2026-13-01", "", " 2026-03-02", "2026-11-23", "2026-11-30",
                     "2026-11-29", "2026-12-07"]),
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 1, 1)).map(lambda d: d.isoformat()),
    st.sampled_from([dt.date(2026, 3, 2), dt.datetime(2026, 3, 9), None]),
)
codes = st.sampled_from(["NVT-ASH", "NVT-CEDAR", "nvt-ash", " NVT-ASH", "HMC-SORREL", "NOPE", "", "x" * 20, None])
notes = st.sampled_from(["", " ", "busy", "'=SUM(A1)", "943 476 5919", "a" * 501, None, 3])
rows = st.lists(st.tuples(codes, dates, counts, counts, counts, counts, counts, notes, st.booleans()), max_size=25)


def _table(data: list[tuple], with_note: bool, date_column: str) -> Table:
    header = [date_column if c == "week_start" else c for c in COLUMNS] + (["note"] if with_note else [])
    body = []
    for number, (*cells, note, extra) in enumerate(data, start=2):
        cells = list(cells) + ([note] if with_note else [])
        if extra:
            cells.append("stray")
        body.append((number, cells))
    return Table("test.csv", header, body)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.booleans(), st.booleans())
def test_fast_path_matches_the_model(data: list[tuple], with_note: bool, week_ending: bool) -> None:
    table = _table(data, with_note, "week_ending" if week_ending else "week_start")
    slow_good, slow_problems, slow_hints = parse_weekly_table(table, WARDS, week_ending=week_ending, today=TODAY)
    fast, fast_problems, fast_hints = parse_weekly_rows(table, WARDS, week_ending=week_ending, today=TODAY)
    assert fast_problems == slow_problems
    assert fast_hints == slow_hints
    expected = [
        (c.ward_code, c.week_start.isoformat(), c.restraint, c.prone_restraint, c.seclusion,
         c.rapid_tranquillisation, c.occupied_bed_days, c.note)
        for _, c, _ in slow_good
    ]
    assert list(fast.tuples()) == expected
    assert fast.numbers == [n for n, _, _ in slow_good]


def _snapshot(store: Store) -> tuple[list, list]:
    weekly = store.database.query(
        "SELECT ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation, "
        "occupied_bed_days, note, version, updated_by FROM weekly ORDER BY ward_code, week_start"
    )
    audit = [
        (r["row_key"], r["action"], r["who"], json.loads(r["before"] or "null"), json.loads(r["after"]))
        for r in store.database.query("SELECT * FROM audit WHERE table_name = 'weekly' ORDER BY id")
    ]
    return weekly, audit


def _week(day: int, restraint: int, note: str | None = None) -> WeeklyCounts:
    return WeeklyCounts(ward_code="NVT-ASH", week_start=dt.date(2026, 3, 2) + dt.timedelta(weeks=day),
                        restraint=restraint, prone_restraint=0, seclusion=1, rapid_tranquillisation=0,
                        occupied_bed_days=100, note=note)


def _tuple(c: WeeklyCounts) -> tuple:
    return (c.ward_code, c.week_start.isoformat(), c.restraint, c.prone_restraint, c.seclusion,
            c.rapid_tranquillisation, c.occupied_bed_days, c.note)


def test_set_based_upsert_writes_what_save_many_writes(tmp_path: Path) -> None:
    first = [_week(0, 1), _week(1, 2, "busy"), _week(2, 3)]
    second = [_week(0, 1), _week(1, 5, None), _week(2, 3, "calm"), _week(3, 0)]
    a = registry_store(tmp_path / "a.sqlite")
    b = registry_store(tmp_path / "b.sqlite")
    a.weekly.save_many(first, today=TODAY)
    a.weekly.save_many(second, today=TODAY)
    b.weekly.upsert_rows([_tuple(c) for c in first], today=TODAY)
    summary = b.weekly.upsert_rows([_tuple(c) for c in second], today=TODAY)
    assert _snapshot(a) == _snapshot(b)
    assert summary.inserted == [("NVT-ASH", "2026-03-23")]
    assert [key for key, _, _ in summary.updated] == [("NVT-ASH", "2026-03-09"), ("NVT-ASH", "2026-03-16")]
    assert summary.unchanged == [("NVT-ASH", "2026-03-02")]
    # A dry run classifies and writes nothing.
    before = _snapshot(b)
    dry = b.weekly.upsert_rows([_tuple(_week(0, 9))], today=TODAY, dry_run=True)
    assert [key for key, _, _ in dry.updated] == [("NVT-ASH", "2026-03-02")]
    assert _snapshot(b) == before


def test_keep_stored_notes(tmp_path: Path) -> None:
    store = registry_store(tmp_path / "n.sqlite")
    store.weekly.upsert_rows([_tuple(_week(0, 1, "keep me"))], today=TODAY)
    summary = store.weekly.upsert_rows([_tuple(_week(0, 1))], today=TODAY, keep_stored_notes=True)
    assert summary.unchanged and store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts.note == "keep me"


@pytest.mark.parametrize(
    ("row", "error", "match"),
    [
        (("NOPE", "2026-03-02", 0, 0, 0, 0, 10, None), UnknownRecord, "not in the collaborative"),
        (("NVT-ASH", "2026-12-07", 0, 0, 0, 0, 10, None), ConstraintError, "future"),
        (("NVT-ASH", "2026-03-02", 0, 0, 0, 0, 141, None), ConstraintError, "beds x 7"),
        (("NVT-ASH", "2026-03-02", 1, 2, 0, 0, 10, None), ConstraintError, "refused"),
        (("NVT-ASH", "2026-03-03", 0, 0, 0, 0, 10, None), ConstraintError, "refused"),
        (("NVT-ASH", "2026-03-02", 1, 0, 0, 0, 0, None), ConstraintError, "refused"),
    ],
)
def test_store_trusts_no_caller(tmp_path: Path, row: tuple, error: type, match: str) -> None:
    store = registry_store(tmp_path / "s.sqlite")
    good = ("NVT-ASH", "2026-02-23", 0, 0, 0, 0, 10, None)
    with pytest.raises(error, match=match):
        store.weekly.upsert_rows([good, row], today=TODAY)
    assert store.database.query_one("SELECT count(*) AS n FROM weekly")["n"] == 0
    assert store.database.query_one("SELECT count(*) AS n FROM audit WHERE table_name = 'weekly'")["n"] == 0
