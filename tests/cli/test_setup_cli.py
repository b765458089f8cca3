"""`rrp init` and `rrp demo`: databases made from the command line."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from rrp.cli import main
from rrp.store import Store


def test_init_loads_the_registry_and_change_package_idempotently(tmp_path):
    db = tmp_path / "collab.sqlite"
    runner = CliRunner()
    first = runner.invoke(main, ["init", "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "5 providers, 19 wards" in first.output
    store = Store(db, create=False)
    assert len(store.registry.wards()) == 19
    assert store.change_package.drivers()
    second = runner.invoke(main, ["init", "--db", str(db)])
    assert second.exit_code == 0 and "(0 records added or changed)" in second.output


def test_init_honours_rrp_db(tmp_path, monkeypatch):
    db = tmp_path / "env.sqlite"
    monkeypatch.setenv("RRP_DB", str(db))
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    assert db.exists()


def test_init_refuses_a_bad_registry_naming_row_and_column(tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "provider_code,provider_name,ward_code,ward_name,ward_type,beds\n"
        "NVT,Northvale,ASH,Ash,acute_adult,20\n"
        "NVT,Northvale,OAK,Oak,acute_adult,lots\n"
    )
    result = CliRunner().invoke(main, ["init", "--db", str(tmp_path / "x.sqlite"), "--registry", str(registry)])
    assert result.exit_code == 1
    assert "row 3, beds" in result.output


def test_init_refuses_a_file_that_is_not_an_rrp_database(tmp_path):
    db = tmp_path / "notes.sqlite"
    db.write_text("not a database")
    result = CliRunner().invoke(main, ["init", "--db", str(db)])
    assert result.exit_code == 1 and "not an rrp database" in result.output
    assert db.read_text() == "not a database"


def _weekly(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM weekly ORDER BY ward_code, week_start").fetchall()
    finally:
        conn.close()


def test_demo_is_deterministic_for_a_seed_and_labelled_synthetic(tmp_path):
    runner = CliRunner()
    args = ["demo", "--no-tui", "--end", "2026-11-16", "--wards", "19", "--weeks", "30"]
    a, b, c = tmp_path / "a.sqlite", tmp_path / "b.sqlite", tmp_path / "c.sqlite"
    assert runner.invoke(main, [*args, "--db", str(a)]).exit_code == 0
    assert runner.invoke(main, [*args, "--db", str(b)]).exit_code == 0
    assert runner.invoke(main, [*args, "--db", str(c), "--seed", "8"]).exit_code == 0
    rows_a = [r[:7] for r in _weekly(a)]
    assert rows_a == [r[:7] for r in _weekly(b)]
    assert rows_a != [r[:7] for r in _weekly(c)]
    assert Store(a, create=False).preferences.get("synthetic")["seed"] == 7
    weeks = {r[1] for r in rows_a}
    assert max(weeks) == "2026-11-16" and len(weeks) == 30


def test_demo_scales_to_many_wards(tmp_path):
    db = tmp_path / "big.sqlite"
    result = CliRunner().invoke(main, ["demo", "--no-tui", "--db", str(db), "--wards", "300", "--weeks", "52"])
    assert result.exit_code == 0, result.output
    rows = _weekly(db)
    assert len({r[0] for r in rows}) == 300
    assert 0.95 * 300 * 52 < len(rows) <= 300 * 52


def test_demo_will_not_overwrite_real_data(tmp_path):
    db = tmp_path / "real.sqlite"
    CliRunner().invoke(main, ["init", "--db", str(db)])
    result = CliRunner().invoke(main, ["demo", "--no-tui", "--db", str(db)])
    assert result.exit_code == 1 and "real (non-demo) data" in result.output


DEMO_ARGS = ["demo", "--no-tui", "--end", "2026-11-16", "--wards", "3", "--weeks", "20"]


def _bytes(path):
    return path.read_bytes()


def test_demo_force_never_replaces_a_real_database(tmp_path, monkeypatch):
    """`rrp demo --force` used to delete whatever RRP_DB named; a real database is never touched."""
    db = tmp_path / "real.sqlite"
    assert CliRunner().invoke(main, ["init", "--db", str(db)]).exit_code == 0
    before = _bytes(db)
    for args in ([*DEMO_ARGS, "--force", "--db", str(db)], [*DEMO_ARGS, "--force"]):
        monkeypatch.setenv("RRP_DB", str(db))
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert result.stderr.strip() == (
            f"rrp: {db} holds real (non-demo) data; it was left untouched: choose another --db for the demo"
        )
        assert _bytes(db) == before


def test_demo_force_never_replaces_a_file_that_is_not_an_rrp_database(tmp_path):
    notes = tmp_path / "notes.sqlite"
    notes.write_text("my notes")
    result = CliRunner().invoke(main, [*DEMO_ARGS, "--force", "--db", str(notes)])
    assert result.exit_code == 1 and "not an rrp database" in result.stderr
    assert notes.read_text() == "my notes"
    pipe = tmp_path / "pipe.sqlite"
    import os

    os.mkfifo(pipe)
    result = CliRunner().invoke(main, [*DEMO_ARGS, "--force", "--db", str(pipe)])
    assert result.exit_code == 1 and "it is a named pipe, not a regular file" in result.stderr


def test_demo_rebuilds_a_demo_database_into_a_new_file(tmp_path):
    db = tmp_path / "demo.sqlite"
    assert CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db)]).exit_code == 0
    first = _weekly(db)
    result = CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db), "--seed", "8", "--fresh"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"Rebuilt the demo database: synthetic collaborative: 3 wards x 20 weeks in {db}")
    assert _weekly(db) != first
    assert Store(db, create=False).preferences.get("synthetic")["seed"] == 8
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.sqlite")) == []


def test_a_failed_rebuild_leaves_the_old_demo_database(tmp_path, monkeypatch):
    db = tmp_path / "demo.sqlite"
    assert CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db)]).exit_code == 0
    first = _weekly(db)

    def broken(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr("rrp.synthetic.build_demo", broken)
    result = CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db), "--seed", "8", "--fresh"])
    assert result.exit_code != 0
    assert _weekly(db) == first
    assert [p.name for p in tmp_path.iterdir() if "building" in p.name] == []


def test_a_demo_database_people_changed_is_rebuilt_only_with_force(tmp_path):
    db = tmp_path / "demo.sqlite"
    assert CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db)]).exit_code == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO audit (at, who, table_name, row_key, action) "
            "VALUES ('2026-11-18T09:00:00Z', 'alice', 'weekly', 'X/2026-11-16', 'update')"
        )
    conn.close()
    before = _bytes(db)
    result = CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db), "--fresh"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"rrp: {db} is a demo database that alice changed since it was built; "
        "add --force to rebuild it, or choose another --db"
    )
    assert _bytes(db) == before
    assert CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db), "--force"]).exit_code == 0
    assert _bytes(db) != before


def test_demo_reopens_an_existing_demo_database_without_rebuilding_it(tmp_path):
    """`make demo` twice: the second run keeps what people tried; only --fresh rebuilds."""
    db = tmp_path / "demo.sqlite"
    first = CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db)])
    assert first.stderr.startswith("Built the demo database: "), first.stderr
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO audit (at, who, table_name, row_key, action) "
            "VALUES ('2026-11-18T09:00:00Z', 'alice', 'weekly', 'X/2026-11-16', 'update')"
        )
    conn.close()
    before = _bytes(db)
    result = CliRunner().invoke(main, [*DEMO_ARGS, "--db", str(db), "--seed", "8"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"Reopened the demo database {db} as it was left (rrp demo --fresh rebuilds it)")
    assert _bytes(db) == before
