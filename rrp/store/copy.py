"""Copying a whole rrp database between engines (SQLite <-> PostgreSQL), verified (`rrp copy`).

The target must be new (a missing or empty file, a PostgreSQL database or schema with no tables):
rrp creates its schema there, then every table's rows are written in ONE transaction (all of it
or none of it), keeping every value, version, audit row and audit id. Afterwards each table is
read back from both sides and compared: the number of rows and a SHA-256 of the rows (each row
in a canonical form, the rows sorted), so a copy that lost, changed or added anything is reported
as failed, never as done.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rrp.store.errors import StoreError
from rrp.store.facade import Store
from rrp.store.pg import is_postgres

#: The order rows are written in, so each row's references and rules find what they need: wards
#: before their weeks, weeks before per-bed-days values, measures before their values. (References
#: are also deferred to the commit, for the tables that refer to themselves.) The dashboard's ward
#: summaries come after every table whose rows mark them out of date, so they arrive as they were.
TABLE_ORDER = (
    "provider", "ward", "weekly", "driver", "change_idea", "pdsa_cycle", "pdsa_draft", "progress_score",
    "annotation", "preference", "meta", "measure", "measure_value", "measure_target", "ward_summary",
    "provider_key", "sync_state", "sync_submission", "audit",
)
#: Tables whose rows keep their order of insertion (SQLite's rowid: notes of one day; audit ids).
_ORDERED = {"annotation": "rowid", "audit": "id"}


class CopyRefused(StoreError):
    """The copy was not made (a target that is not new, a source that is not an rrp database)."""


@dataclass
class TableCheck:
    table: str
    rows: int
    checksum: str


@dataclass
class CopyResult:
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _canonical(value: Any) -> Any:
    """A value as both engines give it back: a whole float is the same number as an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_check(store: Store, table: str) -> TableCheck:
    """The row count and checksum of one table (rows canonical and sorted: order-free)."""
    columns = store.database.columns(table)
    cursor = store.database.conn.execute(f"SELECT {', '.join(columns)} FROM {table}")
    lines = sorted(json.dumps([_canonical(v) for v in row], default=str) for row in cursor.fetchall())
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return TableCheck(table, len(lines), digest.hexdigest())


def is_new_target(target: str | Path) -> bool:
    """Is there no rrp data at `target` (a missing/empty file; a server schema with no tables)?"""
    if is_postgres(target):
        import psycopg

        try:
            with psycopg.connect(str(target), connect_timeout=15) as conn:
                return conn.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                ).fetchone()[0] == 0
        except psycopg.Error as exc:
            raise CopyRefused(f"cannot connect to the target ({str(exc).strip().splitlines()[0]})") from None
    path = Path(target)
    return not path.exists() or (path.is_file() and path.stat().st_size == 0)


def _measure_rank(row: dict[str, Any]) -> int:
    """Entered wholes first, then their parts, then sums (whose members must exist)."""
    return 2 if row.get("sum_of") else 1 if row.get("part_of") else 0


def _rows(source: Store, table: str, columns: list[str]) -> list[dict[str, Any]]:
    order = f" ORDER BY {_ORDERED[table]}" if table in _ORDERED else ""
    rows = source.database.query(f"SELECT {', '.join(columns)} FROM {table}{order}")
    if table == "measure":
        rows.sort(key=_measure_rank)
    elif table == "measure_value":
        parts = {r["code"] for r in source.database.query("SELECT code FROM measure WHERE part_of IS NOT NULL")}
        rows.sort(key=lambda r: r["measure_code"] in parts)
    return rows


def copy_database(source_target: str | Path, target: str | Path) -> CopyResult:
    """Copy every table of `source_target` into the new database `target`, then verify it."""
    if str(source_target) == str(target):
        raise CopyRefused("the source and the target are the same database")
    if not is_new_target(target):
        raise CopyRefused(f"{target} already holds data: rrp copy writes only to a new, empty database; nothing was copied")
    source = Store(source_target, create=False)
    created = not is_postgres(target)
    try:
        destination = Store(target, who=source.database.who)
    except BaseException:
        source.close()
        raise
    try:
        tables = list(TABLE_ORDER)
        found = set(source.database.tables())
        if found != set(tables) or set(destination.database.tables()) != set(tables):
            raise CopyRefused(
                f"this rrp copies the tables {', '.join(sorted(tables))}; the source holds {', '.join(sorted(found))}"
            )
        _write(source, destination, tables)
        result = CopyResult()
        for table in tables:
            want, have = table_check(source, table), table_check(destination, table)
            if want != have:
                raise StoreError(
                    f"the copy of {table} differs from the source ({have.rows} rows, expected {want.rows}; "
                    "checksums differ): the target is not a faithful copy"
                )
            result.tables.append(want)
        return result
    except BaseException:
        destination.close()
        if created:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        source.close()
        destination.close()


def _write(source: Store, destination: Store, tables: list[str]) -> None:
    database = destination.database
    with database.transaction() as conn:
        database.defer_foreign_keys()
        # What creating the schema wrote: its audit row, the core measures (replaced by the source's).
        conn.execute("DELETE FROM audit")
        for table in tables:
            columns = source.database.columns(table)
            if set(columns) != set(database.columns(table)):
                raise CopyRefused(f"the table {table} has other columns in the target; nothing was copied")
            rows = _rows(source, table, columns)
            if not rows:
                continue
            keys = {"measure": ["code"]}.get(table)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            if keys:  # rows the schema itself created (the core measures): the source's replace them
                updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
                sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
            conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])
        database.resync_counters()
        broken = database.broken_references()
        if broken:
            raise CopyRefused(f"the source's references do not hold ({broken[0]}); nothing was copied")
