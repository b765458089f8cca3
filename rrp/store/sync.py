"""Raw record access for data exchange: imports' diffs, exports, ward submissions and their merge.

The importers validate through the models and save weekly rows through `WeeklyRepository`; this
repository adds what exchange needs beyond that: fast reads of stored rows as plain dicts, the
records a ward submits (with their version and who/when), the `sync_state` of what a ward and the
facilitator last agreed on, and writing merged records (one transaction, audited per record).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import StaleEditError

#: The tables a ward submission carries, their key columns, and the ward column.
SYNC_TABLES: dict[str, tuple[str, ...]] = {
    "change_idea": ("code",),  # only a ward's own ideas (ward_code set) travel
    "weekly": ("ward_code", "week_start"),
    "pdsa_cycle": ("id",),
    "progress_score": ("ward_code", "month"),
    "annotation": ("id",),
}
#: Columns that describe a record's history rather than its content (not hashed, not compared).
META_COLUMNS = ("version", "updated_at", "updated_by", "created_at")
#: The agreed "content" of a record a ward deleted (sync_state.agreed_hash is 64 hex digits).
DELETED_HASH = hashlib.sha256(b"rrp: deleted").hexdigest()
_WEEKLY_RAW = (
    "ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation, "
    "occupied_bed_days, note"
)


def row_key(table: str, row: dict[str, Any]) -> str:
    """The record's key as the audit log writes it: 'WARD/2025-03-03' or the id."""
    return "/".join(str(row[c]) for c in SYNC_TABLES[table])


