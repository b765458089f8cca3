"""The measures store: versions, audit, stale edits, and the database refusing every bad row.

Every test runs on both engines; the raw SQL below is refused by either schema, with the same
trigger messages (CHECK and FOREIGN KEY failures are worded by each engine, so matched in any case).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rrp.models.measure import Measure
from rrp.models.measure_value import MeasureValue
from rrp.models.registry_file import parse_registry
from rrp.models.weekly import WeeklyCounts
from rrp.paths import DATA_DIR
from rrp.store import ConstraintError, StaleEditError, Store
from rrp.store.audit import history
from rrp.store.measures import load_shipped_measures

WARD, OTHER = "NVT-ASH", "NVT-BIRCH"
WEEK = dt.date(2026, 11, 9)
TODAY = dt.date(2026, 11, 18)
NOW = "2026-11-18T09:00:00Z"


@pytest.fixture
def store(engine_db: str | Path) -> Store:
    """The shipped registry and measures (all switched on), a local measure and one week of counts."""
    store = Store(engine_db, who="test", clock=lambda: NOW)
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    load_shipped_measures(store)
    store.measures.save_many(
        [s.measure.model_copy(update={"enabled": True}) for s in store.measures.stored()]
        + [Measure.model_validate({
            "code": "restraint_night", "name": "Night restraint", "definition": "Restraints between 21:00 and 07:00.",
            "kind": "outcome", "recorded_as": "count_per_bed_days", "direction": "decrease", "frequency": "weekly",
            "part_of": "restraint", "ward_code": WARD,
        })]
    )
    for ward in (WARD, OTHER):
        store.weekly.save(
            WeeklyCounts(ward_code=ward, week_start=WEEK, restraint=3, prone_restraint=1, seclusion=0,
                         rapid_tranquillisation=0, occupied_bed_days=120),
            expected_version=None, today=TODAY,
        )
    return store


def insert(store: Store, measure: str, numerator: object, denominator: object = None, *,
           ward: str = WARD, period: str = WEEK.isoformat()) -> None:
    """A raw INSERT, as any tool could write it (no model, no repository)."""
    store.database.conn.execute(
        "INSERT INTO measure_value (ward_code, measure_code, period_start, numerator, denominator, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, 'sql')",
        (ward, measure, period, numerator, denominator, NOW),
    )


def refused(store: Store, sql: str, params: tuple = (), match: str = "") -> None:
    with pytest.raises(store.database.integrity_error, match=f"(?i){match}"):
        store.database.conn.execute(sql, params)


def test_measures_save_versioned_audited_and_refuse_a_stale_edit(store: Store) -> None:
    stored = store.measures.get("oral_prn")
    assert stored is not None and stored.version == 2  # inserted off, then switched on
    renamed = stored.measure.model_copy(update={"label": "PRN by mouth"})
    saved = store.measures.save(renamed, expected_version=stored.version)
    assert saved.version == 3 and saved.measure.label == "PRN by mouth"
    with pytest.raises(StaleEditError, match="while you were editing"):
        store.measures.save(renamed.model_copy(update={"label": "Oral PRN"}), expected_version=stored.version)
    actions = [row["action"] for row in history(store.database, "measure", "oral_prn")]
    assert actions == ["insert", "update", "update"]
    assert store.measures.save(renamed, expected_version=3).version == 3  # unchanged writes nothing


def test_values_save_versioned_audited_and_all_or_nothing(store: Store) -> None:
    first = MeasureValue(ward_code=WARD, measure_code="debrief_72h", period_start=WEEK, numerator=2, denominator=3)
    saved = store.measures.save_value(first, expected_version=None)
    assert saved.version == 1
    with pytest.raises(StaleEditError):
        store.measures.save_value(first.model_copy(update={"numerator": 1}), expected_version=None)
    good = MeasureValue(ward_code=WARD, measure_code="assaults_on_staff", period_start=WEEK, numerator=2)
    no_week = MeasureValue(ward_code=WARD, measure_code="self_harm", period_start=dt.date(2026, 11, 2), numerator=1)
    with pytest.raises(ConstraintError, match="occupied bed days"):
        store.measures.save_values([good, no_week])
    assert store.measures.value(WARD, "assaults_on_staff", WEEK) is None  # nothing landed
    result = store.measures.save_values([good, first.model_copy(update={"numerator": 3})])
    assert result.inserted == [f"{WARD}/assaults_on_staff/{WEEK}"] and result.updated == [f"{WARD}/debrief_72h/{WEEK}"]
    assert [r["action"] for r in history(store.database, "measure_value", f"{WARD}/debrief_72h/{WEEK}")] == ["insert", "update"]
    frame = store.measures.values_frame(ward_codes=[WARD])
    assert list(frame["measure_code"]) == ["assaults_on_staff", "debrief_72h"]
    assert list(frame["denominator"].astype(object).where(frame["denominator"].notna(), None)) == [None, 3]


def test_a_ward_can_have_its_own_target(store: Store) -> None:
    assert store.measures.set_ward_target(WARD, "restraint", 20.0)
    assert not store.measures.set_ward_target(WARD, "restraint", 20.0)
    assert store.measures.ward_targets(WARD) == {"restraint": 20.0}
    assert store.measures.set_ward_target(WARD, "restraint", None)
    assert store.measures.ward_targets(WARD) == {}


def test_the_database_refuses_every_bad_value_row(store: Store) -> None:
    sql_rules = [
        (("all_restrictive", 3), "derived"),
        (("restraint", 3), "weekly table"),
        (("restraint_night", 1, None), None),  # own ward: fine (checked below)
        (("debrief_72h", 1, 2), None),
    ]
    for args, match in sql_rules:
        if match is None:
            insert(store, *args)
        else:
            with pytest.raises(store.database.integrity_error, match=f"(?i){match}"):
                insert(store, *args)
    cases = [
        (lambda: insert(store, "restraint_night", 1, ward=OTHER), "local measure"),
        (lambda: insert(store, "debrief_72h", 1, 2, period="2026-11-10"), "Monday"),
        (lambda: insert(store, "safewards_in_place", 3, period="2026-11-02"), "1st of the month"),
        (lambda: insert(store, "self_harm", 2.5), "whole number"),
        (lambda: insert(store, "self_harm", "3"), "whole number|type numeric"),
        (lambda: insert(store, "safewards_in_place", "3", period="2026-11-01"), "CHECK|type numeric"),
        (lambda: insert(store, "self_harm", -1), "CHECK"),
        (lambda: insert(store, "self_harm", 100_001), "CHECK"),
        (lambda: insert(store, "safety_huddle_shifts", 1), "denominator"),
        (lambda: insert(store, "self_harm", 1, 5), "denominator"),
        (lambda: insert(store, "safety_huddle_shifts", 5, 4), "CHECK"),
        (lambda: insert(store, "safety_huddle_shifts", 1, 2.5), "CHECK"),
        (lambda: insert(store, "safewards_in_place", 10.5, period="2026-11-01"), "minimum and maximum"),
        (lambda: insert(store, "self_harm", 1, period="2026-11-02"), "occupied bed days"),
        (lambda: insert(store, "restraint_night", 4), "part cannot exceed its whole"),
        (lambda: insert(store, "nothing_like_it", 1), "FOREIGN KEY"),
        (lambda: insert(store, "safety_huddle_shifts", 1, "2"), "CHECK|type numeric"),
    ]
    for write, match in cases:
        with pytest.raises(store.database.integrity_error, match=f"(?i){match}"):
            write()
    insert(store, "safewards_in_place", 7.5, period="2026-11-01")  # a value measure takes decimals
    insert(store, "safety_huddle_shifts", 0, 0)  # 0 of 0: nothing to count this week


def test_the_database_keeps_parts_below_wholes_and_bed_days_under_values(store: Store) -> None:
    conn = store.database.conn
    insert(store, "restraint_night", 2)
    insert(store, "self_harm", 1)
    refused(store, "UPDATE weekly SET restraint = 1, prone_restraint = 0 WHERE ward_code = ? AND week_start = ?",
            (WARD, WEEK.isoformat()), "part of it")
    refused(store, "UPDATE weekly SET occupied_bed_days = 0, restraint = 0, prone_restraint = 0 "
            "WHERE ward_code = ? AND week_start = ?", (WARD, WEEK.isoformat()), "occupied bed days")
    refused(store, "DELETE FROM weekly WHERE ward_code = ? AND week_start = ?", (WARD, WEEK.isoformat()), "occupied bed days")
    refused(store, "UPDATE measure_value SET numerator = 4 WHERE measure_code = 'restraint_night'", (), "exceed its whole")
    # A value-backed whole: a part needs it, and it cannot fall below (or leave) its parts.
    conn.execute("UPDATE measure SET part_of = 'self_harm', ward_code = NULL WHERE code = 'oral_prn'")
    refused(store, "INSERT INTO measure_value VALUES (?, 'oral_prn', ?, 2, NULL, ?, 'sql', 1)", (OTHER, WEEK.isoformat(), NOW), "enter the whole first")
    insert(store, "oral_prn", 1)
    refused(store, "UPDATE measure_value SET numerator = 0 WHERE measure_code = 'self_harm'", (), "below its parts")
    refused(store, "DELETE FROM measure_value WHERE measure_code = 'self_harm'", (), "parts")


def test_the_database_keeps_measure_definitions_consistent(store: Store) -> None:
    refused(store, "UPDATE measure SET recorded_as = 'count' WHERE code = 'restraint'", (), "column-backed")
    refused(store, "DELETE FROM measure WHERE code = 'seclusion'", (), "cannot be deleted")
    refused(store, "UPDATE measure SET sum_of = '[\"restraint\", \"nowhere\"]' WHERE code = 'all_restrictive'", (), "does not exist")
    refused(store, "UPDATE measure SET code = 'Bad Code' WHERE code = 'oral_prn'", (), "CHECK")
    refused(store, "UPDATE measure SET frequency = 'monthly' WHERE code = 'oral_prn'", (), "CHECK")  # per bed days is weekly
    insert(store, "debrief_72h", 1, 2)
    refused(store, "UPDATE measure SET recorded_as = 'count' WHERE code = 'debrief_72h'", (), "with values")
    store.database.conn.execute("UPDATE measure SET label = 'Debriefs' WHERE code = 'debrief_72h'")  # wording may change
    insert(store, "safewards_in_place", 8, period="2026-11-01")
    refused(store, "UPDATE measure SET maximum = 5 WHERE code = 'safewards_in_place'", (), "bounds")
    refused(store, "UPDATE measure SET part_of = 'debrief_72h' WHERE code = 'oral_prn'", (), "another recorded_as")
    refused(store, "UPDATE measure SET part_of = 'all_restrictive' WHERE code = 'oral_prn'", (), "names a sum")
    refused(store, "UPDATE measure SET sum_of = '[\"restraint\", \"debrief_72h\"]' WHERE code = 'all_restrictive'", (), "another recorded_as")
    store.database.conn.execute("UPDATE measure SET part_of = 'self_harm' WHERE code = 'oral_prn'")
    refused(store, "UPDATE measure SET recorded_as = 'count' WHERE code = 'self_harm'", (), "its parts")


def _week(ward: str, week: dt.date, restraint: int = 2) -> WeeklyCounts:
    return WeeklyCounts(ward_code=ward, week_start=week, restraint=restraint, prone_restraint=0, seclusion=0,
                        rapid_tranquillisation=0, occupied_bed_days=100)


def test_an_entry_saves_the_week_and_its_values_in_one_transaction(store: Store) -> None:
    from rrp.store.errors import FieldRefused

    week = WEEK - dt.timedelta(weeks=1)
    debrief = MeasureValue(ward_code=WARD, measure_code="debrief_72h", period_start=week, numerator=1, denominator=2)
    # A per-bed-days value needs the week's bed days: the week in the same save goes first.
    assaults = MeasureValue(ward_code=WARD, measure_code="assaults_on_staff", period_start=week, numerator=4)
    stored_week, values = store.save_entry(
        [(assaults, None), (debrief, None)], counts=_week(WARD, week), today=TODAY
    )
    assert stored_week is not None and stored_week.counts.restraint == 2
    assert {code: (v.value.numerator, v.value.denominator) for code, v in values.items()} == {
        "debrief_72h": (1, 2), "assaults_on_staff": (4, None)
    }
    assert [h["action"] for h in history(store.database, "measure_value", f"{WARD}/debrief_72h/{week.isoformat()}")] == ["insert"]

    # All or nothing: a refused value (a part above its whole) leaves the week's counts as they were.
    later = week - dt.timedelta(weeks=1)
    night = MeasureValue(ward_code=WARD, measure_code="restraint_night", period_start=later, numerator=5)
    with pytest.raises(FieldRefused) as refused:
        store.measures.save_entry([(night, None)], counts=_week(WARD, later, restraint=2), today=TODAY)
    assert refused.value.field == "restraint_night"
    assert store.weekly.week(WARD, later) is None

    # The model's own rule names the field too (numerator above denominator).
    bad = MeasureValue.model_construct(ward_code=WARD, measure_code="debrief_72h", period_start=later,
                                       numerator=3, denominator=2)
    with pytest.raises(FieldRefused, match="cannot exceed") as refused:
        store.measures.save_entry([(bad, None)], counts=_week(WARD, later), today=TODAY)
    assert refused.value.field == "debrief_72h" and store.weekly.week(WARD, later) is None

    # Another ward cannot enter a ward's own measure.
    theirs = MeasureValue(ward_code=OTHER, measure_code="restraint_night", period_start=WEEK, numerator=1)
    with pytest.raises(FieldRefused, match="own measure"):
        store.measures.save_entry([(theirs, None)], today=TODAY)


def test_an_entry_against_a_stale_value_is_refused(store: Store) -> None:
    value = MeasureValue(ward_code=WARD, measure_code="debrief_72h", period_start=WEEK, numerator=1, denominator=2)
    _, values = store.measures.save_entry([(value, None)], today=TODAY)
    version = values["debrief_72h"].version
    store.measures.save_value(value.model_copy(update={"numerator": 2}), expected_version=version)
    with pytest.raises(StaleEditError, match="saved by test"):
        store.measures.save_entry([(value.model_copy(update={"numerator": 0}), version)], today=TODAY)
    assert store.measures.value(WARD, "debrief_72h", WEEK).value.numerator == 2
