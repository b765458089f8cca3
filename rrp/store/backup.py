"""Backing up and restoring an rrp database with SQLite's online backup API.

The online backup reads a consistent snapshot while other stations keep writing (WAL: readers do
not block writers). The copy is a single self-contained file (journal mode DELETE) checked with
`PRAGMA integrity_check` before rrp says it is good.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from rrp.store.database import (
    BUSY_TIMEOUT_MS,
    backup_copy,
    inspect_file,
    open_for_checking,
    open_readonly,
    unreadable,
)
from rrp.store.errors import NewerSchemaError, NotAnRrpDatabase, StoreError
from rrp.store.output_file import OutputFailed, output_path, refuse_unless_regular
from rrp.store.schema import SCHEMA_VERSION


@dataclass(frozen=True)
class DatabaseCheck:
    """What a check of a database file found."""

    path: Path
    schema_version: int
    integrity: str  # 'ok' or SQLite's first complaint
    size_bytes: int

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


def check_database(path: Path) -> DatabaseCheck:
    """Is `path` an rrp database this rrp can open, and intact? Raises StoreError when not.

    Its schema is verified against the exact schema of its version first (SchemaMismatch names
    every difference), so a backup with an added trigger or a dropped CHECK is never restored.
    """
    path = Path(path)
    # Raises NotAnRrpDatabase for non-SQLite / foreign SQLite files, SchemaMismatch for an altered
    # schema, DamagedDatabase for a file SQLite cannot read.
    found = inspect_file(path)
    if found is None:
        raise NotAnRrpDatabase(f"{path} is missing or empty: it is not an rrp database")
    _, version = found
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"{path} was written by a newer rrp (schema {version}, this rrp knows {SCHEMA_VERSION})"
        )
    try:
        conn = open_for_checking(path)  # not read-only: that would skip the CHECK constraints
    except sqlite3.Error as exc:
        raise unreadable(path, exc) from None
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return DatabaseCheck(path, version, f"unreadable: {exc}", path.stat().st_size)
    finally:
        conn.close()
    integrity = "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])
    return DatabaseCheck(path, version, integrity, path.stat().st_size)


def online_backup(source: Path, target: Path) -> DatabaseCheck:
    """Copy `source` to `target` with the online backup API, then verify the copy.

    `target` must not exist, and goes through rrp's one writer (rrp.store.output_file): never
    over the live database or its side files, any database, or anything not a regular file. A
    disk that fails (full, read-only) is one clear StoreError, and no partial copy is left.
    Safe while other connections write to `source`.
    """
    source, target = Path(source), Path(target)
    if inspect_file(source) is None:
        raise NotAnRrpDatabase(f"{source} does not exist or is empty: nothing to back up")
    with output_path(target, database=source, replace=False) as partial:
        src = open_readonly(source)  # reads only: a read-only database can be backed up too
        try:
            dest = sqlite3.connect(str(partial))
            try:
                src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                # pages=-1: one step, a single consistent read snapshot of the source.
                src.backup(dest, pages=-1)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
        except sqlite3.Error as exc:
            with contextlib.suppress(OSError):  # e.g. the folder is a file: there is no journal
                Path(f"{partial}-journal").unlink(missing_ok=True)
            raise OutputFailed(f"the backup to {target} failed: {exc}; nothing was written") from None
        finally:
            src.close()
        check = check_database(partial)
        if not check.ok:
            raise StoreError(f"the backup copy failed its integrity check ({check.integrity}); nothing was kept")
    return DatabaseCheck(target, check.schema_version, check.integrity, check.size_bytes)


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    database: Path
    previous_kept_at: Path | None
    schema_version: int


def restore(backup_file: Path, database: Path) -> RestoreResult:
    """Replace `database` with the contents of `backup_file`, keeping the old one beside it.

    The backup is checked first (an rrp database, intact, schema not newer than this rrp). The
    current database (if any) is copied to `<name>.before-restore-<timestamp>.sqlite` beside it;
    then the backup is written into place with the online backup API, so the -wal/-shm files stay
    consistent. An older schema is migrated the next time rrp opens the database.
    """
    backup_file, database = Path(backup_file), Path(database)
    check = check_database(backup_file)
    if not check.ok:
        raise StoreError(f"{backup_file} failed its integrity check ({check.integrity}); nothing was restored")
    refuse_unless_regular(database)  # a folder, pipe or device given as --db is not a database
    if backup_file.resolve() == database.resolve():
        raise StoreError("the backup and the database are the same file; nothing was restored")
    kept: Path | None = None
    # Raises if the target is not an rrp database; a damaged or altered rrp database may be
    # replaced (that is what a restore is for): it is kept beside it, untouched.
    if inspect_file(database, verify=False) is not None:
        kept = backup_copy(database, "before-restore")
    else:
        database.parent.mkdir(parents=True, exist_ok=True)
    src = open_readonly(backup_file)
    dest = sqlite3.connect(str(database), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dest.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        src.backup(dest, pages=-1)
    finally:
        src.close()
        dest.close()
    after = check_database(database)
    if not after.ok:  # pragma: no cover - the source was checked just before
        raise StoreError(f"the restored database failed its integrity check ({after.integrity})")
    return RestoreResult(backup_file, database, kept, check.schema_version)
