"""Weekly counts: one row per ward per week, upserted, versioned and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rrp.models.registry import Ward
from rrp.models.week_status import is_provisional
from rrp.models.weekly import (
    COUNT_FIELDS,
    StoredWeek,
    WeekCorrection,
    WeekDeletion,
    WeeklyCounts,
    monday_of,
    validate_week,
)
from rrp.models.when import local_time_text
from rrp.store import audit, home
from rrp.store.database import Database
from rrp.store.errors import ConstraintError, StaleEditError, UnknownRecord
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


@dataclass
class BulkUpsertSummary:
    """What a set-based upsert did (or, in a dry run, would do), in the order the rows came.

    `updated` holds (key, before, after) with before/after the count fields and note.
    """

    inserted: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[tuple[str, str], dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)


#: Columns compared to tell an update from an unchanged row (NULL-safe: IS NOT).
_VALUE_COLUMNS = (*COUNT_FIELDS, "note")
_CHANGED = " OR ".join(f"i.{c} IS NOT w.{c}" for c in _VALUE_COLUMNS)
#: json_object arguments with the keys sorted, as audit.record writes them.
_AUDIT_KEYS = sorted(_COLUMNS)


def _json_object(alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.{c}" for c in _AUDIT_KEYS) + ")"


def _row_values(counts: WeeklyCounts) -> dict[str, Any]:
    data = counts.model_dump(mode="json")
    return {name: data[name] for name in _COLUMNS}


def _stored(row: dict[str, Any]) -> StoredWeek:
    # A stored row was validated, and passed the schema's CHECKs, when it was written. It is not
    # validated again on the way out: "not in the future" judged by this machine's clock would
    # make a week saved by a station whose clock runs ahead unreadable here.
    values = {name: row[name] for name in _COLUMNS}
    values["week_start"] = dt.date.fromisoformat(values["week_start"])
    counts = WeeklyCounts.model_construct(**values)
    return StoredWeek(
        counts=counts, version=row["version"], updated_at=row["updated_at"], updated_by=row["updated_by"]
    )


def _classify(conn: Any, keys: list[tuple[str, str]]) -> BulkUpsertSummary:
    """Sort the rows of temp.weekly_in into inserted, updated (with before/after) and unchanged.

    Only rows that already exist come back from SQLite (as two integers); the keys are the
    caller's own, so a large all-new or all-unchanged batch builds no per-row result rows.
    """
    import numpy as np

    join = "FROM temp.weekly_in i JOIN main.weekly w ON w.ward_code = i.ward_code AND w.week_start = i.week_start"
    found = np.asarray(conn.execute(f"SELECT i.seq, {_CHANGED} {join}").fetchall(), dtype=np.int64).reshape(-1, 2)
    status = np.zeros(len(keys), dtype=np.int8)  # 0 inserted, 1 updated, 2 unchanged
    status[found[:, 0] - 1] = np.where(found[:, 1] != 0, 1, 2)
    summary = BulkUpsertSummary()
    summary.inserted = [keys[i] for i in np.flatnonzero(status == 0).tolist()]
    summary.unchanged = [keys[i] for i in np.flatnonzero(status == 2).tolist()]
    if (status == 1).any():
        names = ", ".join(f"w.{c}" for c in _VALUE_COLUMNS) + ", " + ", ".join(f"i.{c}" for c in _VALUE_COLUMNS)
        width = len(_VALUE_COLUMNS)
        for row in conn.execute(f"SELECT i.seq, {names} {join} WHERE {_CHANGED} ORDER BY i.seq"):
            before = dict(zip(_VALUE_COLUMNS, row[1 : 1 + width], strict=True))
            after = dict(zip(_VALUE_COLUMNS, row[1 + width :], strict=True))
            summary.updated.append((keys[row[0] - 1], before, after))
    return summary


def _filters(
    ward_codes: Iterable[str] | None, start: dt.date | None, end: dt.date | None
) -> tuple[list[str], list[Any]]:
    """WHERE clauses and parameters for the frame readers' optional ward and date filters."""
    clauses: list[str] = []
    params: list[Any] = []
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
    return clauses, params


