"""ward_summary (schema 6): the database itself marks a ward's dashboard summary out of date.

On both engines (`engine_db`): each kind of write that a ward's figures come from moves that
ward's version (and only that ward's, or every ward's for a measure or the aim); a summary saved
from inputs read before such a write is not stored; `rrp copy` carries the table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rrp.models.registry_file import parse_registry
from rrp.models.weekly import WeeklyCounts
from rrp.paths import DATA_DIR
from rrp.store import Store

END = dt.date(2026, 11, 9)
WEEK = dt.date(2026, 11, 2)


@pytest.fixture
def store(engine_db: Path | str) -> Store:
    store = Store(engine_db, who="facilitator")
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    return store


def _wards(store: Store, n: int = 3) -> list[str]:
    return [w.code for w in store.registry.wards()][:n]


def _summarise(store: Store, codes: list[str]) -> None:
    claimed = store.summaries.claim(codes)
    assert store.summaries.save(claimed, END, {c: {"measures": {}, "ward": c} for c in codes}) == len(codes)


def _versions(store: Store, codes: list[str]) -> list[int]:
    stored = store.summaries.read(codes)
    return [stored[c].version for c in codes]


def test_claim_save_read(store: Store) -> None:
    a, b, c = _wards(store)
    assert store.summaries.read() == {}
    assert store.summaries.out_of_date([a, b, c], END) == [a, b, c]
    claimed = store.summaries.claim([a, b])
    assert claimed == {a: 1, b: 1}
    assert store.summaries.save(claimed, END, {a: {"x": 1.5, "none": None}}) == 1
    stored = store.summaries.read()
    assert set(stored) == {a, b}  # b has a row (claimed) but no figures yet
    assert stored[a].figures == {"x": 1.5, "none": None} and stored[a].current(END)
    assert stored[b].figures is None and not stored[b].current(END)
    assert not stored[a].current(END + dt.timedelta(days=7))  # a new week: out of date
    assert store.summaries.out_of_date([a, b, c], END) == [b, c]


def test_a_saved_week_marks_only_its_ward(store: Store) -> None:
    a, b, _ = _wards(store)
    _summarise(store, [a, b])
    store.weekly.save(WeeklyCounts(ward_code=a, week_start=WEEK, restraint=1, prone_restraint=0, seclusion=0,
                                   rapid_tranquillisation=0, occupied_bed_days=100), expected_version=None)
    assert store.summaries.out_of_date([a, b], END) == [a]
    assert _versions(store, [a, b]) == [2, 1]
    _summarise(store, [a])
    week = store.weekly.week(a, WEEK)
    store.weekly.delete(a, WEEK, expected_version=week.version, reason="entered for the wrong ward")
    assert store.summaries.out_of_date([a, b], END) == [a]


def test_a_summary_computed_before_a_write_is_not_stored(store: Store) -> None:
    a, b, _ = _wards(store)
    claimed = store.summaries.claim([a, b])
    # a week saved while the figures were being computed (after the claim)
    store.weekly.save(WeeklyCounts(ward_code=a, week_start=WEEK, restraint=2, prone_restraint=0, seclusion=0,
                                   rapid_tranquillisation=0, occupied_bed_days=100), expected_version=None)
    assert store.summaries.save(claimed, END, {a: {"old": True}, b: {"old": False}}) == 1
    assert store.summaries.out_of_date([a, b], END) == [a]
    assert store.summaries.read([a])[a].figures is None


def test_fixed_baseline_rebase_and_ward_mark_the_ward(store: Store) -> None:
    from rrp.models.annotation import Annotation

    a, b, c = _wards(store)
    _summarise(store, [a, b, c])
    store.preferences.set(f"huddle:{a}", {"fix_after": 12})
    store.preferences.set("last_ward", b)  # not a figure: marks nothing
    store.annotations.add(Annotation(ward_code=b, on_date=WEEK, kind="rebase", text="new ward manager"))
    assert store.summaries.out_of_date([a, b, c], END) == [a, b]
    _summarise(store, [a, b])
    ward = store.registry.ward(c)
    store.registry.save_ward(ward.model_copy(update={"name": ward.name + " renamed"}))
    assert store.summaries.out_of_date([a, b, c], END) == [c]


def test_the_aim_and_a_measure_mark_every_ward(store: Store) -> None:
    from rrp.models.change_package import Aim

    codes = _wards(store)
    _summarise(store, codes)
    aim = store.change_package.aim()
    store.change_package.set_aim(Aim(text=aim.text, reduction=0.5))
    assert store.summaries.out_of_date(codes, END) == codes
    _summarise(store, codes)
    measure = store.measures.get("seclusion")
    store.measures.save(measure.measure.model_copy(update={"name": "Seclusion (all)"}),
                        expected_version=measure.version)
    assert store.summaries.out_of_date(codes, END) == codes


def test_copy_carries_summaries(store: Store, tmp_path: Path) -> None:
    from rrp.store.copy import copy_database

    a, b, _ = _wards(store)
    _summarise(store, [a])
    store.summaries.claim([b])
    source = store.path
    store.close()
    target = tmp_path / "copy.sqlite"
    result = copy_database(source, target)
    assert {t.table: t.rows for t in result.tables}["ward_summary"] == 2
    copied = Store(target, create=False)
    try:
        stored = copied.summaries.read()
        assert stored[a].current(END) and stored[a].figures == {"measures": {}, "ward": a}
        assert not stored[b].current(END)
    finally:
        copied.close()
