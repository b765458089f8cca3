"""Helpers for the reliability tests: registry databases, the CLI in a subprocess, peak memory."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from measured import MEASURED

from rrp.models.registry_file import parse_registry
from rrp.paths import DATA_DIR
from rrp.store import Store

END = dt.date(2026, 11, 16)
TODAY = dt.date(2026, 11, 23)
HEADER = "ward_code,week_start,restraint,prone_restraint,seclusion,rapid_tranquillisation,occupied_bed_days\n"
#: The shipped registry's first ward: 20 beds, so at most 140 bed days a week.
WARD = "NVT-ASH"


def registry_store(path: Path | str, who: str = "test") -> Store:
    """A database with the shipped 19-ward registry and no weekly data."""
    store = Store(path, who=who)
    store.registry.save_many(*parse_registry((DATA_DIR / "registry.csv").read_text(encoding="utf-8")))
    return store


def mondays(count: int, *, before: dt.date = END) -> list[dt.date]:
    """`count` Mondays, newest first, ending at `before`."""
    return [before - dt.timedelta(weeks=i) for i in range(count)]


def counts_of(path: Path | str, sql: str, params: tuple = ()) -> int:
    """One integer from a fresh read-only connection (what another station would see)."""
    if str(path).startswith("postgresql://"):
        import psycopg

        with psycopg.connect(str(path)) as pg:
            return pg.execute(sql.replace("?", "%s"), params).fetchone()[0]
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def integrity(path: Path | str) -> str:
    """SQLite's integrity_check; on PostgreSQL (which keeps its own pages whole), that the
    database still opens as a verified rrp database: "ok", else the refusal."""
    if str(path).startswith("postgresql://"):
        from rrp.store import StoreError

        try:
            Store(path, create=False).close()
        except StoreError as exc:
            return str(exc)
        return "ok"
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def rrp(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the rrp command line in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "rrp", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
    )




def rrp_measured(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI in a child; return the result (stderr without the measure) and its RSS growth."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    stderr, _, measure = result.stderr.rpartition("PEAK_RSS_GROWTH_MB=")
    result.stderr = stderr
    return result, float(measure.strip() or "nan")
