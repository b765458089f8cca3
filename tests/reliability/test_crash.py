"""kill -9 in the middle of a large import or a submission merge: all of it, or none of it.

The child is `rrp import ...` in its own interpreter. It is killed with SIGKILL (no clean-up, no
atexit, no rollback by Python) at several points: while it reads the file, and once its write
transaction has started spilling pages into the WAL (the file grows before any commit). Afterwards
the database must pass PRAGMA integrity_check and hold either none of the import or all of it,
with the audit log matching the rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import END, TODAY, counts_of, integrity, registry_store

from rrp.exchange.exports import export
from rrp.store import Store
from rrp.synthetic import build_demo

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rrp", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _kill_when(child: subprocess.Popen[bytes], wal: Path, *, after: float = 0.0, wal_bytes: int = 0) -> str:
    """SIGKILL the child `after` seconds in, or once the WAL holds `wal_bytes`; say when it died."""
    started = time.perf_counter()
    while child.poll() is None:
        elapsed = time.perf_counter() - started
        size = wal.stat().st_size if wal.exists() else 0
        if (wal_bytes and size >= wal_bytes) or (not wal_bytes and elapsed >= after):
            os.kill(child.pid, signal.SIGKILL)
            child.wait(30)
            return f"killed at {elapsed:.2f} s, WAL {size:,} bytes"
        if elapsed > 120:
            child.kill()
            raise AssertionError("the child never reached the kill point")
        time.sleep(0.005)
    return f"finished before the kill (exit {child.returncode})"


def _weekly_rows(path: Path | str) -> tuple[int, int]:
    return (
        counts_of(path, "SELECT count(*) FROM weekly"),
        counts_of(path, "SELECT count(*) FROM audit WHERE table_name = 'weekly' AND action = 'insert'"),
    )


@pytest.fixture(scope="module")
def import_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """A weekly CSV of ~52,000 rows (takes over a second to import) and an empty target database."""
    folder = tmp_path_factory.mktemp("crash-import")
    source = Store(folder / "source.sqlite", who="source")
    build_demo(source, wards=200, weeks=260, end=END)
    csv_path = folder / "weekly.csv"
    rows = export(source, "weekly", csv_path).rows
    target = folder / "empty.sqlite"
    store = Store(target, who="target")
    build_demo(store, wards=200, weeks=260, end=END)
    with store.database.transaction() as conn:
        conn.execute("DELETE FROM weekly")
        conn.execute("DELETE FROM audit WHERE table_name = 'weekly'")
    store.close()
    return target, csv_path, rows


@pytest.mark.parametrize(
    ("after", "wal_bytes"),
    [(0.6, 0), (0.0, 512 * 1024), (0.0, 6 * 1024 * 1024)],
    ids=["while-reading", "write-started", "write-well-along"],
)
def test_kill_during_import_leaves_none_or_all(
    import_case: tuple[Path, Path, int], tmp_path: Path, after: float, wal_bytes: int
) -> None:
    empty, csv_path, rows = import_case
    db = tmp_path / "target.sqlite"
    db.write_bytes(empty.read_bytes())
    child = _start("import", "weekly", str(csv_path), "--db", str(db))
    when = _kill_when(child, Path(f"{db}-wal"), after=after, wal_bytes=wal_bytes)
    print(when)
    assert integrity(db) == "ok", when
    found, audited = _weekly_rows(db)
    assert found in (0, rows), f"{when}: {found} of {rows} rows landed"
    assert audited == found, when
    # The database still works: the same import now lands whole.
    result = subprocess.run(
        [sys.executable, "-m", "rrp", "import", "weekly", str(csv_path), "--db", str(db)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert _weekly_rows(db) == (rows, rows)


@pytest.fixture(scope="module")
def submission_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """One ward's submission with 1,400 weeks (back to 2000: earlier weeks are refused) and a hub database."""
    from base64 import b64encode

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from rrp.exchange.signing import SigningKey
    from rrp.exchange.submission import write_submission
    from rrp.store.change_package import load_shipped_change_package

    folder = tmp_path_factory.mktemp("crash-merge")
    ward = Store(folder / "ward.sqlite", who="ward")
    build_demo(ward, weeks=1400, end=END)
    submission = folder / "ward.json"
    key = SigningKey("NVT", Ed25519PrivateKey.generate())
    write_submission(ward, "NVT-ASH", str(submission), key=key)
    weeks = counts_of(folder / "ward.sqlite", "SELECT count(*) FROM weekly WHERE ward_code = 'NVT-ASH'")
    hub = registry_store(folder / "hub.sqlite", who="facilitator")
    load_shipped_change_package(hub)
    hub.keys.enrol("NVT", b64encode(key.public_raw).decode("ascii"))
    hub.close()
    return folder / "hub.sqlite", submission, weeks


