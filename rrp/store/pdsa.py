"""PDSA cycles: versioned, audited, with status moves checked and PDSA events annotated.

For the huddle screen:

    store.pdsa.running(ward_code, today)        # cycles being tested now (status doing)
    store.pdsa.due_for_study(ward_code, today)  # doing, planned end on or before this Sunday

Drafts (`pdsa_draft`) hold the text of a cycle being edited, autosaved, so nothing typed is lost if
the terminal closes. A draft is not a save: it is neither validated nor audited, but it never keeps
a field carrying an NHS number.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rrp.models.annotation import Annotation, AnnotationKind
from rrp.models.fields import STORED
from rrp.models.nhs_number import nhs_number_problem
from rrp.models.pdsa import (
    RUNNING_STATUSES,
    ActDecision,
    Nudge,
    PdsaCycle,
    PdsaStatus,
    Quality,
    StoredCycle,
    by_creation,
    check_transition,
    completed_on,
    is_due_for_study,
    nudges,
    quality,
    ramp_labels,
)
from rrp.models.when import local_time, local_time_text
from rrp.store import audit
from rrp.store.annotations import AnnotationRepository
from rrp.store.database import Database
from rrp.store.errors import FieldRefused, StaleEditError, UnknownRecord

_COLUMNS = tuple(PdsaCycle.model_fields)
_SELECT = f"SELECT {', '.join(_COLUMNS)}, version, created_at, updated_at, updated_by FROM pdsa_cycle"
#: Listing order: running cycles first, then planned, studying, and closed ones last.
_STATUS_ORDER = {
    PdsaStatus.DOING: 0, PdsaStatus.STUDYING: 1, PdsaStatus.PLANNED: 2,
    PdsaStatus.DONE: 3, PdsaStatus.ABANDONED: 4,
}


@dataclass(frozen=True)
class CycleSummary:
    """One line of a PDSA list: the cycle, its idea's name, its nudges (flags) and quality."""

    stored: StoredCycle
    idea_name: str
    nudges: tuple[Nudge, ...]
    quality: Quality
    due_for_study: bool
    ramp_label: str = ""  # 'A2': ramp letter + cycle number, unique on its ward (models.pdsa.ramp_labels)
    ended_on: dt.date | None = None  # a done cycle: the UK date it was marked done

    @property
    def cycle(self) -> PdsaCycle:
        return self.stored.cycle

    @property
    def flags(self) -> str:
        return ", ".join(n.flag for n in self.nudges)


def _ended(stored: StoredCycle, ended: dict[str, str]) -> dt.date | None:
    """The UK date a done cycle was marked done; for one that arrived done (no such move in the
    audit), its planned end, the best date known."""
    moment = local_time(ended.get(stored.cycle.id, ""))
    return completed_on(stored.cycle.status, None if moment is None else moment.date(), stored.cycle.planned_end)


def _values(cycle: PdsaCycle) -> dict[str, Any]:
    data = cycle.model_dump(mode="json")
    return {name: data[name] for name in _COLUMNS}


