"""Importing PDSA cycles from a CSV or XLSX file with the columns of `rrp export pdsa`.

Each row is validated by `validate_cycle` (the PDSA form's rules). A row with an id that exists
updates that cycle (the status move must be one the app allows); a row with an empty id is a new
cycle. The export's extra columns (provider and ward names, created_at, updated_at, updated_by,
version) are recognised and ignored. All rows are saved in one transaction, or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from rrp.exchange.dictionary import columns_of
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


def import_pdsa(store: Store, path: str | Path, *, dry_run: bool = False) -> PdsaImportResult:
    """Import cycles; raises FileRefused (columns, unreadable) or RowsRefused (every bad row)."""
    from rrp.models.pdsa import PdsaCycle, can_transition, new_cycle_id, validate_cycle
    from rrp.store.errors import StoreError

    table = read_table(path)
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
    result = PdsaImportResult(table.source, dry_run, len(cycles))
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
        raise RowsRefused(table.source, sorted(problems, key=lambda p: p.row))
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
    except (StoreError, ValueError) as exc:
        raise RowsRefused(table.source, [RowProblem(current, "(row)", str(exc))]) from None
    return result
