"""Ward submissions: merge, idempotence, conflicts reported and never overwritten, tampering."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from exchange_helpers import (
    END,
    TODAY,
    enrol,
    payload_of,
    registry_store,
    resign,
    signing_key,
    weekly_count,
)

from rrp.exchange.submission import (
    SubmissionRefused,
    merge_submission,
    read_submission,
    write_submission,
)
from rrp.models.weekly import WeeklyCounts
from rrp.store import Store
from rrp.synthetic import build_demo

WARD = "NVT-ASH"
#: The private key of NVT, WARD's provider, which every hub below has enrolled.
KEY = signing_key("NVT")


def _week(store: Store, day: dt.date) -> WeeklyCounts:
    return store.weekly.week(WARD, day).counts


def _edit(store: Store, day: dt.date, **changes) -> None:
    stored = store.weekly.week(WARD, day)
    store.weekly.save(stored.counts.model_copy(update=changes), expected_version=stored.version, today=TODAY)


@pytest.fixture
def pair(tmp_path: Path, engine_db: Path | str) -> tuple[Store, Store]:
    """A ward's database (a file) and the facilitator's (on each engine), from the same demo data."""
    ward = Store(tmp_path / "ward.sqlite", who="ward")
    build_demo(ward, weeks=20, end=END)
    hub = Store(engine_db, who="facilitator")
    build_demo(hub, weeks=20, end=END)
    enrol(hub, KEY)
    return ward, hub


def test_new_rows_added_and_reimport_changes_nothing(tmp_path: Path, engine_db: Path | str) -> None:
    ward = Store(tmp_path / "ward.sqlite", who="ward")
    build_demo(ward, weeks=20, end=END)
    hub = registry_store(engine_db, who="facilitator")
    enrol(hub, KEY)
    from rrp.store.change_package import load_shipped_change_package

    load_shipped_change_package(hub)
    out = tmp_path / "sub.json"
    written = write_submission(ward, WARD, out, key=KEY)
    assert written.counts["weekly"] == len(ward.weekly.weeks(WARD))
    result = merge_submission(hub, out, today=TODAY)
    assert len(result.inserted) == sum(written.counts.values()) and not result.conflicts
    assert [w.counts for w in hub.weekly.weeks(WARD)] == [w.counts for w in ward.weekly.weeks(WARD)]
    audit_rows = hub.database.query_one("SELECT count(*) AS n FROM audit")["n"]
    again = merge_submission(hub, out, today=TODAY)
    assert again.already_merged and not again.inserted and not again.updated and not again.conflicts
    assert hub.database.query_one("SELECT count(*) AS n FROM audit")["n"] == audit_rows


def test_ward_edit_taken_then_conflict_reported_and_resolved(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    day = END - dt.timedelta(weeks=2)
    first = tmp_path / "s1.json"
    write_submission(ward, WARD, first, key=KEY)
    result = merge_submission(hub, first, today=TODAY)  # identical: agreement recorded
    assert result.unchanged and not result.conflicts

    # The ward corrects a week; the facilitator has not touched it: the ward's edit is taken.
    _edit(ward, day, restraint=_week(ward, day).restraint + 1, prone_restraint=0)
    second = tmp_path / "s2.json"
    write_submission(ward, WARD, second, key=KEY)
    result = merge_submission(hub, second, today=TODAY)
    assert result.updated == [f"weekly:{WARD}/{day.isoformat()}"]
    assert _week(hub, day) == _week(ward, day)

    # Both edit the same week since they agreed: a conflict, nothing overwritten.
    _edit(ward, day, seclusion=7)
    _edit(hub, day, seclusion=3)
    third = tmp_path / "s3.json"
    write_submission(ward, WARD, third, key=KEY)
    result = merge_submission(hub, third, today=TODAY)
    assert [c.ref for c in result.conflicts] == [f"weekly:{WARD}/{day.isoformat()}"]
    assert result.conflicts[0].differences()["seclusion"] == (3, 7)
    assert _week(hub, day).seclusion == 3
    # Reporting again changes nothing, still a conflict.
    assert len(merge_submission(hub, third, today=TODAY).conflicts) == 1

    # The facilitator keeps ours: agreement recorded, the same file no longer conflicts.
    result = merge_submission(hub, third, take={f"weekly:{WARD}/{day.isoformat()}": "ours"}, today=TODAY)
    assert result.resolved and not result.conflicts and _week(hub, day).seclusion == 3
    result = merge_submission(hub, third, today=TODAY)
    assert not result.conflicts and result.kept_ours == [f"weekly:{WARD}/{day.isoformat()}"]


def test_conflict_take_theirs(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    day = END - dt.timedelta(weeks=1)
    _edit(ward, day, seclusion=9)
    _edit(hub, day, seclusion=4)  # never agreed, both differ: a conflict
    out = tmp_path / "s.json"
    write_submission(ward, WARD, out, key=KEY)
    dry = merge_submission(hub, out, take_all="theirs", dry_run=True, today=TODAY)
    assert dry.resolved and _week(hub, day).seclusion == 4
    merge_submission(hub, out, take_all="theirs", today=TODAY)
    assert _week(hub, day).seclusion == 9
    assert not merge_submission(hub, out, today=TODAY).conflicts


def test_facilitator_edit_kept_when_ward_unchanged(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    day = END - dt.timedelta(weeks=3)
    out = tmp_path / "s.json"
    write_submission(ward, WARD, out, key=KEY)
    merge_submission(hub, out, today=TODAY)
    _edit(hub, day, seclusion=5)
    result = merge_submission(hub, out, today=TODAY)
    assert result.kept_ours == [f"weekly:{WARD}/{day.isoformat()}"] and not result.conflicts
    assert _week(hub, day).seclusion == 5


def test_tampered_submission_refused(pair: tuple[Store, Store], tmp_path: Path) -> None:
    ward, hub = pair
    out = tmp_path / "s.json"
    write_submission(ward, WARD, out, key=KEY)
    data = json.loads(out.read_text())
    payload = payload_of(out)
    payload["tables"]["weekly"][0]["restraint"] += 1
    data["signed_payload"] = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    out.write_text(json.dumps(data))
    before = weekly_count(hub)
    with pytest.raises(SubmissionRefused, match="fails its signature"):
        merge_submission(hub, out, today=TODAY)
    with pytest.raises(SubmissionRefused):
        read_submission(out, hub)
    assert weekly_count(hub) == before


def test_invalid_record_refuses_whole_submission(tmp_path: Path) -> None:
    ward = Store(tmp_path / "ward.sqlite", who="ward")
    build_demo(ward, weeks=5, end=END)
    hub = registry_store(tmp_path / "hub.sqlite")
    enrol(hub, KEY)
    out = tmp_path / "s.json"
    write_submission(ward, WARD, out, key=KEY)
    data = payload_of(out)
    data["tables"]["weekly"][1]["prone_restraint"] = 999
    data["tables"]["change_idea"] = []
    data["tables"]["pdsa_cycle"] = []
    data["tables"]["annotation"] = []
    resign(out, data, KEY)  # signed by the genuine provider: the records are still checked
    with pytest.raises(SubmissionRefused) as info:
        merge_submission(hub, out, today=TODAY)
    assert info.value.problems and info.value.problems[0].row == 2
    assert weekly_count(hub) == 0


def test_not_a_submission(tmp_path: Path, empty_store: Store) -> None:
    from rrp.exchange.reading import FileRefused

    f = tmp_path / "x.json"
    f.write_text("{not json")
    with pytest.raises(FileRefused):
        merge_submission(empty_store, f)
    f.write_text('{"format": "something else"}')
    with pytest.raises(FileRefused):
        merge_submission(empty_store, f)


def test_a_ward_on_either_engine_sends_its_deletions(tmp_path: Path, engine_db: Path | str) -> None:
    """The ward's deletions are found in its audit on PostgreSQL too (json_extract in its words)."""
    ward = Store(engine_db, who="ward")
    build_demo(ward, weeks=6, end=END)
    stored = ward.weekly.weeks("NVT-ASH")[-1]
    day = stored.counts.week_start
    ward.weekly.delete("NVT-ASH", day, reason="entered twice", expected_version=stored.version)
    out = tmp_path / "ash.json"
    written = write_submission(ward, "NVT-ASH", out, key=KEY)
    assert written.counts["deleted"] == 1
    (gone,) = payload_of(out)["deleted"]
    assert gone["reason"] == "entered twice" and gone["record"]["week_start"] == day.isoformat()
    hub = registry_store(tmp_path / "hub.sqlite", who="facilitator")
    enrol(hub, KEY)
    assert merge_submission(hub, out, dry_run=True, today=TODAY).inserted
