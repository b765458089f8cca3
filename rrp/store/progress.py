"""Monthly progress scores: one row per ward per month, versioned and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from rrp.models.fields import STORED
from rrp.models.progress import ProgressScore, StoredProgressScore
from rrp.models.when import local_time_text
from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import StaleEditError, UnknownRecord

_COLUMNS = ("ward_code", "month", "score", "note")
_SELECT = "SELECT ward_code, month, score, note, version, updated_at, updated_by FROM progress_score"


def _values(score: ProgressScore) -> dict[str, Any]:
    data = score.model_dump(mode="json")
    return {name: data[name] for name in _COLUMNS}


def _stored(row: dict[str, Any]) -> StoredProgressScore:
    return StoredProgressScore(
        score=ProgressScore.model_validate({name: row[name] for name in _COLUMNS}, context=STORED),
        version=row["version"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


class ProgressRepository:
    """Reads and writes progress scores."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, ward_code: str, month: dt.date) -> StoredProgressScore | None:
        row = self.database.query_one(
            _SELECT + " WHERE ward_code = ? AND month = ?",
            (ward_code.strip().upper(), month.replace(day=1).isoformat()),
        )
        return _stored(row) if row else None

    def history(self, ward_code: str) -> list[StoredProgressScore]:
        """A ward's scores, oldest month first."""
        rows = self.database.query(
            _SELECT + " WHERE ward_code = ? ORDER BY month", (ward_code.strip().upper(),)
        )
        return [_stored(row) for row in rows]

    def latest(self) -> dict[str, StoredProgressScore]:
        """Each ward's most recent score (wards never scored are absent)."""
        rows = self.database.query(
            _SELECT + " WHERE (ward_code, month) IN "
            "(SELECT ward_code, max(month) FROM progress_score GROUP BY ward_code) ORDER BY ward_code"
        )
        return {row["ward_code"]: _stored(row) for row in rows}

    def latest_scores(self) -> dict[str, tuple[dt.date, float]]:
        """Each ward's most recent score as (month, score), plain (as `latest`, no models)."""
        rows = self.database.query(
            "SELECT ward_code, month, score FROM progress_score WHERE (ward_code, month) IN "
            "(SELECT ward_code, max(month) FROM progress_score GROUP BY ward_code) ORDER BY ward_code"
        )
        return {row["ward_code"]: (dt.date.fromisoformat(row["month"]), float(row["score"])) for row in rows}

    def for_month(self, month: dt.date) -> list[StoredProgressScore]:
        rows = self.database.query(
            _SELECT + " WHERE month = ? ORDER BY ward_code", (month.replace(day=1).isoformat(),)
        )
        return [_stored(row) for row in rows]

    def record(self, score: ProgressScore, *, expected_version: int | None) -> StoredProgressScore:
        """Record a ward's score for a month (expected_version None: a new score for that month).

        A stale edit (someone scored the same ward and month meanwhile) is refused.
        """
        score = ProgressScore.model_validate(score.model_dump())
        values = _values(score)
        now, who = self.database.clock(), self.database.who
        key = f"{score.ward_code}/{values['month']}"
        with self.database.transaction() as conn:
            if self.database.query_one("SELECT 1 AS x FROM ward WHERE code = ?", (score.ward_code,)) is None:
                raise UnknownRecord(f"Ward {score.ward_code} is not in the collaborative's registry")
            current = self.database.query_one(
                _SELECT + " WHERE ward_code = ? AND month = ?", (score.ward_code, values["month"])
            )
            if current is None:
                if expected_version is not None:
                    raise StaleEditError(f"The score for {key} was deleted since you opened it")
                conn.execute(
                    "INSERT INTO progress_score (ward_code, month, score, note, updated_at, updated_by) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (*values.values(), now, who),
                )
                audit.record(self.database, "progress_score", key, "insert", None, values)
            else:
                if current["version"] != expected_version:
                    raise StaleEditError(
                        f"{score.ward_code} was already scored for {score.month:%B %Y} by "
                        f"{current['updated_by']} at {local_time_text(current['updated_at'])}; reload to see it."
                    )
                before = {name: current[name] for name in _COLUMNS}
                if before != values:
                    conn.execute(
                        "UPDATE progress_score SET score = ?, note = ?, updated_at = ?, updated_by = ?, "
                        "version = version + 1 WHERE ward_code = ? AND month = ? AND version = ?",
                        (values["score"], values["note"], now, who, score.ward_code, values["month"],
                         current["version"]),
                    )
                    audit.record(self.database, "progress_score", key, "update", before, values)
        stored = self.get(score.ward_code, score.month)
        assert stored is not None
        return stored

    def delete(self, ward_code: str, month: dt.date, *, expected_version: int) -> None:
        key = f"{ward_code}/{month.replace(day=1).isoformat()}"
        with self.database.transaction() as conn:
            current = self.database.query_one(
                _SELECT + " WHERE ward_code = ? AND month = ?", (ward_code, month.replace(day=1).isoformat())
            )
            if current is None:
                raise UnknownRecord(f"There is no score for {key}")
            if current["version"] != expected_version:
                raise StaleEditError(f"The score for {key} was changed meanwhile; reload it and try again.")
            conn.execute(
                "DELETE FROM progress_score WHERE ward_code = ? AND month = ?",
                (ward_code, month.replace(day=1).isoformat()),
            )
            audit.record(
                self.database, "progress_score", key, "delete", {n: current[n] for n in _COLUMNS}, None
            )

    def bulk_load(self, scores: Iterable[ProgressScore], *, source: str) -> int:
        """Insert many new scores in one transaction with one audit row (generated data)."""
        rows = [_values(s) for s in scores]
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            conn.executemany(
                "INSERT INTO progress_score (ward_code, month, score, note, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(*row.values(), now, who) for row in rows],
            )
            audit.record(
                self.database, "progress_score", "*", "bulk", None, {"rows": len(rows), "source": source}
            )
        return len(rows)
