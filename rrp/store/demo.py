"""Telling a demo database from a real one, and putting a rebuilt demo database in place.

`rrp demo` may rebuild only a database it made itself: one that carries the 'synthetic'
preference `build_demo` writes. A real database (no marker, or not an rrp database at all) is
never deleted or overwritten, whatever flags are given. A demo database that people have since
changed (audit rows by anyone but the demo builder) is rebuilt only when asked (--force).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from rrp.store.database import inspect_file
from rrp.store.output_file import SIDE_FILES

#: Who the demo builder writes as (Store(path, who=DEMO_WHO)); its audit rows are not edits.
DEMO_WHO = "demo"


@dataclass(frozen=True)
class DemoState:
    """What an existing rrp database is, for `rrp demo`."""

    synthetic: bool  # carries build_demo's marker
    edited_by: tuple[str, ...]  # who changed it since, other than the demo builder


def demo_state(path: Path) -> DemoState | None:
    """The state of the rrp database at `path`; None when there is none (missing or empty).

    Raises NotAnRrpDatabase for a file that is not an rrp database. Reads without writing.
    """
    if inspect_file(Path(path)) is None:
        return None
    conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        marker = conn.execute("SELECT 1 FROM preference WHERE key = 'synthetic'").fetchone()
        who = conn.execute(
            "SELECT DISTINCT who FROM audit WHERE who <> ? AND table_name <> 'schema' ORDER BY who",
            (DEMO_WHO,),
        ).fetchall()
    except sqlite3.Error:
        return DemoState(False, ())  # unreadable tables: treat as real, never delete
    finally:
        conn.close()
    return DemoState(marker is not None, tuple(r[0] for r in who))


def install_database(built: Path, target: Path) -> None:
    """Move the freshly built, closed database `built` over `target` in one rename.

    `built` is made a single file first (journal mode DELETE), and `target`'s old -wal/-shm are
    removed before the rename: a stale -wal beside the new file would be replayed into it.
    """
    conn = sqlite3.connect(str(built))
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    for suffix in SIDE_FILES:
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(built, target)
