"""Weekly counts: one row per ward per week, upserted, versioned and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rrp.models.registry import Ward
from rrp.models.weekly import COUNT_FIELDS, StoredWeek, WeeklyCounts, validate_week
from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import StaleEditError, UnknownRecord
from rrp.store.registry import RegistryRepository

if TYPE_CHECKING:
    import pandas as pd

_COLUMNS = ("ward_code", "week_start", *COUNT_FIELDS, "note")
_SELECT = (
    "SELECT ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation, "
    "occupied_bed_days, note, version, updated_at, updated_by FROM weekly"
)


@dataclass
class SaveSummary:
    """What a batch save did, row by row (keys are (ward_code, week_start))."""

    inserted: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)


def _row_values(counts: WeeklyCounts) -> dict[str, Any]:
    data = counts.model_dump(mode="json")
    return {name: data[name] for name in _COLUMNS}


def _stored(row: dict[str, Any]) -> StoredWeek:
    counts = WeeklyCounts.model_validate(
        {name: row[name] for name in _COLUMNS}, context={"today": dt.date.max - dt.timedelta(days=7)}
    )
    return StoredWeek(
        counts=counts, version=row["version"], updated_at=row["updated_at"], updated_by=row["updated_by"]
    )


class WeeklyRepository:
    """Reads and writes weekly counts."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- reads -----------------------------------------------------------------------------

    def week(self, ward_code: str, week_start: dt.date) -> StoredWeek | None:
        row = self.database.query_one(
            _SELECT + " WHERE ward_code = ? AND week_start = ?", (ward_code, week_start.isoformat())
        )
        return _stored(row) if row else None

    def weeks(self, ward_code: str) -> list[StoredWeek]:
        rows = self.database.query(_SELECT + " WHERE ward_code = ? ORDER BY week_start", (ward_code,))
        return [_stored(row) for row in rows]

    def latest_bed_days(self, ward_code: str, before: dt.date) -> int | None:
        """Bed days of the ward's most recent week before `before`: the form's pre-fill."""
        row = self.database.query_one(
            "SELECT occupied_bed_days FROM weekly WHERE ward_code = ? AND week_start < ? "
            "ORDER BY week_start DESC LIMIT 1",
            (ward_code, before.isoformat()),
        )
        return None if row is None else row["occupied_bed_days"]

    def entered(self, week_starts: Iterable[dt.date]) -> set[tuple[str, dt.date]]:
        """Which (ward_code, week_start) pairs have a row, for the given weeks."""
        days = [d.isoformat() for d in week_starts]
        if not days:
            return set()
        marks = ",".join("?" * len(days))
        rows = self.database.conn.execute(
            f"SELECT ward_code, week_start FROM weekly WHERE week_start IN ({marks})", days
        ).fetchall()
        return {(code, dt.date.fromisoformat(day)) for code, day in rows}

    def recent_totals(self, *, since: dt.date, until: dt.date) -> dict[str, dict[dt.date, tuple[int, int]]]:
        """Per ward, per week from `since` to `until`: (all restrictive practice, bed days).

        Plain SQL and dicts (no pandas) so the home screen can show trends before pandas loads.
        """
        rows = self.database.conn.execute(
            "SELECT ward_code, week_start, restraint + seclusion + rapid_tranquillisation, "
            "occupied_bed_days FROM weekly WHERE week_start BETWEEN ? AND ? ORDER BY week_start",
            (since.isoformat(), until.isoformat()),
        )
        result: dict[str, dict[dt.date, tuple[int, int]]] = {}
        for code, day, total, bed_days in rows:
            result.setdefault(code, {})[dt.date.fromisoformat(day)] = (total, bed_days)
        return result

    def missing_weeks(self, ward_code: str, *, since: dt.date, until: dt.date) -> list[dt.date]:
        """Mondays from `since` to `until` (inclusive) with no row for the ward, newest first."""
        present = {
            row[0]
            for row in self.database.conn.execute(
                "SELECT week_start FROM weekly WHERE ward_code = ? AND week_start BETWEEN ? AND ?",
                (ward_code, since.isoformat(), until.isoformat()),
            )
        }
        missing = []
        day = until
        while day >= since:
            if day.isoformat() not in present:
                missing.append(day)
            day -= dt.timedelta(days=7)
        return missing

    def frame(
        self,
        *,
        ward_codes: Iterable[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> pd.DataFrame:
        """Weekly rows as a DataFrame (week_start as datetime64), ordered by ward and week."""
        import pandas as pd  # deferred: keeps the app's start-up path free of pandas

        clauses, params = [], []
        if ward_codes is not None:
            codes = list(ward_codes)
            clauses.append(f"ward_code IN ({','.join('?' * len(codes))})")
            params += codes
        if start is not None:
            clauses.append("week_start >= ?")
            params.append(start.isoformat())
        if end is not None:
            clauses.append("week_start <= ?")
            params.append(end.isoformat())
        sql = (
            "SELECT ward_code, week_start, restraint, prone_restraint, seclusion, "
            "rapid_tranquillisation, occupied_bed_days FROM weekly"
        )
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY ward_code, week_start"
        cursor = self.database.conn.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
        frame["week_start"] = pd.to_datetime(frame["week_start"], format="%Y-%m-%d")
        return frame

    # -- writes ----------------------------------------------------------------------------

    def save(
        self, counts: WeeklyCounts, *, expected_version: int | None, today: dt.date | None = None
    ) -> StoredWeek:
        """Save one week, as an edit made against `expected_version`.

        `expected_version=None` means the user started from an empty week: if someone else saved
        that week meanwhile, the save is refused (StaleEditError) rather than overwriting theirs.
        Unchanged values write nothing.
        """
        with self.database.transaction():
            self._upsert(counts, expected_version=expected_version, check_version=True, today=today)
            stored = self.week(counts.ward_code, counts.week_start)
        assert stored is not None
        return stored

    def save_many(self, rows: Iterable[WeeklyCounts], *, today: dt.date | None = None) -> SaveSummary:
        """Upsert many weeks in ONE transaction (an import): all land, or none do."""
        summary = SaveSummary()
        with self.database.transaction():
            for counts in rows:
                outcome = self._upsert(counts, expected_version=None, check_version=False, today=today)
                getattr(summary, outcome).append((counts.ward_code, counts.week_start.isoformat()))
        return summary

    def bulk_load(self, rows: list[tuple], *, source: str) -> int:
        """Insert many new rows fast, for generated data: one transaction, one audit row.

        Rows are (ward_code, week_start, restraint, prone, seclusion, rt, bed_days). The schema's
        CHECK constraints and triggers still check every row; an existing week is an error.
        """
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            conn.executemany(
                "INSERT INTO weekly (ward_code, week_start, restraint, prone_restraint, seclusion, "
                "rapid_tranquillisation, occupied_bed_days, updated_at, updated_by) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?, '{now}', ?)",
                ((*row, who) for row in rows),
            )
            audit.record(self.database, "weekly", "*", "bulk", None, {"rows": len(rows), "source": source})
        return len(rows)

    def _upsert(
        self,
        counts: WeeklyCounts,
        *,
        expected_version: int | None,
        check_version: bool,
        today: dt.date | None,
    ) -> str:
        ward = self._ward(counts.ward_code)
        # Validate again against the ward as stored now: the store trusts no caller.
        counts = validate_week(counts.model_dump(), ward=ward, today=today)
        key = f"{counts.ward_code}/{counts.week_start.isoformat()}"
        current = self.database.query_one(
            _SELECT + " WHERE ward_code = ? AND week_start = ?",
            (counts.ward_code, counts.week_start.isoformat()),
        )
        values = _row_values(counts)
        now, who = self.database.clock(), self.database.who
        conn = self.database.conn
        if current is None:
            if check_version and expected_version is not None:
                raise StaleEditError(
                    f"The week of {counts.week_start:%d %b %Y} for {counts.ward_code} was deleted "
                    "since you opened it; nothing was saved."
                )
            conn.execute(
                f"INSERT INTO weekly ({', '.join(values)}, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                (*values.values(), now, who),
            )
            audit.record(self.database, "weekly", key, "insert", None, values)
            return "inserted"
        before = {name: current[name] for name in _COLUMNS}
        if check_version and current["version"] != expected_version:
            raise StaleEditError(
                f"The week of {counts.week_start:%d %b %Y} for {counts.ward_code} was saved by "
                f"{current['updated_by']} at {current['updated_at']} while you were editing. "
                "Your figures are still on screen: reload to see theirs, then save again."
            )
        if before == values:
            return "unchanged"
        assignments = ", ".join(f"{name} = ?" for name in values)
        conn.execute(
            f"UPDATE weekly SET {assignments}, updated_at = ?, updated_by = ?, version = version + 1 "
            "WHERE ward_code = ? AND week_start = ? AND version = ?",
            (*values.values(), now, who, counts.ward_code, counts.week_start.isoformat(), current["version"]),
        )
        audit.record(self.database, "weekly", key, "update", before, values)
        return "updated"

    def _ward(self, code: str) -> Ward:
        ward = RegistryRepository(self.database).ward(code)
        if ward is None:
            raise UnknownRecord(f"Ward {code} is not in the collaborative's registry")
        return ward
