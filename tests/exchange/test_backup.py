"""Backup while another process writes; restore checks the file and keeps the replaced database."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from exchange_helpers import registry_store

from rrp.exchange.backup import backup_database, check_database, restore_database
from rrp.store import Store
from rrp.store.errors import StoreError


def _writer(path: str, stop_after: float) -> None:
    """Another station: keeps writing weeks (real transactions) for a while."""
    import datetime as dt

    from rrp.models.weekly import validate_week
    from rrp.store import Store

    store = Store(path, who="writer")
    codes = [w.code for w in store.registry.wards()]
    ends = time.monotonic() + stop_after
    n = 0
    while time.monotonic() < ends:
        # Cycle through 20 years of weeks (re-saving a week is an update) so that a fast machine
        # never reaches a week in the future, which the model refuses.
        day = dt.date(2000, 1, 3) + dt.timedelta(weeks=(n // len(codes)) % 1040)
        counts = validate_week(
            {"ward_code": codes[n % len(codes)], "week_start": day, "restraint": 1, "prone_restraint": 0,
             "seclusion": 0, "rapid_tranquillisation": 0, "occupied_bed_days": 40},
            ward=None,
        )
        store.weekly.save_many([counts])
        n += 1


def test_backup_while_another_process_writes(tmp_path: Path) -> None:
    db = tmp_path / "live.sqlite"
    registry_store(db).close()
    ctx = multiprocessing.get_context("spawn")
    writer = ctx.Process(target=_writer, args=(str(db), 3.0))
    writer.start()
    try:
        waited = time.monotonic() + 30
        while time.monotonic() < waited:  # until the writer is writing
            conn = sqlite3.connect(db)
            if conn.execute("SELECT count(*) FROM weekly").fetchone()[0] > 0:
                conn.close()
                break
            conn.close()
            time.sleep(0.05)
        checks = []
        for i in range(3):
            checks.append(backup_database(db, tmp_path / f"b{i}.sqlite"))
            time.sleep(0.2)
        assert writer.is_alive()  # the backups were taken while it was writing
    finally:
        writer.join(timeout=30)
    assert writer.exitcode == 0
    for check in checks:
        assert check.ok and check.path.exists()
        conn = sqlite3.connect(check.path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    counts = [sqlite3.connect(c.path).execute("SELECT count(*) FROM weekly").fetchone()[0] for c in checks]
    assert counts == sorted(counts) and counts[-1] > 0


def test_backup_into_folder_and_refuses_overwrite(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    registry_store(db).close()
    (tmp_path / "backups").mkdir()
    check = backup_database(db, tmp_path / "backups")
    assert check.path.parent == tmp_path / "backups" and check.ok
    with pytest.raises(StoreError, match="already exists"):
        backup_database(db, check.path)


def test_restore_keeps_old_file(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    store = registry_store(db)
    backup = backup_database(db, tmp_path / "b.sqlite").path
    store.database.conn.execute("DELETE FROM preference")  # any later change
    from rrp.models.registry import Provider

    store.registry.save_provider(Provider(code="NEW", name="Added after the backup"))
    store.close()
    result = restore_database(backup, db)
    assert result.previous_kept_at is not None and result.previous_kept_at.exists()
    assert "before-restore" in result.previous_kept_at.name
    restored = Store(db)
    assert "NEW" not in {p.code for p in restored.registry.providers()}
    kept = sqlite3.connect(result.previous_kept_at)
    assert kept.execute("SELECT count(*) FROM provider WHERE code = 'NEW'").fetchone()[0] == 1


def test_restore_refuses_bad_files(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    registry_store(db).close()
    before = db.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(StoreError, match="not an rrp database"):
        restore_database(text, db)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not an rrp"):
        restore_database(other, db)
    newer = tmp_path / "newer.sqlite"
    registry_store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer rrp"):
        restore_database(newer, db)
    assert db.read_bytes() == before
    assert check_database(db).ok
