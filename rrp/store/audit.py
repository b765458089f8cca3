"""The audit log: every write records who, when, which row, and the row before and after."""

from __future__ import annotations

import json
from typing import Any

from rrp.store.database import Database


def _json(row: dict[str, Any] | None) -> str | None:
    return None if row is None else json.dumps(row, sort_keys=True, default=str)


def record(
    database: Database,
    table: str,
    key: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    who: str | None = None,
) -> None:
    """Append one audit row; call inside the transaction that made the change."""
    database.conn.execute(
        "INSERT INTO audit (at, who, table_name, row_key, action, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (database.clock(), who or database.who, table, key, action, _json(before), _json(after)),
    )


def history(database: Database, table: str, key: str) -> list[dict[str, Any]]:
    """The audit rows for one record, oldest first, with before/after decoded."""
    rows = database.query(
        "SELECT id, at, who, action, before, after FROM audit "
        "WHERE table_name = ? AND row_key = ? ORDER BY id",
        (table, key),
    )
    for row in rows:
        row["before"] = json.loads(row["before"]) if row["before"] else None
        row["after"] = json.loads(row["after"]) if row["after"] else None
    return rows
