"""The family of measures: definitions (table `measure`) and values (table `measure_value`).

Versioned and audited like the weekly counts: an edit is made against a version and refused when
someone else saved in between (StaleEditError); every insert and update writes an audit row (who,
when, before, after). The four core outcome measures' counts stay in the `weekly` table (their
`column_name`); values of every other measure are here. The schema's triggers repeat every rule.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from rrp.models.measure import Measure, MeasureSet
from rrp.models.measure_value import MeasureValue, validate_value
from rrp.models.when import local_time_text
from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import ConstraintError, FieldRefused, StaleEditError, UnknownRecord

if TYPE_CHECKING:
    import pandas as pd

    from rrp.models.weekly import StoredWeek, WeeklyCounts
    from rrp.store.weekly import WeeklyRepository

#: The measure table's definition columns (the model's fields), then the bookkeeping.
_MEASURE_COLUMNS = tuple(Measure.model_fields)
_MEASURE_SELECT = f"SELECT {', '.join(_MEASURE_COLUMNS)}, version, updated_at, updated_by FROM measure"
_VALUE_COLUMNS = ("ward_code", "measure_code", "period_start", "numerator", "denominator")
_VALUE_SELECT = f"SELECT {', '.join(_VALUE_COLUMNS)}, version, updated_at, updated_by FROM measure_value"


@dataclass(frozen=True)
class StoredMeasure:
    """A measure as stored, with who last changed it, when, and the version an edit is made against."""

    measure: Measure
    version: int
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class StoredValue:
    value: MeasureValue
    version: int
    updated_at: str
    updated_by: str


@dataclass
class SaveResult:
    """What a batch save did, by key (a measure code, or ward/measure/period)."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def measure_row(measure: Measure) -> dict[str, Any]:
    """A measure as the measure table's columns."""
    data = measure.model_dump(mode="json")
    data["sum_of"] = json.dumps(list(measure.sum_of)) if measure.sum_of else None
    data["enabled"] = int(measure.enabled)
    return {name: data[name] for name in _MEASURE_COLUMNS}


def _measure(row: dict[str, Any]) -> Measure:
    values = {name: row[name] for name in _MEASURE_COLUMNS}
    values["sum_of"] = json.loads(values["sum_of"]) if values["sum_of"] else ()
    values["enabled"] = bool(values["enabled"])
    return Measure.model_validate(values)


def _value_row(value: MeasureValue) -> dict[str, Any]:
    return {
        "ward_code": value.ward_code,
        "measure_code": value.measure_code,
        "period_start": value.period_start.isoformat(),
        "numerator": value.numerator,
        "denominator": value.denominator,
    }


def _stored_value(row: dict[str, Any]) -> StoredValue:
    value = MeasureValue.model_construct(
        ward_code=row["ward_code"], measure_code=row["measure_code"],
        period_start=dt.date.fromisoformat(row["period_start"]),
        numerator=row["numerator"], denominator=row["denominator"],
    )
    return StoredValue(value, row["version"], row["updated_at"], row["updated_by"])


def _dependency_order(measures: Iterable[Measure]) -> list[Measure]:
    """Wholes before their parts, sums last: the order the foreign keys and triggers need."""
    items = list(measures)
    by_code = {m.code: m for m in items}

    def depth(m: Measure) -> int:
        steps = 0
        while m.part_of in by_code and steps < len(items):
            m = by_code[m.part_of]
            steps += 1
        return steps

    return sorted(items, key=lambda m: (bool(m.sum_of), depth(m)))


