"""Backups for people: `rrp backup OUT` and `rrp restore FILE` (see rrp.store.backup)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rrp.exchange.limits import check_regular_file, limits_for
from rrp.store.backup import DatabaseCheck, RestoreResult, online_backup, restore
from rrp.store.backup import check_database as _check_database


def check_database(path: Path) -> DatabaseCheck:
    """Check a database file another station sent: a regular file within the size limit first.

    Raises LimitExceeded (a device, a pipe, or larger than a backup may be) or StoreError.
    """
    check_regular_file(Path(path), limits_for("restore"))
    return _check_database(Path(path))


def backup_database(database: Path, out: Path) -> DatabaseCheck:
    """Back up `database` to `out` (a new file, or a folder to put a timestamped file in).

    Uses SQLite's online backup (safe while others write) and verifies the copy with
    PRAGMA integrity_check. Raises StoreError when the copy cannot be made or is not intact.
    """
    database, out = Path(database), Path(out)
    if out.is_dir():
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        out = out / f"{database.stem}.backup-{stamp}.sqlite"
    return online_backup(database, out)


def restore_database(backup_file: Path, database: Path) -> RestoreResult:
    """Replace `database` with `backup_file` after checking it; the old one is kept beside it."""
    check_regular_file(Path(backup_file), limits_for("restore"))
    return restore(Path(backup_file), Path(database))


__all__ = ["DatabaseCheck", "RestoreResult", "backup_database", "check_database", "restore_database"]