class SyncRepository:
    """Plain-dict reads and audited merge writes for imports, exports and submissions."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- reads -----------------------------------------------------------------------------

    def columns(self, table: str) -> list[str]:
        """The table's columns, in order (read from the database, so later migrations count)."""
        if table not in SYNC_TABLES:
            raise ValueError(f"not a synchronised table: {table}")
        return self.database.columns(table)

    def weekly_rows(self, ward_codes: Iterable[str] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """Stored weekly rows keyed by (ward_code, week_start ISO), values as stored."""
        sql = f"SELECT {_WEEKLY_RAW} FROM weekly"
        params: list[Any] = []
        if ward_codes is not None:
            codes = sorted(set(ward_codes))
            if not codes:
                return {}
            sql += f" WHERE ward_code IN ({','.join('?' * len(codes))})"
            params = codes
        cursor = self.database.conn.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cursor}

    def weekly_notes(
        self, ward_codes: Iterable[str] | None = None, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> dict[tuple[str, str], str]:
        """The notes of weekly rows that have one, keyed by (ward_code, week_start ISO)."""
        sql = "SELECT ward_code, week_start, note FROM weekly WHERE note IS NOT NULL"
        params: list[Any] = []
        if ward_codes is not None:
            codes = list(ward_codes)
            sql += f" AND ward_code IN ({','.join('?' * len(codes))})"
            params += codes
        if start is not None:
            sql += " AND week_start >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " AND week_start <= ?"
            params.append(end.isoformat())
        return {(w, d): n for w, d, n in self.database.conn.execute(sql, params)}

    def records(self, table: str, *, ward_code: str | None = None, since: str | None = None) -> list[dict[str, Any]]:
        """Every record of a table (of one ward), all columns, oldest key first.

        `since` (an ISO date or timestamp) keeps records updated on or after it.
        """
        columns = self.columns(table)
        sql = f"SELECT {', '.join(columns)} FROM {table}"
        clauses, params = [], []
        if ward_code is not None:
            clauses.append("ward_code = ?")
            params.append(ward_code)
        if since is not None:
            clauses.append("updated_at >= ?")
            params.append(since)
        if ward_code is None and table == "change_idea":
            clauses.append("ward_code IS NOT NULL")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        order = "created_at, id" if table == "pdsa_cycle" else ", ".join(SYNC_TABLES[table])
        sql += f" ORDER BY {order}"
        return self.database.query(sql, params)

    def record(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        columns = self.columns(table)
        where = " AND ".join(f"{c} = ?" for c in SYNC_TABLES[table])
        return self.database.query_one(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {where}",
            [key[c] for c in SYNC_TABLES[table]],
        )

    def deletions(
        self, ward_code: str, *, tables: Iterable[str], since: str | None = None
    ) -> list[dict[str, Any]]:
        """The ward's records deleted (and not entered again), from the audit, oldest first.

        Each: {"table", "record" (its content when deleted), "deleted_at", "deleted_by",
        "reason"}; the latest deletion of each record. `since` keeps deletions on or after it.
        """
        names = [t for t in tables if t in SYNC_TABLES]
        if not names:
            return []
        sql = (
            "SELECT table_name, row_key, at, who, before, after FROM audit WHERE action = 'delete' "
            f"AND table_name IN ({','.join('?' * len(names))}) AND json_extract(before, '$.ward_code') = ?"
        )
        params: list[Any] = [*names, ward_code]
        if since is not None:
            sql += " AND at >= ?"
            params.append(since)
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for table, key, at, who, before, after in self.database.conn.execute(sql + " ORDER BY id", params):
            record = json.loads(before)
            reason = (json.loads(after) or {}).get("reason") if after else None
            latest[(table, key)] = {
                "table": table, "record": record, "deleted_at": at, "deleted_by": who, "reason": reason,
            }
        return [d for d in latest.values() if self.record(d["table"], d["record"]) is None]

    def correction_reasons(self, table: str, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Why each of `records` (one ward's, of `table`) holds its values: the reason given for
        the correction that last changed them, from the audit, where one was given.

        Each: {"table", "record" (its key columns), "corrected_at", "corrected_by", "reason"}, in
        the records' order. The change that made a record's current values is the latest update
        whose after-values are them and differ from its before-values: a later save that changed
        nothing (a provisional week confirmed) keeps the reason, a later edit without a reason
        drops it (the values are no longer the corrected ones).
        """
        records = list(records)
        if not records or table not in SYNC_TABLES:
            return []
        keys = SYNC_TABLES[table]
        wanted = {row_key(table, r): r for r in records}
        codes = sorted({r["ward_code"] for r in records})
        sql = (
            "SELECT row_key, at, who, before, after FROM audit WHERE action = 'update' AND table_name = ? "
            f"AND json_extract(after, '$.ward_code') IN ({','.join('?' * len(codes))}) ORDER BY id"
        )
        made: dict[str, dict[str, Any]] = {}
        for key, at, who, before, after in self.database.conn.execute(sql, [table, *codes]):
            current = wanted.get(key)
            if current is None or not after:
                continue
            new = json.loads(after)
            reason = new.pop("reason", None)
            old = json.loads(before) if before else {}
            if any(new.get(c) != current.get(c) for c in new):
                continue  # values since replaced
            if any(old.get(c) != new.get(c) for c in new):  # a real change to the current values
                made[key] = {"at": at, "who": who, "reason": reason}
        out = []
        for key, record in wanted.items():
            change = made.get(key)
            if change is None or not change["reason"]:
                continue
            out.append(
                {
                    "table": table,
                    "record": {c: record[c] for c in keys},
                    "corrected_at": change["at"],
                    "corrected_by": change["who"],
                    "reason": change["reason"],
                }
            )
        return out

    # -- sync state --------------------------------------------------------------------------

    def agreed(self, source: str) -> dict[tuple[str, str], str]:
        """(table, row_key) -> the content hash last agreed with `source`."""
        rows = self.database.conn.execute(
            "SELECT table_name, row_key, agreed_hash FROM sync_state WHERE source = ?", (source,)
        )
        return {(t, k): h for t, k, h in rows}

    def agreed_at(self, source: str, table: str, key: str) -> str | None:
        """When the agreement on one record was recorded (for a deletion: when the ward deleted it)."""
        row = self.database.conn.execute(
            "SELECT agreed_at FROM sync_state WHERE source = ? AND table_name = ? AND row_key = ?",
            (source, table, key),
        ).fetchone()
        return row[0] if row else None

    def set_agreed(
        self, source: str, table: str, key: str, content_hash: str, *, at: str | None = None
    ) -> None:
        """Record agreement (call inside the merge's transaction); `at` defaults to now."""
        self.database.conn.execute(
            "INSERT INTO sync_state (source, table_name, row_key, agreed_hash, agreed_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, table_name, row_key) "
            "DO UPDATE SET agreed_hash = excluded.agreed_hash, agreed_at = excluded.agreed_at",
            (source, table, key, content_hash, at or self.database.clock()),
        )

    def submission_seen(self, checksum: str) -> dict[str, Any] | None:
        return self.database.query_one("SELECT * FROM sync_submission WHERE checksum = ?", (checksum,))

    def log_submission(self, checksum: str, source: str, exported_at: str, summary: dict[str, Any]) -> None:
        self.database.conn.execute(
            "INSERT INTO sync_submission (checksum, source, exported_at, imported_at, imported_by, summary) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (checksum) DO UPDATE SET "
            "imported_at = excluded.imported_at, imported_by = excluded.imported_by, summary = excluded.summary",
            (checksum, source, exported_at, self.database.clock(), self.database.who, json.dumps(summary)),
        )

    # -- merge writes --------------------------------------------------------------------------

    def defer_foreign_keys(self) -> None:
        """Inside a transaction: check references at commit (a cycle may follow one in the batch)."""
        self.database.defer_foreign_keys()

    def broken_references(self) -> list[str]:
        """Inside the merge's transaction: references that point nowhere, described."""
        return self.database.broken_references()

    def insert_record(self, table: str, row: dict[str, Any], *, who: str | None = None) -> None:
        """Insert a submitted record as it is (keeps its updated_at/updated_by), audited as `who`."""
        columns = [c for c in self.columns(table) if c in row]
        self.database.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
        audit.record(self.database, table, row_key(table, row), "insert", None, _content(row), who=who)

    def update_record(
        self,
        table: str,
        current: dict[str, Any],
        row: dict[str, Any],
        *,
        who: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Replace a record's content with the submitted one; version goes up by one, audited.

        `reason`: why the ward corrected it (its submission's), kept in the audit row's after as a
        correction made here keeps it (rrp.store.weekly)."""
        keys = SYNC_TABLES[table]
        columns = [c for c in self.columns(table) if c in row and c not in keys and c not in ("version", "created_at")]
        assignments = ", ".join(f"{c} = ?" for c in columns)
        where = " AND ".join(f"{c} = ?" for c in keys)
        self.database.conn.execute(
            f"UPDATE {table} SET {assignments}, version = version + 1 WHERE {where} AND version = ?",
            [row[c] for c in columns] + [current[c] for c in keys] + [current["version"]],
        )
        after = _content(row) if reason is None else {**_content(row), "reason": reason}
        audit.record(self.database, table, row_key(table, row), "update", _content(current), after, who=who)

    def delete_record(self, table: str, current: dict[str, Any], *, reason: str | None, who: str | None = None) -> None:
        """Delete a record a ward deleted (the version read, so no newer edit is lost), audited.

        The audit row keeps the content deleted and the ward's reason, as a deletion here does.
        """
        keys = SYNC_TABLES[table]
        where = " AND ".join(f"{c} = ?" for c in keys)
        cursor = self.database.conn.execute(
            f"DELETE FROM {table} WHERE {where} AND version = ?",
            [current[c] for c in keys] + [current["version"]],
        )
        if cursor.rowcount != 1:
            raise StaleEditError(f"{table} {row_key(table, current)} changed while merging; nothing was imported")
        audit.record(
            self.database, table, row_key(table, current), "delete", _content(current), {"reason": reason}, who=who
        )


def _content(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in META_COLUMNS}