def provisional_flags(frame: pd.DataFrame, keys: set[tuple[str, dt.date]]) -> Any:
    """A bool array: which rows of `frame` (ward_code, week_start as datetime64) are in `keys`."""
    import numpy as np
    import pandas as pd

    if not keys or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    wanted = pd.MultiIndex.from_tuples([(c, pd.Timestamp(d)) for c, d in keys])
    return pd.MultiIndex.from_arrays([frame["ward_code"], frame["week_start"]]).isin(wanted)


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

    def history(self, ward_code: str, week_start: dt.date) -> list[dict[str, Any]]:
        """The week's audit rows, oldest first (entered, corrected with why, deleted with why):
        `rrp.reports.corrections.week_history` reads them for people."""
        return audit.history(self.database, "weekly", f"{ward_code}/{week_start.isoformat()}")

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
        """Per ward, per week from `since` to `until`: (all restrictive practice, bed days)."""
        return home.recent_totals(self.database, since=since, until=until)

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

        ward_codes = None if ward_codes is None else list(ward_codes)  # read twice below
        clauses, params = _filters(ward_codes, start, end)
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
        # Saved before the week ended and not since: shown, never charted as a point of the SPC.
        keys = self.provisional_keys(ward_codes, start=start, end=end)
        frame["provisional"] = provisional_flags(frame, keys)
        return frame

    def provisional_rows(
        self,
        ward_codes: Iterable[str] | None = None,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> list[tuple[Any, ...]]:
        """The provisional weeks (saved before they ended, not saved since:
        rrp.models.week_status.is_provisional) as (ward_code, week_start date, *COUNT_FIELDS).

        SQL finds the candidates (saved before the Monday after the week, in UTC: a superset, and
        few rows); the one definition decides.
        """
        clauses, params = _filters(ward_codes, start, end)
        sql = (
            f"SELECT ward_code, week_start, updated_at, {', '.join(COUNT_FIELDS)} FROM weekly "
            "WHERE " + " AND ".join([*clauses, "updated_at < date(week_start, '+7 days')"])
        )
        rows = []
        for code, week, saved, *counts in self.database.conn.execute(sql, params).fetchall():
            monday = dt.date.fromisoformat(week)
            if is_provisional(monday, saved):
                rows.append((code, monday, *counts))
        return rows

    def provisional_keys(
        self, ward_codes: Iterable[str] | None = None, *, start: dt.date | None = None, end: dt.date | None = None
    ) -> set[tuple[str, dt.date]]:
        """(ward_code, week_start) of every provisional week (see `provisional_rows`)."""
        return {(r[0], r[1]) for r in self.provisional_rows(ward_codes, start=start, end=end)}

    def week_totals(self, ward_codes: Iterable[str] | None = None, *, end: dt.date | None = None) -> pd.DataFrame:
        """Per week, the sums over the wards' rows that have bed days (occupied_bed_days > 0), and
        how many such ward-weeks: week_start (datetime64), the four counts, occupied_bed_days,
        wards. The collaborative's aggregate from one row a week (the counts are never blank, so
        every such row counts for every core measure), not from every ward's weeks."""
        import pandas as pd

        ward_codes = None if ward_codes is None else list(ward_codes)  # read twice below
        clauses, params = _filters(ward_codes, None, end)
        sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNT_FIELDS)
        sql = f"SELECT week_start, {sums}, COUNT(*) AS wards FROM weekly WHERE " + " AND ".join(
            [*clauses, "occupied_bed_days > 0"]
        )
        cursor = self.database.conn.execute(sql + " GROUP BY week_start ORDER BY week_start", params)
        columns = [c[0] for c in cursor.description]
        frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
        frame["week_start"] = pd.to_datetime(frame["week_start"], format="%Y-%m-%d")
        for column in (*COUNT_FIELDS, "wards"):
            frame[column] = frame[column].astype("int64")
        # Provisional weeks are not points of any chart (as WeeklyRepository.frame flags them).
        provisional = [r for r in self.provisional_rows(ward_codes, end=end) if r[-1] > 0]
        if provisional:
            taken = pd.DataFrame(provisional, columns=["ward_code", "week_start", *COUNT_FIELDS])
            taken["week_start"] = pd.to_datetime(taken["week_start"])
            taken["wards"] = 1
            less = taken.groupby("week_start")[[*COUNT_FIELDS, "wards"]].sum()
            frame = frame.set_index("week_start")
            frame.loc[less.index, less.columns] -= less
            frame = frame[frame["wards"] > 0].reset_index()
        return frame

    def frame_with_notes(
        self,
        *,
        ward_codes: Iterable[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> pd.DataFrame:
        """`frame()` with a note column (None where a week has no note) before its provisional
        flag, read fast for exports.

        One query; the four counts and bed days travel packed in one integer (the schema's CHECK
        constraints bound them: 0-1000 each, bed days 0-7000) and are unpacked with numpy, so a
        large export builds four Python objects per row instead of eight.
        """
        import numpy as np
        import pandas as pd

        ward_codes = None if ward_codes is None else list(ward_codes)  # read twice below
        clauses, params = _filters(ward_codes, start, end)
        # 64-bit before shifting: PostgreSQL's INTEGER is 32-bit (SQLite's is 64-bit already).
        packed = " | ".join(f"(CAST({c} AS BIGINT) << {10 * i})" for i, c in enumerate(COUNT_FIELDS))
        sql = f"SELECT ward_code, week_start, {packed}, note FROM weekly"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = self.database.conn.execute(sql + " ORDER BY ward_code, week_start", params).fetchall()
        if not rows:
            frame = self.frame(ward_codes=ward_codes, start=start, end=end)
            frame.insert(len(frame.columns) - 1, "note", None)  # frame()'s order: note, provisional
            return frame
        values = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
        notes = [r[3] for r in rows]
        frame = pd.DataFrame({"ward_code": [r[0] for r in rows], "week_start": [r[1] for r in rows]})
        del rows
        for i, column in enumerate(COUNT_FIELDS):
            frame[column] = (values >> (10 * i)) & (0x3FF if i < 4 else 0x1FFF)
        frame["week_start"] = pd.to_datetime(frame["week_start"], format="%Y-%m-%d")
        frame["note"] = notes if any(n is not None for n in notes) else None
        # Flagged as frame() flags them: the exports say which weeks are provisional.
        frame["provisional"] = provisional_flags(frame, self.provisional_keys(ward_codes, start=start, end=end))
        return frame

    # -- writes ----------------------------------------------------------------------------

    def save(
        self,
        counts: WeeklyCounts,
        *,
        expected_version: int | None,
        today: dt.date | None = None,
        reason: str | None = None,
    ) -> StoredWeek:
        """Save one week, as an edit made against `expected_version`.

        `expected_version=None` means the user started from an empty week: if someone else saved
        that week meanwhile, the save is refused (StaleEditError) rather than overwriting theirs.
        Unchanged values write nothing, except to confirm a provisional week (saved before it
        ended, saved again now it has): its `updated_at` then moves on, audited as an update.
        `reason`: why a stored week is corrected (`WeekCorrection`:
        at most 500 characters, never an NHS number; a pydantic ValidationError otherwise), kept
        in the audit row of the change.
        """
        why = None if reason is None else WeekCorrection(reason=reason).reason
        with self.database.transaction():
            self._upsert(counts, expected_version=expected_version, check_version=True, today=today, reason=why)
            stored = self.week(counts.ward_code, counts.week_start)
        assert stored is not None
        return stored

    def delete(self, ward_code: str, week_start: dt.date, *, reason: str, expected_version: int) -> None:
        """Delete one week of counts, as an edit made against `expected_version`, with a reason.

        For a week entered by mistake (the wrong ward, a week the ward was closed). `reason` is
        free text (`WeekDeletion`: required, at most 500 characters, never an NHS number); it is
        kept in the audit row with the deleted counts, and the ward's next submission carries the
        deletion to the facilitator (rrp.exchange.submission).

        Raises: pydantic ValidationError (the reason is empty or refused: show it beside the
        field); UnknownRecord (no such week: someone else deleted it); StaleEditError (it was
        saved by someone else since `expected_version`: reload before deleting); ConstraintError
        (a per-bed-days measure value relies on the week: delete that value first).
        """
        why = WeekDeletion(reason=reason).reason
        key = f"{ward_code}/{week_start.isoformat()}"
        with self.database.transaction():
            current = self.database.query_one(
                _SELECT + " WHERE ward_code = ? AND week_start = ?", (ward_code, week_start.isoformat())
            )
            if current is None:
                raise UnknownRecord(
                    f"The week of {week_start:%d %b %Y} for {ward_code} is not there (deleted meanwhile?); "
                    "nothing was deleted."
                )
            if current["version"] != expected_version:
                raise StaleEditError(
                    f"The week of {week_start:%d %b %Y} for {ward_code} was saved by "
                    f"{current['updated_by']} at {local_time_text(current['updated_at'])} since you opened it; "
                    "nothing was deleted. Reload to see it first."
                )
            self.database.conn.execute(
                "DELETE FROM weekly WHERE ward_code = ? AND week_start = ? AND version = ?",
                (ward_code, week_start.isoformat(), expected_version),
            )
            # The audit row keeps the counts deleted (before) and why (after): a submission reads
            # its deletions from here.
            audit.record(
                self.database, "weekly", key, "delete",
                {name: current[name] for name in _COLUMNS}, {"reason": why},
            )

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

    def upsert_rows(
        self,
        rows: Iterable[tuple[Any, ...]],
        *,
        keep_stored_notes: bool = False,
        today: dt.date | None = None,
        dry_run: bool = False,
    ) -> BulkUpsertSummary:
        """Upsert many validated weeks set-based, in ONE transaction: all land, or none do.

        Rows are (ward_code, week_start ISO, restraint, prone, seclusion, rt, bed_days, note), each
        (ward, week) once. The same outcome as `save_many`, row for row: a new week is inserted, a
        changed week updated with its version bumped, an unchanged week left alone, and one audit
        row per insert or update (who, when, before, after). With `keep_stored_notes` a stored note
        is kept (a file without a note column). The store trusts no caller: rows for an unknown or
        inactive ward, a future week or bed days over beds x 7 refuse the whole batch, and the
        schema's CHECK constraints and triggers check every row. `dry_run` classifies only.
        """
        conn = self.database.conn
        if dry_run:
            conn.execute("BEGIN")  # temp tables only: takes no write lock on the database
            try:
                return self._bulk(conn, rows, keep_stored_notes, today, write=False)
            finally:
                conn.execute("ROLLBACK")
        with self.database.transaction():
            return self._bulk(conn, rows, keep_stored_notes, today, write=True)

    def _bulk(
        self,
        conn: Any,
        rows: Iterable[tuple[Any, ...]],
        keep_stored_notes: bool,
        today: dt.date | None,
        *,
        write: bool,
    ) -> BulkUpsertSummary:
        conn.execute("DROP TABLE IF EXISTS temp.weekly_in")
        conn.execute(
            "CREATE TEMP TABLE weekly_in (seq INTEGER PRIMARY KEY, ward_code TEXT NOT NULL, "
            "week_start TEXT NOT NULL, restraint INTEGER, prone_restraint INTEGER, seclusion INTEGER, "
            "rapid_tranquillisation INTEGER, occupied_bed_days INTEGER, note TEXT, "
            "UNIQUE (ward_code, week_start))"
        )
        keys: list[tuple[str, str]] = []  # (ward_code, week_start) of each row, in order: seq - 1

        def remembered() -> Iterable[tuple[Any, ...]]:
            append = keys.append
            for row in rows:
                append((row[0], row[1]))
                yield row

        try:
            conn.executemany(
                "INSERT INTO temp.weekly_in (ward_code, week_start, restraint, prone_restraint, seclusion, "
                "rapid_tranquillisation, occupied_bed_days, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                remembered(),
            )
        except self.database.integrity_error as exc:
            raise ConstraintError(f"The same ward and week appear twice in one batch ({exc})") from None
        if keep_stored_notes:
            conn.execute(
                "UPDATE temp.weekly_in SET note = (SELECT w.note FROM main.weekly w "
                "WHERE w.ward_code = weekly_in.ward_code AND w.week_start = weekly_in.week_start)"
            )
        self._check_bulk(conn, today)
        summary = _classify(conn, keys)
        if write and (summary.inserted or summary.updated):
            now, who = self.database.clock(), self.database.who
            # Audit first, while the stored rows still hold the "before" values.
            conn.execute(
                "INSERT INTO audit (at, who, table_name, row_key, action, before, after) "
                "SELECT ?, ?, 'weekly', i.ward_code || '/' || i.week_start, "
                "CASE WHEN w.ward_code IS NULL THEN 'insert' ELSE 'update' END, "
                f"CASE WHEN w.ward_code IS NULL THEN NULL ELSE {_json_object('w')} END, {_json_object('i')} "
                "FROM temp.weekly_in i LEFT JOIN main.weekly w "
                "ON w.ward_code = i.ward_code AND w.week_start = i.week_start "
                f"WHERE w.ward_code IS NULL OR {_CHANGED} ORDER BY i.seq",
                (now, who),
            )
            assignments = ", ".join(f"{c} = excluded.{c}" for c in _VALUE_COLUMNS)
            changed = " OR ".join(f"weekly.{c} IS NOT excluded.{c}" for c in _VALUE_COLUMNS)
            conn.execute(
                f"INSERT INTO main.weekly ({', '.join(_COLUMNS)}, updated_at, updated_by) "
                f"SELECT {', '.join(_COLUMNS)}, ?, ? FROM temp.weekly_in WHERE true ORDER BY seq "
                f"ON CONFLICT (ward_code, week_start) DO UPDATE SET {assignments}, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
                f"version = weekly.version + 1 WHERE {changed}",
                (now, who),
            )
        conn.execute("DROP TABLE temp.weekly_in")
        return summary

    def _check_bulk(self, conn: Any, today: dt.date | None) -> None:
        """Refuse the batch if any row breaks a rule against the wards as stored now."""
        monday = monday_of(today or dt.date.today()).isoformat()
        bad = conn.execute(
            "SELECT i.ward_code, i.week_start, w.code IS NULL, w.active, i.occupied_bed_days, w.beds "
            "FROM temp.weekly_in i LEFT JOIN main.ward w ON w.code = i.ward_code "
            "WHERE w.code IS NULL OR w.active = 0 OR i.occupied_bed_days > w.beds * 7 OR i.week_start > ? "
            "ORDER BY i.seq LIMIT 1",
            (monday,),
        ).fetchone()
        if bad is None:
            return
        code, week, unknown, active, bed_days, beds = bad
        if unknown:
            raise UnknownRecord(f"Ward {code} is not in the collaborative's registry; nothing was saved")
        if not active:
            raise ConstraintError(f"Ward {code} is no longer active in the collaborative; nothing was saved")
        if week > monday:
            raise ConstraintError(f"Week start {week} ({code}) is in the future; nothing was saved")
        raise ConstraintError(
            f"Occupied bed days ({bed_days}) for {code} week {week} exceed beds x 7 ({beds * 7}); nothing was saved"
        )

    def _upsert(
        self,
        counts: WeeklyCounts,
        *,
        expected_version: int | None,
        check_version: bool,
        today: dt.date | None,
        reason: str | None = None,
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
                f"{current['updated_by']} at {local_time_text(current['updated_at'])} while you were editing. "
                "Your figures are still on screen: reload to see theirs, then save again."
            )
        # An unchanged week is written again only to confirm it: saved before it ended, saved
        # again (from the form) after it ended (rrp.models.week_status.is_provisional).
        confirms = check_version and is_provisional(counts.week_start, current["updated_at"]) and not is_provisional(
            counts.week_start, now
        )
        if before == values and not confirms:
            return "unchanged"
        assignments = ", ".join(f"{name} = ?" for name in values)
        conn.execute(
            f"UPDATE weekly SET {assignments}, updated_at = ?, updated_by = ?, version = version + 1 "
            "WHERE ward_code = ? AND week_start = ? AND version = ?",
            (*values.values(), now, who, counts.ward_code, counts.week_start.isoformat(), current["version"]),
        )
        # The reason rides in the audit row's after, beside the values (the week has no column for it).
        audit.record(self.database, "weekly", key, "update", before, values if reason is None else {**values, "reason": reason})
        return "updated"

    def _ward(self, code: str) -> Ward:
        ward = RegistryRepository(self.database).ward(code)
        if ward is None:
            raise UnknownRecord(f"Ward {code} is not in the collaborative's registry")
        return ward