def _stored(row: dict[str, Any]) -> StoredCycle:
    return StoredCycle(
        cycle=PdsaCycle.model_validate({name: row[name] for name in _COLUMNS}, context=STORED),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


class PdsaRepository:
    """Reads and writes PDSA cycles and their drafts."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.annotations = AnnotationRepository(database)

    # -- reads -----------------------------------------------------------------------------

    def get(self, cycle_id: str) -> StoredCycle | None:
        row = self.database.query_one(_SELECT + " WHERE id = ?", (cycle_id,))
        return _stored(row) if row else None

    def list(
        self,
        *,
        ward_code: str | None = None,
        status: PdsaStatus | str | Iterable[PdsaStatus | str] | None = None,
        change_idea_code: str | None = None,
    ) -> builtins.list[StoredCycle]:
        """Cycles, filtered by ward, status (one or several) and change idea; by ward, then start."""
        clauses, params = self._filters(ward_code, status, change_idea_code)
        sql = _SELECT + (" WHERE " + " AND ".join(clauses) if clauses else "")
        sql += " ORDER BY ward_code, planned_start IS NULL, planned_start, cycle_number, id"
        return [_stored(row) for row in self.database.query(sql, params)]

    def activity(self, ward_codes: Iterable[str] | None = None) -> builtins.list[dict[str, Any]]:
        """What the dashboard counts of each cycle, plain (no models: thousands of cycles at
        national scale): ward_code, change_idea_code, status, planned_start, planned_end (dates
        or None), act_decision, ended_on (a done cycle's completion day, rrp.models.pdsa.completed_on,
        as the PDSA list shows it; None when not done); every cycle, or those of `ward_codes`."""
        columns = ("ward_code", "change_idea_code", "status", "planned_start", "planned_end", "act_decision")
        sql = f"SELECT id, {', '.join(columns)} FROM pdsa_cycle"
        rows = self.database.conn.execute(
            sql + " ORDER BY ward_code, planned_start IS NULL, planned_start, cycle_number, id"
        ).fetchall()
        chosen = None if ward_codes is None else set(ward_codes)
        marked = {}
        if any(r[3] == PdsaStatus.DONE.value for r in rows):
            for key, at in self.ended_on().items():
                moment = local_time(at)
                if moment is not None:
                    marked[key] = moment.date()
        day = dt.date.fromisoformat
        out = []
        for key, w, idea, status, start, end, act in rows:
            if chosen is not None and w not in chosen:
                continue
            planned_end = day(end) if end else None
            out.append(
                dict(zip(columns, (w, idea, status, day(start) if start else None, planned_end, act), strict=True))
                | {"ended_on": completed_on(status, marked.get(key), planned_end)}
            )
        return out

    def ended_on(self, *, ward_code: str | None = None) -> dict[str, str]:
        """When each cycle was last moved to done here (its audit row's UTC time), by cycle id.

        A cycle that arrived already done (an import, a submission, the demo) has no such move:
        its insert time is not when it ended, so it is left out.
        """
        sql = (
            "SELECT a.row_key AS id, max(a.at) AS at FROM audit a JOIN pdsa_cycle p ON p.id = a.row_key "
            "WHERE a.table_name = 'pdsa_cycle' AND a.action = 'update' "
            "AND json_extract(a.after, '$.status') = 'done' AND json_extract(a.before, '$.status') <> 'done'"
        )
        params: builtins.list[Any] = []
        if ward_code is not None:
            sql += " AND p.ward_code = ?"
            params.append(ward_code)
        return {row["id"]: row["at"] for row in self.database.query(sql + " GROUP BY a.row_key", params)}

    def running(self, ward_code: str | None, today: dt.date) -> builtins.list[StoredCycle]:
        """Cycles running now (rrp.models.pdsa.RUNNING_STATUSES: in Do or in Study) on a ward
        (None: every ward), soonest end first.

        `today` is taken for symmetry with `due_for_study` (and a future "started by today" rule).
        """
        del today
        cycles = [s for status in RUNNING_STATUSES for s in self.list(ward_code=ward_code, status=status)]
        return sorted(cycles, key=lambda s: (s.cycle.planned_end or dt.date.max, s.cycle.ward_code))

    def due_for_study(self, ward_code: str | None, today: dt.date) -> builtins.list[StoredCycle]:
        """Running cycles due for Study this week: doing, with a planned end on or before the
        Sunday of `today`'s week (so overdue ones too), soonest end first."""
        due = [s for s in self.list(ward_code=ward_code, status=PdsaStatus.DOING) if is_due_for_study(s.cycle, today)]
        return sorted(due, key=lambda s: (s.cycle.planned_end or dt.date.max, s.cycle.ward_code, s.cycle.id))

    def labels(self, ward_code: str) -> dict[str, str]:
        """Each of a ward's cycles' ramp label by id ('A2', 'A3b'), as the PDSA list shows it
        (models.pdsa.ramp_labels over the ward's cycles, oldest first)."""
        return ramp_labels(by_creation(self.list(ward_code=ward_code)))

    def summaries(
        self,
        *,
        today: dt.date,
        ward_code: str | None = None,
        status: PdsaStatus | str | Iterable[PdsaStatus | str] | None = None,
        change_idea_code: str | None = None,
    ) -> builtins.list[CycleSummary]:
        """Cycles with their flags and quality, for lists: due for Study first, then running,
        planned, studying, done and abandoned; newest first within each."""
        cycles = self.list(ward_code=ward_code, change_idea_code=change_idea_code)
        every = cycles if change_idea_code is None else self.list(ward_code=ward_code)
        labels = ramp_labels(by_creation(every))
        ended = self.ended_on(ward_code=ward_code)
        wanted = None if status is None else {PdsaStatus(s) for s in _as_list(status)}
        by_id = {s.cycle.id: s.cycle for s in cycles}
        missing = {
            s.cycle.previous_cycle_id for s in cycles
            if s.cycle.previous_cycle_id and s.cycle.previous_cycle_id not in by_id
        }
        for cycle_id in missing:
            found = self.get(cycle_id)  # type: ignore[arg-type]
            if found is not None:
                by_id[found.cycle.id] = found.cycle
        followed = {
            row["previous_cycle_id"]
            for row in self.database.query(
                "SELECT DISTINCT previous_cycle_id FROM pdsa_cycle WHERE previous_cycle_id IS NOT NULL"
            )
        }
        names = {r["code"]: r["name"] for r in self.database.query("SELECT code, name FROM change_idea")}
        result = []
        for stored in cycles:
            cycle = stored.cycle
            if wanted is not None and cycle.status not in wanted:
                continue
            previous = by_id.get(cycle.previous_cycle_id or "")
            result.append(
                CycleSummary(
                    stored=stored,
                    idea_name=names.get(cycle.change_idea_code, cycle.change_idea_code),
                    nudges=tuple(nudges(cycle, previous=previous, today=today)),
                    quality=quality(cycle, has_next=cycle.id in followed),
                    due_for_study=is_due_for_study(cycle, today),
                    ramp_label=labels.get(cycle.id, str(cycle.cycle_number)),
                    ended_on=_ended(stored, ended) if cycle.status == PdsaStatus.DONE else None,
                )
            )
        result.sort(
            key=lambda s: (
                not s.due_for_study,
                _STATUS_ORDER[s.cycle.status],
                -(s.cycle.planned_start or dt.date.min).toordinal(),
                s.cycle.ward_code,
                s.cycle.id,
            )
        )
        return result

    def previous_of(self, cycle: PdsaCycle) -> PdsaCycle | None:
        if cycle.previous_cycle_id is None:
            return None
        found = self.get(cycle.previous_cycle_id)
        return found.cycle if found else None

    def ramp(self, cycle_id: str) -> builtins.list[StoredCycle]:
        """The ramp a cycle belongs to: its earlier cycles, itself and the cycles after, in order."""
        rows = self.database.query(
            "WITH RECURSIVE back(id, prev) AS ("
            "  SELECT id, previous_cycle_id FROM pdsa_cycle WHERE id = ? "
            "  UNION SELECT p.id, p.previous_cycle_id FROM pdsa_cycle p JOIN back ON p.id = back.prev"
            "), root AS (SELECT id FROM back WHERE prev IS NULL), "
            "fwd(id) AS (SELECT id FROM root UNION SELECT p.id FROM pdsa_cycle p JOIN fwd ON p.previous_cycle_id = fwd.id) "
            "SELECT id FROM fwd",
            (cycle_id,),
        )
        ramp = [s for s in (self.get(r["id"]) for r in rows) if s is not None]
        return sorted(ramp, key=lambda s: (s.cycle.cycle_number, s.cycle.planned_start or dt.date.min))

    def history(self, cycle_id: str) -> builtins.list[dict[str, Any]]:
        """The audit rows of a cycle, oldest first (who changed what, when)."""
        return audit.history(self.database, "pdsa_cycle", cycle_id)

    # -- writes ----------------------------------------------------------------------------

    def create(self, cycle: PdsaCycle, *, today: dt.date | None = None) -> StoredCycle:
        """Insert a new cycle (validated again; ward, idea and previous cycle must exist).

        A cycle created already running gets its "cycle started" annotation.
        """
        cycle = PdsaCycle.model_validate(cycle.model_dump())
        values = _values(cycle)
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            self._check_references(cycle)
            if self.database.query_one("SELECT 1 AS x FROM pdsa_cycle WHERE id = ?", (cycle.id,)):
                raise StaleEditError("This cycle was already saved (perhaps from another station); reload it.")
            conn.execute(
                f"INSERT INTO pdsa_cycle ({', '.join(values)}, created_at, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(values))}, ?, ?, ?)",
                (*values.values(), now, now, who),
            )
            audit.record(self.database, "pdsa_cycle", cycle.id, "insert", None, values)
            self._annotate(None, cycle, today or dt.date.today())
        stored = self.get(cycle.id)
        assert stored is not None
        return stored

    def save(
        self, cycle: PdsaCycle, *, expected_version: int, today: dt.date | None = None
    ) -> StoredCycle:
        """Save an edit of a stored cycle, made against `expected_version`.

        Refused (StaleEditError) if someone else saved the cycle meanwhile; refused
        (InvalidTransition, a ValueError) for a status move TRANSITIONS does not allow.
        Moving to doing annotates "cycle started"; done with adopt annotates "change adopted".
        """
        cycle = PdsaCycle.model_validate(cycle.model_dump())
        values = _values(cycle)
        with self.database.transaction() as conn:
            current_row = self.database.query_one(_SELECT + " WHERE id = ?", (cycle.id,))
            if current_row is None:
                raise StaleEditError("This cycle was deleted since you opened it; nothing was saved.")
            if current_row["version"] != expected_version:
                raise StaleEditError(
                    f"This cycle was saved by {current_row['updated_by']} at {local_time_text(current_row['updated_at'])} "
                    "while you were editing. Your text is still on screen: copy what you need, "
                    "reload, and save again."
                )
            current = _stored(current_row).cycle
            if current.ward_code != cycle.ward_code:
                raise UnknownRecord("A cycle cannot move to another ward")
            check_transition(current.status, cycle.status)
            self._check_references(cycle)
            before = {name: current_row[name] for name in _COLUMNS}
            if before != values:
                assignments = ", ".join(f"{name} = ?" for name in values if name != "id")
                conn.execute(
                    f"UPDATE pdsa_cycle SET {assignments}, updated_at = ?, updated_by = ?, "
                    "version = version + 1 WHERE id = ? AND version = ?",
                    (
                        *(v for k, v in values.items() if k != "id"),
                        self.database.clock(),
                        self.database.who,
                        cycle.id,
                        current_row["version"],
                    ),
                )
                audit.record(self.database, "pdsa_cycle", cycle.id, "update", before, values)
                self._annotate(current, cycle, today or dt.date.today())
        stored = self.get(cycle.id)
        assert stored is not None
        return stored

    def move(
        self, cycle_id: str, status: PdsaStatus | str, *, expected_version: int, today: dt.date | None = None
    ) -> StoredCycle:
        """Move a stored cycle to `status` (checked against TRANSITIONS), nothing else changed."""
        stored = self.get(cycle_id)
        if stored is None:
            raise UnknownRecord("This cycle no longer exists")
        return self.save(stored.cycle.moved_to(status), expected_version=expected_version, today=today)

    def delete(self, cycle_id: str, *, expected_version: int) -> None:
        """Delete a cycle (its PDSA annotations go with it); refused if a later cycle follows it."""
        with self.database.transaction() as conn:
            current = self.database.query_one(_SELECT + " WHERE id = ?", (cycle_id,))
            if current is None:
                raise UnknownRecord("This cycle no longer exists")
            if current["version"] != expected_version:
                raise StaleEditError("This cycle was changed meanwhile; reload it and try again.")
            if self.database.query_one("SELECT 1 AS x FROM pdsa_cycle WHERE previous_cycle_id = ?", (cycle_id,)):
                raise UnknownRecord("A later cycle follows this one: abandon it instead of deleting it")
            conn.execute("DELETE FROM pdsa_cycle WHERE id = ?", (cycle_id,))
            audit.record(self.database, "pdsa_cycle", cycle_id, "delete", {n: current[n] for n in _COLUMNS}, None)
            conn.execute("DELETE FROM pdsa_draft WHERE draft_key = ?", (cycle_id,))

    def bulk_load(self, cycles: Iterable[PdsaCycle], *, source: str) -> int:
        """Insert many new cycles in one transaction with one audit row (generated data).

        Cycles must come earlier-first (a previous cycle before the one that follows it).
        """
        rows = [_values(c) for c in cycles]
        now, who = self.database.clock(), self.database.who
        with self.database.transaction() as conn:
            conn.executemany(
                f"INSERT INTO pdsa_cycle ({', '.join(_COLUMNS)}, created_at, updated_at, updated_by) "
                f"VALUES ({', '.join('?' * len(_COLUMNS))}, ?, ?, ?)",
                [(*row.values(), now, now, who) for row in rows],
            )
            audit.record(self.database, "pdsa_cycle", "*", "bulk", None, {"rows": len(rows), "source": source})
        return len(rows)

    # -- drafts ----------------------------------------------------------------------------

    def save_draft(self, key: str, payload: dict[str, Any]) -> builtins.list[str]:
        """Autosave what is typed (not validated, not audited). Returns the fields left out
        because they carry an NHS number (they stay on screen only)."""
        kept, refused = {}, []
        for name, value in payload.items():
            if isinstance(value, str) and nhs_number_problem(value):
                refused.append(name)
            else:
                kept[name] = value
        with self.database.transaction() as conn:
            conn.execute(
                "INSERT INTO pdsa_draft (draft_key, payload, saved_at) VALUES (?, ?, ?) "
                "ON CONFLICT(draft_key) DO UPDATE SET payload = excluded.payload, saved_at = excluded.saved_at",
                (key, json.dumps(kept, default=str), self.database.clock()),
            )
        return refused

    def draft(self, key: str) -> tuple[dict[str, Any], str] | None:
        """(payload, saved_at) of the draft under `key`, or None."""
        row = self.database.query_one("SELECT payload, saved_at FROM pdsa_draft WHERE draft_key = ?", (key,))
        return None if row is None else (json.loads(row["payload"]), row["saved_at"])

    def discard_draft(self, key: str) -> None:
        with self.database.transaction() as conn:
            conn.execute("DELETE FROM pdsa_draft WHERE draft_key = ?", (key,))

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _filters(
        ward_code: str | None,
        status: PdsaStatus | str | Iterable[PdsaStatus | str] | None,
        change_idea_code: str | None,
    ) -> tuple[builtins.list[str], builtins.list[Any]]:
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        if ward_code:
            clauses.append("ward_code = ?")
            params.append(ward_code.strip().upper())
        if status is not None:
            statuses = [PdsaStatus(s).value for s in _as_list(status)]
            clauses.append(f"status IN ({','.join('?' * len(statuses))})")
            params += statuses
        if change_idea_code:
            clauses.append("change_idea_code = ?")
            params.append(change_idea_code.strip().upper())
        return clauses, params

    def _check_references(self, cycle: PdsaCycle) -> None:
        for name, label in (("planned_start", "Planned start"), ("planned_end", "Planned end")):
            if getattr(cycle, name) is None:  # both engines alike (SQLite's CHECK refuses a blank date)
                raise FieldRefused(name, f"{label} is required: the day the cycle is planned to "
                                         f"{'start' if name == 'planned_start' else 'end'}")
        if self.database.query_one("SELECT 1 AS x FROM ward WHERE code = ?", (cycle.ward_code,)) is None:
            raise UnknownRecord(f"Ward {cycle.ward_code} is not in the collaborative's registry")
        idea = self.database.query_one(
            "SELECT ward_code FROM change_idea WHERE code = ?", (cycle.change_idea_code,)
        )
        if idea is None:
            raise UnknownRecord(f"Change idea {cycle.change_idea_code} is not in the change package")
        if idea["ward_code"] is not None and idea["ward_code"] != cycle.ward_code:
            raise UnknownRecord(f"Change idea {cycle.change_idea_code} is another ward's local idea")
        if cycle.previous_cycle_id is not None:
            previous = self.database.query_one(
                "SELECT ward_code FROM pdsa_cycle WHERE id = ?", (cycle.previous_cycle_id,)
            )
            if previous is None:
                raise UnknownRecord("The previous cycle no longer exists")
            if previous["ward_code"] != cycle.ward_code:
                raise UnknownRecord("The previous cycle belongs to another ward")
            earlier = self.database.query(
                "WITH RECURSIVE back(id, prev) AS ("
                "  SELECT id, previous_cycle_id FROM pdsa_cycle WHERE id = ? "
                "  UNION SELECT p.id, p.previous_cycle_id FROM pdsa_cycle p JOIN back ON p.id = back.prev"
                ") SELECT id FROM back",
                (cycle.previous_cycle_id,),
            )
            if any(row["id"] == cycle.id for row in earlier):
                raise UnknownRecord("A ramp cannot loop back on itself: choose an earlier cycle")

    def _annotate(self, before: PdsaCycle | None, after: PdsaCycle, today: dt.date) -> None:
        """PDSA events become annotations on the ward's chart (kind 'pdsa')."""
        started = after.status == PdsaStatus.DOING and (before is None or before.status == PdsaStatus.PLANNED)
        adopted = (
            after.status == PdsaStatus.DONE
            and after.act_decision == ActDecision.ADOPT
            and (before is None or before.status != PdsaStatus.DONE or before.act_decision != ActDecision.ADOPT)
        )
        texts = []
        if started:
            texts.append(f"Cycle started: {after.title}")
        if adopted:
            idea = self.database.query_one("SELECT name FROM change_idea WHERE code = ?", (after.change_idea_code,))
            texts.append(f"Change adopted: {idea['name'] if idea else after.change_idea_code}")
        for text in texts:
            self.annotations.add(
                Annotation(
                    ward_code=after.ward_code,
                    on_date=today,
                    kind=AnnotationKind.PDSA,
                    text=text[:500],
                    pdsa_cycle_id=after.id,
                )
            )


def _as_list(value: Any) -> builtins.list[Any]:
    if isinstance(value, str | PdsaStatus):
        return [value]
    return builtins.list(value)