@pytest.mark.parametrize(
    ("after", "wal_bytes"), [(0.2, 0), (0.0, 256 * 1024)], ids=["while-checking", "write-started"]
)
def test_kill_during_submission_merge_leaves_none_or_all(
    submission_case: tuple[Path, Path, int], tmp_path: Path, after: float, wal_bytes: int
) -> None:
    hub, submission, weeks = submission_case
    db = tmp_path / "hub.sqlite"
    db.write_bytes(hub.read_bytes())
    child = _start("import", "submission", str(submission), "--db", str(db))
    when = _kill_when(child, Path(f"{db}-wal"), after=after, wal_bytes=wal_bytes)
    print(when)
    assert integrity(db) == "ok", when
    found, audited = _weekly_rows(db)
    merged = counts_of(db, "SELECT count(*) FROM sync_submission")
    assert (found, merged) in ((0, 0), (weeks, 1)), f"{when}: {found} of {weeks} weeks, {merged} submissions"
    assert audited == found, when
    result = subprocess.run(
        [sys.executable, "-m", "rrp", "import", "submission", str(submission), "--db", str(db)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert counts_of(db, "SELECT count(*) FROM weekly") == weeks


def _writing(url: str) -> bool:
    """Has another session of this database begun writing (a transaction id assigned)?"""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        ).fetchone()[0] > 0


@pytest.mark.parametrize("after_write", [None, 0.0, 0.3], ids=["while-reading", "write-started", "write-along"])
def test_kill_during_import_on_postgres_leaves_none_or_all(
    import_case: tuple[Path, Path, int], pg_database: str, after_write: float | None
) -> None:
    """The same, on PostgreSQL: killed before, as, or after its write transaction begins."""
    _, csv_path, rows = import_case
    store = Store(pg_database, who="target")
    build_demo(store, wards=200, weeks=1, end=END)
    with store.database.transaction() as conn:
        conn.execute("DELETE FROM weekly")
        conn.execute("DELETE FROM audit WHERE table_name = 'weekly'")
    store.close()
    child = _start("import", "weekly", str(csv_path), "--db", pg_database)
    started = time.perf_counter()
    while child.poll() is None:
        if after_write is None and time.perf_counter() - started >= 0.6:
            break
        if after_write is not None and _writing(pg_database):
            time.sleep(after_write)
            break
        assert time.perf_counter() - started < 120, "the child never began writing"
        time.sleep(0.005)
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait(30)
    assert integrity(pg_database) == "ok"
    found, audited = _weekly_rows(pg_database)
    print(f"exit {child.returncode}: {found} of {rows} rows")
    assert found in (0, rows), f"{found} of {rows} rows landed"
    assert audited == found
    result = subprocess.run(
        [sys.executable, "-m", "rrp", "import", "weekly", str(csv_path), "--db", pg_database],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert _weekly_rows(pg_database) == (rows, rows)


def test_today_is_fixed() -> None:
    """The generated files are in the past for the real today too (the CLI uses the real clock)."""
    import datetime as dt

    assert END <= dt.date.today() and TODAY - END < dt.timedelta(days=8)
