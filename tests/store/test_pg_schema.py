"""The PostgreSQL schema: one migration per SQLite migration, verified on open like an SQLite file."""

from __future__ import annotations

import psycopg
import pytest

from rrp.store import NewerSchemaError, NotAnRrpDatabase, SchemaMismatch, Store
from rrp.store.pg_schema import PG_MIGRATIONS
from rrp.store.schema import MIGRATIONS, SCHEMA_VERSION


def test_one_postgres_migration_per_sqlite_migration():
    assert len(PG_MIGRATIONS) == len(MIGRATIONS) == SCHEMA_VERSION


def test_both_engines_hold_the_same_tables_and_columns(pg_database, tmp_path):
    Store(pg_database).close()
    lite = Store(tmp_path / "rrp.sqlite")
    tables = [r["name"] for r in lite.database.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    expected = {t: [r["name"] for r in lite.database.query(f"SELECT name FROM pragma_table_info('{t}')")]
                for t in tables}
    with psycopg.connect(pg_database) as conn:
        found: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name <> 'rrp_schema' AND column_name <> 'rowid' ORDER BY table_name, ordinal_position"
        ):
            found.setdefault(table, []).append(column)
    assert found == expected


@pytest.mark.parametrize(
    "sql, difference",
    [
        ("ALTER TABLE weekly DROP CONSTRAINT weekly_check", "missing constraint 'weekly.weekly_check'"),
        ("CREATE TABLE spy (x TEXT)", "extra relation 'spy'"),
        ("DROP TRIGGER weekly_bed_days_insert ON weekly", "missing trigger 'weekly.weekly_bed_days_insert'"),
        ("CREATE OR REPLACE FUNCTION weekly_bed_days() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
         "function 'weekly_bed_days()' altered"),
        ("ALTER TABLE weekly ALTER COLUMN note TYPE VARCHAR(900)", "column 'weekly.note' altered"),
    ],
)
def test_an_altered_schema_is_refused(pg_database, sql, difference):
    Store(pg_database).close()
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(sql)
    with pytest.raises(SchemaMismatch) as refused:
        Store(pg_database)
    assert difference in refused.value.differences


def test_a_newer_database_is_refused(pg_database):
    Store(pg_database).close()
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f"UPDATE rrp_schema SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(NewerSchemaError, match="newer rrp"):
        Store(pg_database)


def test_a_foreign_postgres_database_is_refused_and_untouched(pg_database):
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(NotAnRrpDatabase, match="not an rrp one"):
        Store(pg_database)
    with psycopg.connect(pg_database) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert tables == [("t",)]


def test_a_missing_database_is_not_created_without_create(pg_database):
    with pytest.raises(NotAnRrpDatabase, match="rrp init"):
        Store(pg_database, create=False)


@pytest.mark.parametrize(
    "sqlite, postgres",
    [
        ("SELECT * FROM t WHERE a = ? AND b LIKE 'x%'", "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%'"),
        ("WHERE i.note IS NOT w.note OR x IS NOT NULL", "WHERE i.note IS DISTINCT FROM w.note OR x IS NOT NULL"),
        ("WHERE ward_code IS ?", "WHERE ward_code IS NOT DISTINCT FROM %s"),
        ("FROM temp.weekly_in i JOIN main.weekly w", "FROM pg_temp.weekly_in i JOIN weekly w"),
        ("FROM ward CROSS JOIN weekly AS w ON w.ward_code = ward.code", "FROM ward JOIN weekly AS w ON w.ward_code = ward.code"),
    ],
)
def test_the_stores_sql_in_postgresqls_words(sqlite, postgres):
    from rrp.store.pg import pg_query

    assert pg_query(sqlite) == postgres


def test_an_older_postgres_database_is_verified_and_migrated(pg_database):
    """A database at schema 1 (as PG_MIGRATIONS[0] leaves it) is upgraded in one audited transaction."""
    from rrp.store.schema import RRP_APPLICATION_ID

    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(PG_MIGRATIONS[0])
        conn.execute("INSERT INTO rrp_schema (id, application_id, version) VALUES (1, %s, 1)", (RRP_APPLICATION_ID,))
        conn.execute("INSERT INTO provider (code, name) VALUES ('NVT', 'Northvale')")
    store = Store(pg_database, who="upgrader")
    assert store.database.migrated_from == 1 and store.database.schema_version == SCHEMA_VERSION
    assert store.registry.providers()[0].name == "Northvale"
    assert store.database.query("SELECT who, before, after FROM audit WHERE table_name = 'schema'") == [
        {"who": "upgrader", "before": "1", "after": str(SCHEMA_VERSION)}]
    assert store.measures.get("restraint") is not None  # schema 3's core measures
    store.close()


def test_an_older_postgres_database_with_an_altered_schema_is_refused_untouched(pg_database):
    from rrp.store.schema import RRP_APPLICATION_ID

    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(PG_MIGRATIONS[0])
        conn.execute("INSERT INTO rrp_schema (id, application_id, version) VALUES (1, %s, 1)", (RRP_APPLICATION_ID,))
        conn.execute("CREATE TABLE extra (x INTEGER)")
    with pytest.raises(SchemaMismatch, match="extra relation 'extra'"):
        Store(pg_database)
    with psycopg.connect(pg_database) as conn:
        assert conn.execute("SELECT version FROM rrp_schema").fetchone()[0] == 1


def _forget_signatures(monkeypatch, tmp_path):
    """A new start of rrp: nothing in this process's memory, a cache folder of the test's own."""
    from rrp.store import pg_verify

    monkeypatch.setattr(pg_verify, "_CACHE", {})
    monkeypatch.setenv("RRP_CACHE_DIR", str(tmp_path / "cache"))
    return pg_verify


def test_the_expected_schema_is_kept_and_read_by_the_next_start(pg_database, monkeypatch, tmp_path):
    pg_verify = _forget_signatures(monkeypatch, tmp_path)
    Store(pg_database).close()
    kept = list((tmp_path / "cache").glob("pg-schema-*.json"))
    assert len(kept) == 1
    # The next start reads it: the schema is not built again (in a throwaway schema) ...
    read = pg_verify.schema_signature
    namespaces: list[str] = []
    monkeypatch.setattr(pg_verify, "schema_signature", lambda raw, ns: namespaces.append(ns) or read(raw, ns))
    pg_verify._CACHE.clear()
    Store(pg_database).close()
    assert namespaces and not any(ns.startswith("rrp_expected_") for ns in namespaces)
    # ... and still refuses a schema that differs from it.
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE spy (x TEXT)")
    pg_verify._CACHE.clear()
    with pytest.raises(SchemaMismatch) as refused:
        Store(pg_database)
    assert "extra relation 'spy'" in refused.value.differences


@pytest.mark.parametrize("kept", ["", "not json", "[]", '{"relation x": 1}', "{}"])
def test_a_damaged_cache_file_is_ignored_and_built_again(pg_database, monkeypatch, tmp_path, kept):
    pg_verify = _forget_signatures(monkeypatch, tmp_path)
    Store(pg_database).close()
    (path,) = (tmp_path / "cache").glob("pg-schema-*.json")
    path.write_text(kept)
    pg_verify._CACHE.clear()
    Store(pg_database).close()  # verified against the schema built again
    assert pg_verify._read_cached(path) is not None  # and kept again


def test_an_unwritable_cache_folder_does_not_stop_rrp(pg_database, monkeypatch, tmp_path):
    _forget_signatures(monkeypatch, tmp_path)
    (tmp_path / "cache").write_text("a file where the folder should be")
    Store(pg_database).close()
