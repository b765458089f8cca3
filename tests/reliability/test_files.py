"""Databases that are not what they should be: each refused or reported clearly, nothing overwritten.

Tests run as root in CI, where chmod does not stop a write, so a read-only database is simulated
where SQLite itself enforces it: the store's connections are opened with `mode=ro`, and SQLite
refuses every write ("attempt to write a readonly database"). A full disk is simulated with
`PRAGMA max_page_count`, which makes SQLite fail with SQLITE_FULL exactly as a full disk does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import HEADER, TODAY, counts_of, integrity, registry_store, rrp

from rrp.exchange.weekly_import import import_weekly
from rrp.models.weekly import WeeklyCounts
from rrp.store import NewerSchemaError, NotAnRrpDatabase, Store, WriteFailed

#: Run the CLI with the store's connections read-only ("ro") or nearly full ("full").
PATCHED_CLI = r"""
import sys
import rrp.store.database as database
original = database.connect
mode = sys.argv[1]
def connect(path, *, readonly=False):
    if mode == "ro":
        return original(path, readonly=True)
    conn = original(path, readonly=readonly)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 4}")
    return conn
database.connect = connect
from rrp.cli import main
main(sys.argv[2:])
"""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _patched_cli(mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PATCHED_CLI, mode, *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def _csv(path: Path, weeks: int) -> Path:
    start = dt.date(2026, 11, 16)
    # Two wards, so 1,500 rows span 14 years (a week before 2000 is refused as a typing slip).
    ward = ("NVT-ASH", "NVT-BIRCH")
    lines = [f"{ward[i % 2]},{start - dt.timedelta(weeks=i // 2)},1,0,0,0,100\n" for i in range(weeks)]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _one_message(result: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.stderr.count("rrp:") == 1 and fragment in result.stderr, result.stderr


@pytest.mark.parametrize("kind", ["text", "other-sqlite", "newer-rrp"])
def test_wrong_database_refused_and_untouched(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "db.sqlite"
    if kind == "text":
        db.write_text("ward,restraint\nNVT-ASH,3\n", encoding="utf-8")
        fragment, error = "not an rrp database", NotAnRrpDatabase
    elif kind == "other-sqlite":
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
        conn.commit()
        conn.close()
        fragment, error = "not an rrp one", NotAnRrpDatabase
    else:
        registry_store(db).close()
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA user_version = 99")
        conn.close()
        fragment, error = "newer rrp", NewerSchemaError
    before = _digest(db)
    data = _csv(tmp_path / "w.csv", 2)
    _one_message(rrp("import", "weekly", str(data), "--db", str(db)), 1, fragment)
    _one_message(rrp("export", "weekly", str(tmp_path / "out.csv"), "--db", str(db)), 1, fragment)
    with pytest.raises(error, match="untouched"):
        Store(db)
    assert _digest(db) == before
    assert not list(tmp_path.glob("db.before-*")), "no backup copy of a file we refused"


def test_read_only_database_cli(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    registry_store(db).close()
    result = _patched_cli("ro", "import", "weekly", str(_csv(tmp_path / "w.csv", 3)), "--db", str(db))
    _one_message(result, 1, "read-only")
    assert "nothing was saved" in result.stderr
    assert counts_of(db, "SELECT count(*) FROM weekly") == 0


def test_read_only_database_store(tmp_path: Path) -> None:
    from rrp.store.database import connect

    db = tmp_path / "db.sqlite"
    store = registry_store(db)
    week = WeeklyCounts(ward_code="NVT-ASH", week_start=dt.date(2026, 3, 2), restraint=1, prone_restraint=0,
                        seclusion=0, rapid_tranquillisation=0, occupied_bed_days=100)
    store.weekly.save(week, expected_version=None, today=TODAY)
    store.close()
    store = Store(db)
    store.database._local.conn = connect(db, readonly=True)  # this thread's connection: SQLite enforces ro
    edited = week.model_copy(update={"restraint": 2})
    with pytest.raises(WriteFailed, match="read-only.*nothing was saved"):
        store.weekly.save(edited, expected_version=1, today=TODAY)
    assert store.weekly.week("NVT-ASH", dt.date(2026, 3, 2)).counts.restraint == 1


def test_full_disk_import_rolled_back_and_reported(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    store = registry_store(db)
    import_weekly(store, _csv(tmp_path / "small.csv", 2), today=TODAY)
    conn = store.database.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 4}")
    big = _csv(tmp_path / "big.csv", 1500)
    with pytest.raises(WriteFailed, match="full.*nothing was saved"):
        import_weekly(store, big, today=TODAY)
    assert not conn.in_transaction
    assert counts_of(db, "SELECT count(*) FROM weekly") == 2
    assert counts_of(db, "SELECT count(*) FROM audit WHERE table_name = 'weekly'") == 2
    assert integrity(db) == "ok"
    # Space freed: the same connection works again and the import lands whole.
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert len(import_weekly(store, big, today=TODAY).inserted) == 1498


def test_full_disk_cli(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    registry_store(db).close()
    result = _patched_cli("full", "import", "weekly", str(_csv(tmp_path / "big.csv", 1500)), "--db", str(db))
    _one_message(result, 1, "is full")
    assert counts_of(db, "SELECT count(*) FROM weekly") == 0
    assert integrity(db) == "ok"
