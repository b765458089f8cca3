"""Importing the registry (providers and wards) from CSV or XLSX, through `parse_registry`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rrp.exchange.limits import limits_for
from rrp.exchange.reading import FileRefused, read_table, table_to_csv_text
from rrp.exchange.weekly_import import RowsRefused
from rrp.models.registry_file import RegistryFileError, parse_registry

if TYPE_CHECKING:
    from rrp.store import Store


@dataclass
class RegistryImportResult:
    source: str
    dry_run: bool
    providers: int = 0
    wards: int = 0
    added: list[str] = field(default_factory=list)  # "provider NVT", "ward NVT-ASH"
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)


def import_registry(store: Store, path: str | Path, *, dry_run: bool = False) -> RegistryImportResult:
    """Load a registry file (the columns of data/registry.csv): all rows valid, or nothing saved.

    Existing wards missing from the file are left as they are (deactivate a ward with active=0).
    A file without a participation_start column keeps each ward's stored participation start.
    Raises FileRefused (unreadable file) or RowsRefused (every bad row listed).
    """
    table = read_table(path, limits=limits_for("wards"))
    if not table.rows:
        raise FileRefused(f"{table.source} has a header but no data rows; nothing to import")
    try:
        providers, wards = parse_registry(table_to_csv_text(table))
    except RegistryFileError as exc:
        if all(p.row == 1 for p in exc.problems):
            raise FileRefused(f"{table.source}: " + "; ".join(str(p) for p in exc.problems)) from None
        raise RowsRefused(table.source, exc.problems) from None
    result = RegistryImportResult(table.source, dry_run, len(providers), len(wards), notes=list(table.notes))
    old_providers = {p.code: p for p in store.registry.providers()}
    old_wards = {w.code: w for w in store.registry.wards()}
    if "participation_start" not in table.header:
        wards = [
            w.model_copy(update={"participation_start": old_wards[w.code].participation_start})
            if w.code in old_wards else w
            for w in wards
        ]
    for provider in providers:
        old = old_providers.get(provider.code)
        if old is None:
            result.added.append(f"provider {provider.code}")
        elif old != provider:
            result.changed.append(f"provider {provider.code}")
        else:
            result.unchanged += 1
    for ward in wards:
        old = old_wards.get(ward.code)
        if old is None:
            result.added.append(f"ward {ward.code}")
        elif old != ward:
            result.changed.append(f"ward {ward.code}")
        else:
            result.unchanged += 1
    if not dry_run:
        store.registry.save_many(providers, wards)
    return result