class MeasureRepository:
    """Reads and writes measure definitions, their values and wards' own targets."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- definitions -----------------------------------------------------------------------

    def stored(self) -> list[StoredMeasure]:
        rows = self.database.query(_MEASURE_SELECT + " ORDER BY position, code")
        return [StoredMeasure(_measure(r), r["version"], r["updated_at"], r["updated_by"]) for r in rows]

    def all(self) -> MeasureSet:
        """Every measure (the collaborative's and wards' local ones), as a checked set."""
        return MeasureSet(s.measure for s in self.stored())

    def get(self, code: str) -> StoredMeasure | None:
        row = self.database.query_one(_MEASURE_SELECT + " WHERE code = ?", (code,))
        return None if row is None else StoredMeasure(_measure(row), row["version"], row["updated_at"], row["updated_by"])

    def save(self, measure: Measure, *, expected_version: int | None) -> StoredMeasure:
        """Save one measure, as an edit made against `expected_version` (None: a new measure)."""
        with self.database.transaction():
            self._save(measure, expected_version=expected_version, check_version=True)
        stored = self.get(measure.code)
        assert stored is not None
        return stored

    def save_many(self, measures: Iterable[Measure]) -> SaveResult:
        """Add or update many measures in ONE transaction (an import): all land, or none do.

        Measures not named are left as they are; the whole set must still hold together.
        """
        result = SaveResult()
        with self.database.transaction():
            items = list(measures)
            self.all().replace(items)  # raises MeasureSetError before anything is written
            for measure in _dependency_order(items):
                outcome = self._save(measure, expected_version=None, check_version=False)
                getattr(result, outcome).append(measure.code)
        return result

    def _save(self, measure: Measure, *, expected_version: int | None, check_version: bool) -> str:
        measure = Measure.model_validate(measure.model_dump())  # the store trusts no caller
        if measure.ward_code is not None and self.database.query_one(
            "SELECT 1 AS x FROM ward WHERE code = ?", (measure.ward_code,)
        ) is None:
            raise UnknownRecord(f"Ward {measure.ward_code} is not in the collaborative's registry")
        if check_version:
            self.all().replace([measure])
        values = measure_row(measure)
        current = self.database.query_one(_MEASURE_SELECT + " WHERE code = ?", (measure.code,))
        now, who = self.database.clock(), self.database.who
        conn = self.database.conn
        if current is None:
            if check_version and expected_version is not None:
                raise StaleEditError(f"Measure {measure.code} was deleted since you opened it; nothing was saved.")
            conn.execute(
                f"INSERT INTO measure ({', '.join(values)}, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                (*values.values(), now, who),
            )
            audit.record(self.database, "measure", measure.code, "insert", None, values)
            return "inserted"
        before = {name: current[name] for name in _MEASURE_COLUMNS}
        if check_version and current["version"] != expected_version:
            raise StaleEditError(
                f"Measure {measure.code} was saved by {current['updated_by']} at {local_time_text(current['updated_at'])} "
                "while you were editing. Reload to see theirs, then save again."
            )
        if before == values:
            return "unchanged"
        assignments = ", ".join(f"{name} = ?" for name in values)
        conn.execute(
            f"UPDATE measure SET {assignments}, updated_at = ?, updated_by = ?, version = version + 1 "
            "WHERE code = ? AND version = ?",
            (*values.values(), now, who, measure.code, current["version"]),
        )
        audit.record(self.database, "measure", measure.code, "update", before, values)
        return "updated"

    # -- values ----------------------------------------------------------------------------

    def value(self, ward_code: str, measure_code: str, period_start: dt.date) -> StoredValue | None:
        row = self.database.query_one(
            _VALUE_SELECT + " WHERE ward_code = ? AND measure_code = ? AND period_start = ?",
            (ward_code, measure_code, period_start.isoformat()),
        )
        return None if row is None else _stored_value(row)

    def save_value(self, value: MeasureValue, *, expected_version: int | None) -> StoredValue:
        """Save one value, as an edit made against `expected_version` (None: a new value)."""
        with self.database.transaction():
            self._save_value(value, expected_version=expected_version, check_version=True)
        stored = self.value(value.ward_code, value.measure_code, value.period_start)
        assert stored is not None
        return stored

    def save_values(self, values: Iterable[MeasureValue]) -> SaveResult:
        """Upsert many values in ONE transaction (an import): all land, or none do.

        Wholes are written before their parts, so a file may hold both for the same period.
        """
        measures = self.all()
        items = list(values)
        depth = {m.code: i for i, m in enumerate(_dependency_order(measures))}
        items.sort(key=lambda v: depth.get(v.measure_code, 0))
        result = SaveResult()
        with self.database.transaction():
            for value in items:
                outcome = self._save_value(
                    value, expected_version=None, check_version=False, measure=measures.get(value.measure_code)
                )
                getattr(result, outcome).append(
                    f"{value.ward_code}/{value.measure_code}/{value.period_start.isoformat()}"
                )
        return result

    def _save_value(
        self,
        value: MeasureValue,
        *,
        expected_version: int | None,
        check_version: bool,
        measure: Measure | None = None,
        reason: str | None = None,
    ) -> str:
        if measure is None:
            stored = self.get(value.measure_code)
            measure = None if stored is None else stored.measure
        if measure is None:
            raise UnknownRecord(f"Measure {value.measure_code} is not defined")
        if measure.column_backed or measure.derived:
            raise ConstraintError(
                f"{value.measure_code} is {'kept in the weekly counts' if measure.column_backed else 'derived'}; "
                "it has no values of its own"
            )
        key = f"{value.ward_code}/{value.measure_code}/{value.period_start.isoformat()}"
        values = _value_row(value)
        params = (value.ward_code, value.measure_code, value.period_start.isoformat())
        current = self.database.query_one(
            _VALUE_SELECT + " WHERE ward_code = ? AND measure_code = ? AND period_start = ?", params
        )
        now, who = self.database.clock(), self.database.who
        conn = self.database.conn
        if current is None:
            if check_version and expected_version is not None:
                raise StaleEditError(f"{key} was deleted since you opened it; nothing was saved.")
            conn.execute(
                f"INSERT INTO measure_value ({', '.join(values)}, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                (*values.values(), now, who),
            )
            audit.record(self.database, "measure_value", key, "insert", None, values)
            return "inserted"
        before = {name: current[name] for name in _VALUE_COLUMNS}
        if check_version and current["version"] != expected_version:
            raise StaleEditError(
                f"{key} was saved by {current['updated_by']} at {local_time_text(current['updated_at'])} while you were "
                "editing. Your figures are still on screen: reload to see theirs, then save again."
            )
        if before == values:
            return "unchanged"
        conn.execute(
            "UPDATE measure_value SET numerator = ?, denominator = ?, updated_at = ?, updated_by = ?, "
            "version = version + 1 WHERE ward_code = ? AND measure_code = ? AND period_start = ? AND version = ?",
            (values["numerator"], values["denominator"], now, who, *params, current["version"]),
        )
        audit.record(
            self.database, "measure_value", key, "update", before, values if reason is None else {**values, "reason": reason}
        )
        return "updated"

    def period_values(self, ward_code: str, period_start: dt.date) -> dict[str, StoredValue]:
        """The ward's stored values for one period (a week's Monday or a month's 1st), by measure code."""
        rows = self.database.query(
            _VALUE_SELECT + " WHERE ward_code = ? AND period_start = ?", (ward_code, period_start.isoformat())
        )
        return {r["measure_code"]: _stored_value(r) for r in rows}

    def save_entry(
        self,
        values: Iterable[tuple[MeasureValue, int | None]],
        *,
        counts: WeeklyCounts | None = None,
        expected_week_version: int | None = None,
        today: dt.date | None = None,
        weekly: WeeklyRepository | None = None,
        reason: str | None = None,
    ) -> tuple[StoredWeek | None, dict[str, StoredValue]]:
        """One entry form's save in ONE transaction: a week's core counts (if given), then each
        measure value as an edit against its version (None: a new value). All land, or none do.

        The week goes first: a per-bed-days value needs its bed days, a part its whole. A value
        the rules or the database refuse raises FieldRefused naming the measure's code; a stale
        edit raises StaleEditError. Returns the stored week (or None) and the stored values.
        `weekly`: the store's weekly repository (`Store.save_entry` passes its own). `reason`: why
        stored figures are corrected, kept in the audit row of each change (the week's and each
        value's).
        """
        from rrp.models.weekly import WeekCorrection
        from rrp.store.weekly import WeeklyRepository

        weekly = weekly or WeeklyRepository(self.database)
        reason = None if reason is None else WeekCorrection(reason=reason).reason  # before anything is written
        items = list(values)
        measures = self.all()
        depth = {m.code: i for i, m in enumerate(_dependency_order(measures))}
        items.sort(key=lambda item: depth.get(item[0].measure_code, 0))
        stored_week = None
        with self.database.transaction():
            if counts is not None:
                stored_week = weekly.save(
                    counts, expected_version=expected_week_version, today=today, reason=reason
                )
            for value, expected in items:
                measure = measures.get(value.measure_code)
                if measure is None:
                    raise FieldRefused(value.measure_code, f"Measure {value.measure_code} is not defined")
                if measure.ward_code is not None and measure.ward_code != value.ward_code:
                    raise FieldRefused(value.measure_code, f"{measure.code} is ward {measure.ward_code}'s own measure")
                try:
                    # The store trusts no caller: the value's own rules again, then the triggers.
                    checked = validate_value(value.model_dump(), measure=measure, today=today)
                    self._save_value(
                        checked, expected_version=expected, check_version=True, measure=measure, reason=reason
                    )
                except ValidationError as exc:
                    message = "; ".join(str(e.get("msg", "invalid")) for e in exc.errors())
                    raise FieldRefused(measure.code, f"{measure.label}: {message}") from exc
                except self.database.integrity_error as exc:  # sqlite3's or PostgreSQL's refusal
                    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise FieldRefused(measure.code, f"{measure.label}: the database refused it ({reason})") from exc
                except ConstraintError as exc:
                    raise FieldRefused(measure.code, f"{measure.label}: {exc}") from exc
        saved = self.period_values(items[0][0].ward_code, items[0][0].period_start) if items else {}
        return stored_week, saved

    def values_frame(
        self,
        *,
        ward_codes: Iterable[str] | None = None,
        measure_codes: Iterable[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> pd.DataFrame:
        """Stored values as a DataFrame: ward_code, measure_code, period_start (datetime64),
        numerator, denominator; ordered by ward, measure and period."""
        import pandas as pd  # deferred: keeps the app's start-up path free of pandas

        clauses: list[str] = []
        params: list[Any] = []
        for column, codes in (("ward_code", ward_codes), ("measure_code", measure_codes)):
            if codes is not None:
                codes = list(codes)
                clauses.append(f"{column} IN ({','.join('?' * len(codes))})")
                params += codes
        if start is not None:
            clauses.append("period_start >= ?")
            params.append(start.isoformat())
        if end is not None:
            clauses.append("period_start <= ?")
            params.append(end.isoformat())
        sql = f"SELECT {', '.join(_VALUE_COLUMNS)} FROM measure_value"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        rows = self.database.conn.execute(sql + " ORDER BY ward_code, measure_code, period_start", params).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=list(_VALUE_COLUMNS))
        # Counts stay ints beside a value measure's decimals (pandas would make them all floats).
        frame["numerator"] = pd.Series([r[3] for r in rows], dtype=object)
        frame["period_start"] = pd.to_datetime(frame["period_start"], format="%Y-%m-%d")
        frame["denominator"] = frame["denominator"].astype("Int64")
        return frame

    # -- a ward's own targets -------------------------------------------------------------

    def ward_targets(self, ward_code: str) -> dict[str, float]:
        """The ward's own aim_target per measure code (the collaborative's is Measure.aim_target)."""
        rows = self.database.query(
            "SELECT measure_code, aim_target FROM measure_target WHERE ward_code = ?", (ward_code,)
        )
        return {r["measure_code"]: float(r["aim_target"]) for r in rows}

    def all_ward_targets(self, ward_code: str | None = None) -> dict[str, dict[str, float]]:
        """Every ward's own targets (or one ward's): measure code -> ward code -> aim_target."""
        sql = "SELECT ward_code, measure_code, aim_target FROM measure_target"
        params: tuple[Any, ...] = ()
        if ward_code:
            sql += " WHERE ward_code = ?"
            params = (ward_code,)
        out: dict[str, dict[str, float]] = {}
        for r in self.database.query(sql, params):
            out.setdefault(r["measure_code"], {})[r["ward_code"]] = float(r["aim_target"])
        return out

    def set_ward_target(self, ward_code: str, measure_code: str, target: float | None) -> bool:
        """Set (or with None, clear) a ward's own target; returns True when it changed (audited)."""
        key = f"{ward_code}/{measure_code}"
        with self.database.transaction() as conn:
            current = self.database.query_one(
                "SELECT aim_target FROM measure_target WHERE ward_code = ? AND measure_code = ?", (ward_code, measure_code)
            )
            before = None if current is None else {"aim_target": current["aim_target"]}
            after = None if target is None else {"aim_target": float(target)}
            if before == after:
                return False
            if target is None:
                conn.execute("DELETE FROM measure_target WHERE ward_code = ? AND measure_code = ?", (ward_code, measure_code))
                audit.record(self.database, "measure_target", key, "delete", before, None)
            elif current is None:
                conn.execute(
                    "INSERT INTO measure_target (ward_code, measure_code, aim_target, updated_at, updated_by) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (ward_code, measure_code, float(target), self.database.clock(), self.database.who),
                )
                audit.record(self.database, "measure_target", key, "insert", None, after)
            else:
                conn.execute(
                    "UPDATE measure_target SET aim_target = ?, updated_at = ?, updated_by = ?, version = version + 1 "
                    "WHERE ward_code = ? AND measure_code = ?",
                    (float(target), self.database.clock(), self.database.who, ward_code, measure_code),
                )
                audit.record(self.database, "measure_target", key, "update", before, after)
        return True


def load_shipped_measures(store_or_database: Any) -> int:
    """The `rrp init` hook: add data/measures.toml's measures that the database lacks.

    Measures already stored are left as the facilitator edited them; returns how many were added.
    """
    from rrp.models.measure_file import parse_measures
    from rrp.paths import DATA_DIR

    database = getattr(store_or_database, "database", store_or_database)
    repository = MeasureRepository(database)
    stored = repository.all()
    shipped = parse_measures((DATA_DIR / "measures.toml").read_text(encoding="utf-8"), base=stored)
    missing = [m for m in shipped if m.code not in stored]
    if not missing:
        return 0
    return len(repository.save_many(missing).inserted)
