"""Importing PDSA cycles from a CSV or XLSX file with the columns of `rrp export pdsa`.

Each row is validated by `validate_cycle` (the PDSA form's rules). A row with an id that exists
updates that cycle (the status move must be one the app allows); a row with an empty id is a new
cycle. The export's extra columns (provider and ward names, created_at, updated_at, updated_by,
version) are recognised and ignored. All rows are saved in one transaction, or none.

Every row's references (its ward, its change idea, its previous cycle) are checked before
anything is written, so a refusal names every bad row and column in words; the database's own
refusal (its last line of defence) is reported in words too, never as SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from rrp.exchange.dictionary import columns_of
from rrp.exchange.limits import limits_for
from rrp.exchange.reading import FileRefused, read_table
from rrp.exchange.weekly_import import RowsRefused, unneutralise
from rrp.models.fields import field_errors
from rrp.models.registry_file import RowProblem

if TYPE_CHECKING:
    from rrp.store import Store

IGNORED = ("provider_code", "provider_name", "ward_name", "created_at", "updated_at", "updated_by", "version")


@dataclass
class PdsaImportResult:
    source: str
    dry_run: bool
    rows: int
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _reference_problems(store: Store, cycles: list[tuple[int, Any]]) -> list[RowProblem]:
    """Every row whose ward, change idea or previous cycle the database would refuse, in words."""
    wards = {w.code for w in store.registry.wards()}
    ideas = {s.idea.code: s.idea.ward_code for s in store.change_package.ideas(all_local=True)}
    in_file = {cycle.id: cycle.ward_code for _, cycle in cycles}
    problems: list[RowProblem] = []
    for number, cycle in cycles:
        if cycle.ward_code not in wards:
            problems.append(RowProblem(number, "ward_code", f"Ward {cycle.ward_code} is not in the collaborative's registry"))
        owner = ideas.get(cycle.change_idea_code, "")
        if owner == "":
            problems.append(
                RowProblem(number, "change_idea_code", f"Change idea {cycle.change_idea_code} is not in the change package")
            )
        elif owner is not None and owner != cycle.ward_code:
            problems.append(
                RowProblem(number, "change_idea_code", f"Change idea {cycle.change_idea_code} is another ward's local idea")
            )
        previous = cycle.previous_cycle_id
        if previous is not None:
            stored = store.pdsa.get(previous)
            ward = in_file.get(previous, stored.cycle.ward_code if stored is not None else None)
            if ward is None:
                problems.append(RowProblem(number, "previous_cycle_id", f"the previous cycle {previous} does not exist"))
            elif ward != cycle.ward_code:
                problems.append(RowProblem(number, "previous_cycle_id", "the previous cycle belongs to another ward"))
    return problems


def import_pdsa(store: Store, path: str | Path, *, dry_run: bool = False) -> PdsaImportResult:
    """Import cycles; raises FileRefused (columns, unreadable) or RowsRefused (every bad row)."""
    from rrp.models.pdsa import PdsaCycle, can_transition, new_cycle_id, validate_cycle
    from rrp.store.errors import ConstraintError, StoreError

    table = read_table(path, limits=limits_for("pdsa"))
    known = set(columns_of("pdsa"))
    required = {"ward_code", "change_idea_code", "title"}
    missing = sorted(required - set(table.header))
    unknown = [c for c in table.header if c not in known]
    if missing or unknown:
        parts = ([f"missing columns: {', '.join(missing)}"] if missing else []) + (
            [f"unknown columns: {', '.join(unknown)}"] if unknown else []
        )
        raise FileRefused(f"{table.source}: {'; '.join(parts)} (use the columns of `rrp export pdsa`)")
    if not table.rows:
        raise FileRefused(f"{table.source} has a header but no data rows; nothing to import")
    index = table.index()
    fields = [c for c in table.header if c in PdsaCycle.model_fields]
    problems: list[RowProblem] = []
    cycles: list[tuple[int, Any]] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        if not number % 1024:
            table.deadline.check(table.source)
        data = {}
        for name in fields:
            value = unneutralise(cells[index[name]]) if index[name] < len(cells) else None
            if isinstance(value, str) and not value.strip():
                value = None
            data[name] = value
        if not data.get("id"):
            data["id"] = new_cycle_id()
        try:
            cycle = validate_cycle(data)
        except ValidationError as exc:
            for column, message in field_errors(exc).items():
                problems.append(RowProblem(number, column or "(row)", message))
            continue
        if cycle.id in seen:
            problems.append(RowProblem(number, "id", f"cycle {cycle.id} appears twice: rows {seen[cycle.id]} and {number}"))
            continue
        seen[cycle.id] = number
        cycles.append((number, cycle))
    problems.extend(_reference_problems(store, cycles))
    result = PdsaImportResult(table.source, dry_run, len(cycles), notes=list(table.notes))
    plan: list[tuple[int, Any, Any]] = []
    for number, cycle in cycles:
        stored = store.pdsa.get(cycle.id)
        if stored is None:
            result.inserted.append(cycle.id)
        elif stored.cycle == cycle:
            result.unchanged.append(cycle.id)
            continue
        else:
            if stored.cycle.status != cycle.status and not can_transition(stored.cycle.status, cycle.status):
                problems.append(
                    RowProblem(number, "status", f"a cycle cannot move from {stored.cycle.status} to {cycle.status}")
                )
                continue
            result.updated.append(cycle.id)
        plan.append((number, cycle, stored))
    if problems:
        order = {name: i for i, name in enumerate(table.header)}
        raise RowsRefused(table.source, sorted(problems, key=lambda p: (p.row, order.get(p.column, len(order)))))
    if dry_run:
        return result
    current = 0
    try:
        with store.database.transaction():
            for row_number, cycle, stored in plan:
                current = row_number
                if stored is None:
                    store.pdsa.create(cycle)
                else:
                    store.pdsa.save(cycle, expected_version=stored.version)
    except ConstraintError:
        # The checks above mirror the database's rules; if one was missed, say so in words.
        raise RowsRefused(
            table.source, [RowProblem(current, "(row)", "the database refused this cycle (a rule of its own)")]
        ) from None
    except (StoreError, ValueError) as exc:
        raise RowsRefused(table.source, [RowProblem(current, "(row)", str(exc))]) from None
    return result
