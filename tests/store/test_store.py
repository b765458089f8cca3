"""The store on a temporary file: constraints, upsert, audit, stale versions, migration, refusals.

The `store` fixture runs each test on both engines (an SQLite file and a PostgreSQL database);
the tests about SQLite files (pragmas, foreign files, migrating a file) use a file.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from rrp.models import Provider, Ward, WeeklyCounts
from rrp.store import ConstraintError, NewerSchemaError, NotAnRrpDatabase, StaleEditError, Store
from rrp.store.schema import MIGRATIONS, RRP_APPLICATION_ID, SCHEMA_VERSION

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def store(engine_db):
    store = Store(engine_db, who="tester", clock=lambda: "2026-11-18T09:00:00Z")
    store.registry.save_provider(Provider(code="NVT", name="Northvale"))
    store.registry.save_ward(Ward(code="ASH", provider_code="NVT", name="Ash", ward_type="picu", beds=10))
    return store


def counts(**changes) -> WeeklyCounts:
    data = dict(ward_code="ASH", week_start=dt.date(2026, 11, 9), restraint=3, prone_restraint=1,
                seclusion=0, rapid_tranquillisation=2, occupied_bed_days=60)
    data.update(changes)
    return WeeklyCounts.model_validate(data, context={"today": TODAY})


def test_pragmas_on_every_connection(tmp_path):
    store = Store(tmp_path / "rrp.sqlite")
    conn = store.database.conn
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert conn.execute("PRAGMA application_id").fetchone()[0] == RRP_APPLICATION_ID
    assert store.database.schema_version == SCHEMA_VERSION


def test_save_new_week_then_upsert_one_row(store):
    first = store.weekly.save(counts(), expected_version=None, today=TODAY)
    assert first.version == 1 and first.updated_by == "tester"
    second = store.weekly.save(counts(restraint=4), expected_version=1, today=TODAY)
    assert second.version == 2 and second.counts.restraint == 4
    rows = store.database.query("SELECT * FROM weekly")
    assert len(rows) == 1


def test_unchanged_save_writes_nothing(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    again = store.weekly.save(counts(), expected_version=1, today=TODAY)
    assert again.version == 1
    assert len(store.database.query("SELECT * FROM audit WHERE table_name = 'weekly'")) == 1


def test_every_write_is_audited_with_before_and_after(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    store.weekly.save(counts(seclusion=1), expected_version=1, today=TODAY)
    rows = store.database.query("SELECT * FROM audit WHERE table_name = 'weekly' ORDER BY id")
    assert [r["action"] for r in rows] == ["insert", "update"]
    assert rows[0]["before"] is None
    assert json.loads(rows[1]["before"])["seclusion"] == 0
    assert json.loads(rows[1]["after"])["seclusion"] == 1
    assert {r["who"] for r in rows} == {"tester"} and rows[1]["row_key"] == "ASH/2026-11-09"


def test_a_stale_edit_is_refused_not_merged(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    store.weekly.save(counts(restraint=5), expected_version=1, today=TODAY)  # another station
    with pytest.raises(StaleEditError, match="while you were editing"):
        store.weekly.save(counts(restraint=7), expected_version=1, today=TODAY)
    assert store.weekly.week("ASH", dt.date(2026, 11, 9)).counts.restraint == 5


def test_two_stations_entering_the_same_new_week(store):
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    with pytest.raises(StaleEditError):
        store.weekly.save(counts(restraint=9), expected_version=None, today=TODAY)


def test_store_validates_against_the_ward_again(store):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="cannot exceed beds x 7"):
        store.weekly.save(counts(occupied_bed_days=71), expected_version=None, today=TODAY)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO weekly VALUES ('ASH','2026-11-02',1,2,0,0,50,NULL,'x','y',1)",  # prone > restraint
        "INSERT INTO weekly VALUES ('ASH','2026-11-03',1,0,0,0,50,NULL,'x','y',1)",  # a Tuesday
        "INSERT INTO weekly VALUES ('ASH','2026-11-02',-1,0,0,0,50,NULL,'x','y',1)",  # negative
        "INSERT INTO weekly VALUES ('ASH','2026-11-02','three',0,0,0,50,NULL,'x','y',1)",  # text
        "INSERT INTO weekly VALUES ('ASH','2026-11-02',1,0,0,0,71,NULL,'x','y',1)",  # > beds x 7
        "INSERT INTO weekly VALUES ('ASH','2026-11-02',1,0,0,0,0,NULL,'x','y',1)",  # counts, no bed days
        "INSERT INTO weekly VALUES ('OAK','2026-11-02',1,0,0,0,50,NULL,'x','y',1)",  # unknown ward
        "INSERT INTO weekly VALUES ('ASH','2026-02-30',1,0,0,0,50,NULL,'x','y',1)",  # not a date
        "INSERT INTO ward VALUES ('OAK','NVT','Oak','picu',0,1,1,NULL)",  # no beds
        "INSERT INTO ward VALUES ('OAK','NVT','Oak','picu',5,1,1,'2026-02-30')",  # joined on no such day
        "INSERT INTO ward VALUES ('OAK','NVT','Oak','picu',5,1,1,'02/11/2026')",  # a date, not ISO
        "INSERT INTO progress_score VALUES ('ASH','2026-11-01',5.5,NULL,'x','y',1)",  # off the scale
        "INSERT INTO progress_score VALUES ('ASH','2026-11-01',2.2,NULL,'x','y',1)",  # not a half step
    ],
)
def test_check_constraints_stop_bad_rows_from_any_path(store, sql):
    with pytest.raises(ConstraintError), store.database.transaction() as conn:
        conn.execute(sql)
    assert store.database.query("SELECT count(*) AS n FROM weekly")[0]["n"] == 0


def test_a_failed_batch_writes_nothing(store):
    good, bad = counts(), counts(week_start=dt.date(2026, 11, 2), occupied_bed_days=500)
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        store.weekly.save_many([good, bad], today=TODAY)
    assert store.database.query("SELECT count(*) AS n FROM weekly")[0]["n"] == 0


def test_migration_backs_up_and_upgrades_an_older_database(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)  # as written by the first release: schema 1 only
    conn.execute(f"PRAGMA application_id = {RRP_APPLICATION_ID}")
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    if SCHEMA_VERSION == 1:
        pytest.skip("only one schema version so far")
    store = Store(path)
    assert store.database.migrated_from == 1
    assert store.database.backup_path is not None and store.database.backup_path.exists()
    assert store.database.schema_version == SCHEMA_VERSION
    backup = sqlite3.connect(store.database.backup_path)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "new.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError, match="newer rrp"):
        Store(path)
    assert path.read_bytes() == before


def test_a_foreign_sqlite_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotAnRrpDatabase, match="not an rrp one"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_and_untouched(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("ward notes, not a database")
    with pytest.raises(NotAnRrpDatabase, match="not an SQLite file"):
        Store(path)
    assert path.read_text() == "ward notes, not a database"


def test_save_times_and_bed_day_prefill(store):
    store.weekly.save(counts(week_start=dt.date(2026, 10, 26), occupied_bed_days=55), expected_version=None, today=TODAY)
    store.weekly.save(counts(), expected_version=None, today=TODAY)
    assert store.weekly.latest_bed_days("ASH", dt.date(2026, 11, 16)) == 60
    assert store.weekly.latest_bed_days("ASH", dt.date(2026, 11, 9)) == 55
    saves = store.weekly.save_times("ASH", since=dt.date(2026, 10, 19), until=dt.date(2026, 11, 9))
    assert saves == {dt.date(2026, 10, 26): "2026-11-18T09:00:00Z", dt.date(2026, 11, 9): "2026-11-18T09:00:00Z"}
    assert store.weekly.save_times("ASH", since=dt.date(2026, 10, 19), until=dt.date(2026, 10, 25)) == {}


def test_preferences_round_trip(store):
    assert store.preferences.get("last_ward") is None
    store.preferences.set("last_ward", "ASH")
    store.preferences.set("last_ward", "OAK")
    assert store.preferences.get("last_ward") == "OAK"


def test_a_wards_participation_start_is_stored_audited_and_cleared(store):
    ward = store.registry.ward("ASH")
    assert ward.participation_start is None
    joined = ward.model_copy(update={"participation_start": dt.date(2026, 10, 14)})
    assert store.registry.save_ward(joined)
    assert store.registry.ward("ASH").participation_start == dt.date(2026, 10, 14)
    assert [w.participation_start for w in store.registry.wards()] == [dt.date(2026, 10, 14)]
    row = store.database.query("SELECT after FROM audit WHERE table_name = 'ward' ORDER BY id DESC")[0]
    assert json.loads(row["after"])["participation_start"] == "2026-10-14"
    assert not store.registry.save_ward(joined)  # unchanged: nothing written
    assert store.registry.save_ward(joined.model_copy(update={"participation_start": None}))
    assert store.registry.ward("ASH").participation_start is None


def test_a_registry_file_sets_participation_start_and_one_without_the_column_keeps_it(store, tmp_path):
    from rrp.exchange.registry_import import import_registry

    head = "provider_code,provider_name,ward_code,ward_name,ward_type,beds"
    with_column = tmp_path / "with.csv"
    with_column.write_text(f"{head},participation_start\nNVT,Northvale,ASH,Ash,picu,10,03/11/2026\n")
    result = import_registry(store, with_column)
    assert result.changed == ["ward ASH"]
    assert store.registry.ward("ASH").participation_start == dt.date(2026, 11, 3)
    without = tmp_path / "without.csv"
    without.write_text(f"{head}\nNVT,Northvale,ASH,Ash,picu,12\n")
    import_registry(store, without)
    ward = store.registry.ward("ASH")
    assert (ward.beds, ward.participation_start) == (12, dt.date(2026, 11, 3))
    empty = tmp_path / "empty.csv"
    empty.write_text(f"{head},participation_start\nNVT,Northvale,ASH,Ash,picu,12,\n")
    import_registry(store, empty)
    assert store.registry.ward("ASH").participation_start is None
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{head},participation_start\nNVT,Northvale,ASH,Ash,picu,12,soon\n")
    from rrp.exchange.weekly_import import RowsRefused

    with pytest.raises(RowsRefused) as refused:
        import_registry(store, bad)
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (2, "participation_start") and "'soon' is not a date" in problem.message


def test_a_week_saved_before_it_ended_is_provisional_until_saved_again_after(store, engine_db):
    """Both engines: the store flags provisional weeks (rrp.models.week_status), leaves them out
    of the weekly totals, and a save after the week ended confirms one, unchanged or not."""
    ended, in_progress = dt.date(2026, 11, 9), dt.date(2026, 11, 16)
    store.weekly.save(counts(week_start=ended), expected_version=None, today=TODAY)  # saved 18 Nov: ended
    store.weekly.save(counts(week_start=in_progress, restraint=5), expected_version=None, today=TODAY)
    assert store.weekly.provisional_keys() == {("ASH", in_progress)}
    frame = store.weekly.frame()
    assert dict(zip(frame["week_start"].dt.date, frame["provisional"], strict=True)) == {ended: False, in_progress: True}
    totals = store.weekly.week_totals()
    assert list(totals["week_start"].dt.date) == [ended] and int(totals["restraint"].iloc[0]) == 3
    later = Store(engine_db, who="nurse", clock=lambda: "2026-11-23T08:00:00Z", create=False)
    try:
        week = later.weekly.week("ASH", in_progress)
        confirmed = later.weekly.save(week.counts, expected_version=week.version, today=dt.date(2026, 11, 23))
        assert (confirmed.version, confirmed.updated_at, confirmed.updated_by) == (2, "2026-11-23T08:00:00Z", "nurse")
        assert later.weekly.provisional_keys() == set()
        assert int(later.weekly.week_totals()["restraint"].sum()) == 8
        # An unchanged save of a confirmed week still writes nothing.
        assert later.weekly.save(confirmed.counts, expected_version=2, today=dt.date(2026, 11, 23)).version == 2
    finally:
        later.close()
