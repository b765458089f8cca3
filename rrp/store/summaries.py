"""The dashboard's per-ward summaries (table `ward_summary`, schema 6): read them, write them.

A ward's summary holds the figures the collaborative dashboard shows for it, as JSON computed by
`rrp.reports.summaries` (this module never computes a figure). The database marks a summary out
of date itself: every write to what the figures come from (weekly, measure values and targets,
rebases, the ward, its fixed baseline, the measures, the aim) bumps the ward's `version` in a
trigger (schema.WARD_SUMMARY_V6; PostgreSQL: pg_schema.PG_WARD_SUMMARY_V6). A summary is current
while computed_version = version and it runs to the dashboard's last complete week.

Writing is optimistic: `claim` records the version each ward is at before its inputs are read,
and `save` stores figures only where the version has not moved since, so a week saved while the
figures were computed leaves the ward out of date (computed again next time), never wrong.
A summary is a cache, not data: no audit rows.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rrp.store.database import Database
from rrp.store.errors import StoreError

#: Wards per statement when a list of wards is passed to SQL (SQLite's default limit is 32,766).
_CHUNK = 500


@dataclass(frozen=True)
class StoredSummary:
    """One ward's row: its figures (None: never computed) and whether they are current."""

    ward_code: str
    version: int
    computed_version: int | None
    end_week: dt.date | None
    figures: dict[str, Any] | None

    def current(self, end_week: dt.date) -> bool:
        return self.figures is not None and self.computed_version == self.version and self.end_week == end_week


def _chunks(codes: builtins.list[str]) -> Iterable[builtins.list[str]]:
    for i in range(0, len(codes), _CHUNK):
        yield codes[i : i + _CHUNK]


class SummaryRepository:
    """Read and write `ward_summary` (see the module doc)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def read(self, ward_codes: Iterable[str] | None = None) -> dict[str, StoredSummary]:
        """Every ward's stored summary (or those of `ward_codes`): ward code -> StoredSummary.
        Wards never summarised have no row and are left out."""
        sql = "SELECT ward_code, version, computed_version, end_week, figures FROM ward_summary"
        if ward_codes is None:
            rows = self.database.query(sql)
        else:
            codes = sorted(set(ward_codes))
            rows = []
            for part in _chunks(codes):
                rows += self.database.query(f"{sql} WHERE ward_code IN ({', '.join('?' * len(part))})", part)
        return {
            row["ward_code"]: StoredSummary(
                ward_code=row["ward_code"],
                version=int(row["version"]),
                computed_version=None if row["computed_version"] is None else int(row["computed_version"]),
                end_week=dt.date.fromisoformat(row["end_week"]) if row["end_week"] else None,
                figures=json.loads(row["figures"]) if row["figures"] is not None else None,
            )
            for row in rows
        }

    def out_of_date(self, ward_codes: Iterable[str], end_week: dt.date) -> builtins.list[str]:
        """Those of `ward_codes` whose summary is missing or not current at `end_week`, in order."""
        codes = builtins.list(dict.fromkeys(ward_codes))
        stored = self.read(codes)
        return [c for c in codes if c not in stored or not stored[c].current(end_week)]

    def claim(self, ward_codes: Iterable[str]) -> dict[str, int]:
        """Make sure each ward has a row and return the version each is at now: read these BEFORE
        reading the ward's inputs (a write after this moment moves the version, and `save` then
        leaves that ward out of date). On a read-only database: the versions of the rows there
        are (wards without one: 0, never saved)."""
        codes = sorted(set(ward_codes))
        if codes and not self.database.readonly:
            try:
                with self.database.transaction() as conn:
                    conn.executemany(
                        "INSERT INTO ward_summary (ward_code) VALUES (?) ON CONFLICT (ward_code) DO NOTHING",
                        [(c,) for c in codes],
                    )
            except StoreError:
                pass  # may not write summaries (governance on PostgreSQL): computed, not stored
        stored = self.read(codes)
        return {c: stored[c].version if c in stored else 0 for c in codes}

    def save(self, claimed: Mapping[str, int], end_week: dt.date, figures: Mapping[str, dict[str, Any]]) -> int:
        """Store each ward's figures (JSON-ready dicts) computed to `end_week` from the inputs read
        after `claim` returned `claimed`; a ward whose version has moved since is left out of
        date. Returns how many summaries were stored (0 when this role or file may not write
        them: the figures are still shown, only not kept)."""
        rows = [
            (json.dumps(figures[code], sort_keys=True, allow_nan=False), end_week.isoformat(), version,
             self.database.clock(), code, version)
            for code, version in claimed.items()
            if code in figures and version > 0
        ]
        if not rows or self.database.readonly:
            return 0
        saved = 0
        try:
            with self.database.transaction() as conn:
                for row in rows:
                    cursor = conn.execute(
                        "UPDATE ward_summary SET figures = ?, end_week = ?, computed_version = ?, computed_at = ? "
                        "WHERE ward_code = ? AND version = ?",
                        row,
                    )
                    saved += max(0, cursor.rowcount)
        except StoreError:
            return 0
        return saved

    def forget(self) -> int:
        """Mark every summary out of date (`rrp admin refresh-summaries --all`); returns how many."""
        with self.database.transaction() as conn:
            cursor = conn.execute("UPDATE ward_summary SET version = version + 1")
            return max(0, cursor.rowcount)
