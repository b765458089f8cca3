"""Annotations on charts (notes, rebases, PDSA events): versioned, audited, free text guarded."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable
from typing import Any

from rrp.models.annotation import Annotation, AnnotationKind, StoredAnnotation
from rrp.models.fields import STORED
from rrp.models.when import local_time_text
from rrp.store import audit
from rrp.store.database import Database
from rrp.store.errors import StaleEditError, UnknownRecord

_COLUMNS = ("id", "ward_code", "on_date", "kind", "measure", "text", "pdsa_cycle_id")
_SELECT = f"SELECT {', '.join(_COLUMNS)}, version, updated_at, updated_by FROM annotation"


def _values(annotation: Annotation) -> dict[str, Any]:
    data = annotation.model_dump(mode="json")
    return {name: data[name] for name in _COLUMNS}


def _stored(row: dict[str, Any]) -> StoredAnnotation:
    return StoredAnnotation(
        annotation=Annotation.model_validate({name: row[name] for name in _COLUMNS}, context=STORED),
        version=row["version"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


class AnnotationRepository:
    """Reads and writes annotations. Every write is one transaction with an audit row."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- reads -----------------------------------------------------------------------------

    def get(self, annotation_id: str) -> StoredAnnotation | None:
        row = self.database.query_one(_SELECT + " WHERE id = ?", (annotation_id,))
        return _stored(row) if row else None

    def list(
        self,
        ward_code: str | None,
        *,
        kinds: Iterable[AnnotationKind | str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> builtins.list[StoredAnnotation]:
        """A ward's annotations (ward_code None: the collaborative chart's own), oldest first."""
        clauses = ["ward_code IS ?"]
        params: builtins.list[Any] = [ward_code.strip().upper() if ward_code else None]
        if kinds is not None:
            wanted = [AnnotationKind(k).value for k in kinds]
            clauses.append(f"kind IN ({','.join('?' * len(wanted))})")
            params += wanted
        if start is not None:
            clauses.append("on_date >= ?")
            params.append(start.isoformat())
        if end is not None:
            clauses.append("on_date <= ?")
            params.append(end.isoformat())
        rows = self.database.query(
            _SELECT + " WHERE " + " AND ".join(clauses) + " ORDER BY on_date, rowid", params
        )
        return [_stored(row) for row in rows]

    def rebase_points(self, ward_code: str | None = None) -> dict[Any, builtins.list[dt.date]]:
        """Every ward's rebases (kind 'rebase'), or one ward's: a ward code (every measure) or a
        (ward code, measure) pair -> dates, as rrp.reports.figures.ward_figures takes them."""
        sql = "SELECT ward_code, measure, on_date FROM annotation WHERE kind = 'rebase' AND ward_code IS NOT NULL"
        params: builtins.list[Any] = []
        if ward_code:
            sql += " AND ward_code = ?"
            params.append(ward_code.strip().upper())
        points: dict[Any, builtins.list[dt.date]] = {}
        for row in self.database.query(sql + " ORDER BY on_date, rowid", params):
            key = row["ward_code"] if row["measure"] is None else (row["ward_code"], row["measure"])
            points.setdefault(key, []).append(dt.date.fromisoformat(row["on_date"]))
        return points

    def for_cycle(self, cycle_id: str) -> builtins.list[StoredAnnotation]:
        rows = self.database.query(_SELECT + " WHERE pdsa_cycle_id = ? ORDER BY on_date, rowid", (cycle_id,))
        return [_stored(row) for row in rows]

    # -- writes ----------------------------------------------------------------------------

    def add(self, annotation: Annotation) -> StoredAnnotation:
        """Insert a new annotation (validated again here: the store trusts no caller)."""
        annotation = Annotation.model_validate(annotation.model_dump())
        values = _values(annotation)
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            if annotation.ward_code is not None and self.database.query_one(
                "SELECT 1 AS x FROM ward WHERE code = ?", (annotation.ward_code,)
            ) is None:
                raise UnknownRecord(f"Ward {annotation.ward_code} is not in the collaborative's registry")
            conn.execute(
                f"INSERT INTO annotation ({', '.join(values)}, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(values))}, ?, ?)",
                (*values.values(), now, who),
            )
            audit.record(self.database, "annotation", annotation.id, "insert", None, values)
        stored = self.get(annotation.id)
        assert stored is not None
        return stored

    def update(self, annotation: Annotation, *, expected_version: int) -> StoredAnnotation:
        """Change an annotation's date, measure or text; refused when someone saved it meanwhile."""
        annotation = Annotation.model_validate(annotation.model_dump())
        values = _values(annotation)
        with self.database.transaction() as conn:
            current = self.database.query_one(_SELECT + " WHERE id = ?", (annotation.id,))
            if current is None:
                raise StaleEditError("This annotation was deleted since you opened it; nothing was saved.")
            self._check_version(current, expected_version)
            before = {name: current[name] for name in _COLUMNS}
            if before != values:
                assignments = ", ".join(f"{name} = ?" for name in values if name != "id")
                conn.execute(
                    f"UPDATE annotation SET {assignments}, updated_at = ?, updated_by = ?, "
                    "version = version + 1 WHERE id = ? AND version = ?",
                    (
                        *(v for k, v in values.items() if k != "id"),
                        self.database.clock(),
                        self.database.who,
                        annotation.id,
                        current["version"],
                    ),
                )
                audit.record(self.database, "annotation", annotation.id, "update", before, values)
        stored = self.get(annotation.id)
        assert stored is not None
        return stored

    def delete(self, annotation_id: str, *, expected_version: int) -> None:
        """Delete an annotation; refused when someone changed it since it was loaded."""
        with self.database.transaction() as conn:
            current = self.database.query_one(_SELECT + " WHERE id = ?", (annotation_id,))
            if current is None:
                raise UnknownRecord("This annotation no longer exists")
            self._check_version(current, expected_version)
            conn.execute("DELETE FROM annotation WHERE id = ?", (annotation_id,))
            audit.record(
                self.database, "annotation", annotation_id, "delete",
                {name: current[name] for name in _COLUMNS}, None,
            )

    def bulk_load(self, annotations: Iterable[Annotation], *, source: str) -> int:
        """Insert many new annotations in one transaction with one audit row (generated data)."""
        rows = [_values(a) for a in annotations]
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            conn.executemany(
                f"INSERT INTO annotation ({', '.join(_COLUMNS)}, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))}, ?, ?)",
                [(*row.values(), now, who) for row in rows],
            )
            audit.record(self.database, "annotation", "*", "bulk", None, {"rows": len(rows), "source": source})
        return len(rows)

    @staticmethod
    def _check_version(current: dict[str, Any], expected_version: int) -> None:
        if current["version"] != expected_version:
            raise StaleEditError(
                f"This annotation was changed by {current['updated_by']} at {local_time_text(current['updated_at'])} "
                "while you were editing; reload it and try again."
            )
