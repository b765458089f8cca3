"""`rrp copy`: a whole database from SQLite to PostgreSQL and back, verified table by table."""

from __future__ import annotations

import datetime as dt
from base64 import b64encode
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from rrp.models.measure_value import MeasureValue
from rrp.models.weekly import WeeklyCounts
from rrp.store import Store
from rrp.store.copy import CopyRefused, copy_database, table_check
from rrp.store.measures import load_shipped_measures
from rrp.synthetic import build_demo

END = dt.date(2026, 11, 16)
WARD = "NVT-ASH"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A demo collaborative with every shipped measure switched on and values of several kinds."""
    path = tmp_path / "source.sqlite"
    store = Store(path, who="builder")
    build_demo(store, weeks=20, end=END)
    load_shipped_measures(store)
    store.measures.save_many([s.measure.model_copy(update={"enabled": True}) for s in store.measures.stored()])
    store.measures.save_values([
        MeasureValue(ward_code=WARD, measure_code="debrief_72h", period_start=END, numerator=2, denominator=3),
        MeasureValue(ward_code=WARD, measure_code="safewards_in_place", period_start=dt.date(2026, 11, 1),
                     numerator=7.5),
        MeasureValue(ward_code=WARD, measure_code="self_harm", period_start=END, numerator=1),
    ])
    store.measures.set_ward_target(WARD, "restraint", 12.5)
    # Providers' keys, one revoked (a key's history travels: an old merge's audit names it).
    store.keys.enrol("NVT", b64encode(bytes(range(32))).decode())
    store.keys.enrol("NVT", b64encode(bytes(range(1, 33))).decode())
    store.close()
    return path


def _checks(target: Path | str) -> list:
    store = Store(target, create=False)
    try:
        return [table_check(store, t) for t in store.database.tables()]
    finally:
        store.close()


def test_sqlite_to_postgres_and_back_is_the_same_database(source: Path, pg_database: str, tmp_path: Path) -> None:
    there = copy_database(source, pg_database)
    back = tmp_path / "back.sqlite"
    again = copy_database(pg_database, back)
    assert there.tables == again.tables
    assert there.rows > 500 and {t.table for t in there.tables} >= {"weekly", "audit", "measure_value", "provider_key"}
    assert _checks(source) == _checks(back)
    # The copy is a working database: values as stored, and the audit log continues after its ids.
    copied = Store(pg_database, who="after")
    assert sorted(k.revoked_at is None for k in copied.keys.all()) == [False, True]
    assert copied.measures.value(WARD, "safewards_in_place", dt.date(2026, 11, 1)).value.numerator == 7.5
    last = copied.database.query_one("SELECT max(id) AS n FROM audit")["n"]
    stored = copied.weekly.week(WARD, END)
    copied.weekly.save(stored.counts.model_copy(update={"note": "after the copy"}),
                       expected_version=stored.version, today=END)
    assert copied.database.query_one("SELECT max(id) AS n FROM audit")["n"] == last + 1
    assert [a.annotation for a in copied.annotations.list(WARD)] == [
        a.annotation for a in Store(source, create=False).annotations.list(WARD)]
    copied.close()


def test_a_target_that_holds_data_is_refused_and_untouched(source: Path, pg_database: str, tmp_path: Path) -> None:
    existing = tmp_path / "existing.sqlite"
    store = Store(existing)
    store.close()
    before = existing.read_bytes()
    with pytest.raises(CopyRefused, match="already holds data"):
        copy_database(source, existing)
    assert existing.read_bytes() == before
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE mine (x INTEGER)")
    with pytest.raises(CopyRefused, match="already holds data"):
        copy_database(source, pg_database)
    with pytest.raises(CopyRefused, match="same database"):
        copy_database(source, source)


def test_a_failed_copy_leaves_no_target_file(source: Path, tmp_path: Path) -> None:
    store = Store(source)
    with store.database.transaction() as conn:  # a row the target's rules refuse, hidden in the source
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("UPDATE weekly SET prone_restraint = restraint + 1 "
                     "WHERE ward_code || week_start = (SELECT min(ward_code || week_start) FROM weekly)")
    store.close()
    target = tmp_path / "copy.sqlite"
    with pytest.raises(Exception, match="(?i)check"):
        copy_database(source, target)
    assert not target.exists()


def test_rrp_copy_on_the_command_line(source: Path, pg_database: str) -> None:
    from rrp.cli import main

    result = CliRunner().invoke(main, ["copy", str(source), pg_database])
    assert result.exit_code == 0, result.output
    assert "every table verified" in result.output and "weekly" in result.output
    refused = CliRunner().invoke(main, ["copy", str(source), pg_database])
    assert refused.exit_code == 1 and "already holds data" in refused.output
    counts = WeeklyCounts  # the copied weeks read back through the store
    store = Store(pg_database, create=False)
    assert isinstance(store.weekly.week(WARD, END).counts, counts)
    store.close()
