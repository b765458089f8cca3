"""Corrections and deletions of a week in the store, on both engines: the reason is kept in the
audit row (checked by the NHS-number guard), and a week's history reads back in UK local time."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from rrp.models import Provider, Ward, WeeklyCounts
from rrp.reports.corrections import history_lines, week_history
from rrp.store import Store, audit

TODAY = dt.date(2026, 11, 18)
WEEK = dt.date(2026, 11, 9)
KEY = f"ASH/{WEEK.isoformat()}"
#: A valid NHS number (the checksum holds): the guard refuses it in any free text.
NHS_NUMBER = "943 476 5919"


@pytest.fixture
def store(engine_db):
    # 09:00 UTC in July is 10:00 in London (BST): the history must say 10:00.
    store = Store(engine_db, who="tester", clock=lambda: "2026-07-20T09:00:00Z")
    store.registry.save_provider(Provider(code="NVT", name="Northvale"))
    store.registry.save_ward(Ward(code="ASH", provider_code="NVT", name="Ash", ward_type="picu", beds=10))
    return store


def counts(**changes) -> WeeklyCounts:
    data = dict(ward_code="ASH", week_start=WEEK, restraint=3, prone_restraint=1,
                seclusion=0, rapid_tranquillisation=2, occupied_bed_days=60)
    data.update(changes)
    return WeeklyCounts.model_validate(data, context={"today": TODAY})


def test_a_correction_keeps_its_reason_in_the_audit(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    stored = store.weekly.save(counts(restraint=5), expected_version=1, today=TODAY, reason="typed 3 for 5")
    assert stored.version == 2 and stored.counts.restraint == 5
    last = audit.history(store.database, "weekly", KEY)[-1]
    assert last["action"] == "update" and last["after"]["reason"] == "typed 3 for 5"
    assert last["before"]["restraint"] == 3 and last["after"]["restraint"] == 5


def test_a_correction_through_the_entry_save_keeps_its_reason(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    store.save_entry([], counts=counts(seclusion=1), expected_week_version=1, today=TODAY, reason="late report")
    assert audit.history(store.database, "weekly", KEY)[-1]["after"]["reason"] == "late report"


def test_a_reason_with_an_nhs_number_is_refused_and_nothing_is_written(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    with pytest.raises(ValidationError, match="NHS number"):
        store.weekly.save(counts(restraint=5), expected_version=1, today=TODAY, reason=f"patient {NHS_NUMBER}")
    with pytest.raises(ValidationError, match="NHS number"):
        store.save_entry([], counts=counts(restraint=5), expected_week_version=1, today=TODAY,
                         reason=f"patient {NHS_NUMBER}")
    assert store.weekly.week("ASH", WEEK).counts.restraint == 3
    assert len(audit.history(store.database, "weekly", KEY)) == 1


def test_a_deletion_and_its_reason_read_back_as_history(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    store.weekly.save(counts(restraint=5), expected_version=1, today=TODAY, reason="typed 3 for 5")
    with pytest.raises(ValidationError, match="NHS number"):
        store.weekly.delete("ASH", WEEK, reason=NHS_NUMBER, expected_version=2)
    store.weekly.delete("ASH", WEEK, reason="entered for the wrong ward", expected_version=2)
    assert store.weekly.week("ASH", WEEK) is None
    entries = week_history(audit.history(store.database, "weekly", KEY))
    assert [e.action for e in entries] == ["entered", "corrected", "deleted"]
    assert {e.when for e in entries} == {"20 Jul 2026 10:00"}  # BST, UK format, never ISO
    assert entries[1].changes == ["Restraints: 3 -> 5"] and entries[1].reason == "typed 3 for 5"
    assert entries[2].reason == "entered for the wrong ward"
    assert "Restraints: 5 -> (deleted)" in entries[2].changes
    lines = history_lines(entries, exists=False)
    assert lines[0] == "20 Jul 2026 10:00  tester  deleted"  # newest first
    assert "    Why: typed 3 for 5" in lines
    assert not any("2026-07-20" in line for line in lines)
    assert "loaded in bulk" not in "".join(lines)  # its whole life is on record
