"""How an import, export or backup result is put into words: shared by `rrp import/export/backup`
and the app's "Data in and out" screen, so both say the same thing.

Pure functions of the result objects (no I/O, no Rich markup, no Textual): plain text only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rrp.exchange.pdsa_import import PdsaImportResult
    from rrp.exchange.registry_import import RegistryImportResult
    from rrp.exchange.submission import MergeResult
    from rrp.exchange.weekly_import import WeeklyImportResult
    from rrp.models.registry_file import RowProblem
    from rrp.store.backup import DatabaseCheck

NOTHING_WRITTEN = "Dry run: nothing was written."


def _verb(dry_run: bool) -> str:
    return "would be" if dry_run else "were"


def weekly_summary(result: WeeklyImportResult) -> str:
    """'data.csv: 12 rows valid. 10 would be inserted, 1 would be updated, 1 unchanged.'"""
    verb = _verb(result.dry_run)
    return (
        f"{result.source}: {result.rows:,} rows valid. {len(result.inserted):,} {verb} inserted, "
        f"{len(result.updated):,} {verb} updated, {len(result.unchanged):,} unchanged."
    )


def registry_summary(result: RegistryImportResult) -> str:
    verb = _verb(result.dry_run)
    return (
        f"{result.source}: {result.providers} providers, {result.wards} wards. "
        f"{len(result.added)} {verb} added, {len(result.changed)} {verb} changed, {result.unchanged} unchanged."
    )


def pdsa_summary(result: PdsaImportResult) -> str:
    verb = _verb(result.dry_run)
    return (
        f"{result.source}: {result.rows} cycles valid. {len(result.inserted)} {verb} inserted, "
        f"{len(result.updated)} {verb} updated, {len(result.unchanged)} unchanged."
    )


def submission_summary(result: MergeResult) -> str:
    s = result.summary()
    prefix = "Dry run: " if result.dry_run else ""
    seen = " (this file was merged before)" if result.already_merged else ""
    by = result.signed_by
    signed = f", signed by {by.provider} (key {by.fingerprint[:16]})" if by else ""
    return (
        f"{prefix}{result.source} from ward {result.ward_code}{signed}{seen}: {s['inserted']} inserted, "
        f"{s['updated']} updated, {s['deleted']} deleted, {s['unchanged']} unchanged, "
        f"{s['kept_ours']} kept (edited here since), "
        f"{s['resolved']} resolved, {s['conflicts']} conflicts."
    )


def differences_text(differences: Mapping[str, tuple[Any, Any]]) -> str:
    """'restraint 2 -> 3, note None -> 'short-staffed'' (old -> new, each as Python shows it)."""
    return ", ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in differences.items())


def problem_line(problem: RowProblem) -> str:
    """'row 3, restraint: Restraints must be a whole number ...' (one refused cell).

    Row 0 is the file itself (a submission's envelope field): 'exported_at: ... is in the future'.
    """
    if problem.row == 0:
        return f"{problem.column}: {problem.message}"
    return f"row {problem.row}, {problem.column}: {problem.message}"


def export_summary(kind: str, rows: int, out: object) -> str:
    return f"Wrote {rows:,} {kind} rows to {out}."


def backup_summary(check: DatabaseCheck) -> str:
    return (
        f"Backed up to {check.path.resolve()} ({check.size_bytes / 1e6:.1f} MB, "
        f"schema {check.schema_version}); integrity check: {check.integrity}."
    )
