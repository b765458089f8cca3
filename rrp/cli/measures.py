"""`rrp import measures` and `rrp import values`: the family of measures and their values, headless.

(`rrp export measures` and `rrp export values` are kinds of `rrp export`.) Exit codes as for every
import: 0 done, 1 refused (nothing written), 2 usage (missing or unreadable file, unknown columns).
"""

from __future__ import annotations

from pathlib import Path

import click

from rrp.cli.common import EXIT_REFUSED, db_option, fail, open_store
from rrp.cli.data import _console, _file_arg, exchange_errors, import_cmd


def _report(result) -> None:  # noqa: ANN001 - an ImportResult
    console = _console()
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print(result.summary(), markup=False)
    if result.dry_run:
        for verb, keys in (("add", result.inserted), ("change", result.updated)):
            for key in keys[:20]:
                console.print(f"  {verb} {key}", markup=False)
            if len(keys) > 20:
                console.print(f"  ... and {len(keys) - 20:,} more to {verb}")


@import_cmd.command("measures")
@_file_arg
@db_option
@click.option("--dry-run", is_flag=True, help="Show what would be added and changed; write nothing.")
@exchange_errors
def import_measures_cmd(file: Path, db_path: Path | None, dry_run: bool) -> None:
    """Add or update measures from a TOML FILE of [[measure]] tables: all of them, or none.

    Each measure in the file replaces the stored one of its code (a field left out takes its
    default: enabled = true); measures not in the file are left as they are. `rrp export
    measures OUT` writes such a file.
    """
    from rrp.exchange.measures_exchange import MeasuresRefused, import_measures

    store = open_store(db_path)
    try:
        result = import_measures(store, file, dry_run=dry_run)
    except MeasuresRefused as exc:
        console = _console(True)
        console.print("Problems (nothing was written):")
        for problem in exc.problems:
            console.print(f"  {problem}", markup=False)
        fail(str(exc), EXIT_REFUSED)
        return
    _report(result)


@import_cmd.command("values")
@_file_arg
@db_option
@click.option("--dry-run", is_flag=True, help="Show what would be added and changed; write nothing.")
@click.option("--sheet", default=None, help="For .xlsx: the sheet to read (default: the first).")
@exchange_errors
def import_values_cmd(file: Path, db_path: Path | None, dry_run: bool, sheet: str | None) -> None:
    """Import measure values from a CSV or XLSX FILE: every row valid, or nothing is written.

    Columns: ward_code, period_start, measure_code, numerator, and denominator for a proportion. A
    per-1,000-bed-days measure uses the ward's occupied bed days of that week (enter the week
    first). A file made by `rrp export values` imports as it is (derived rows are skipped).
    """
    from rrp.exchange.measures_exchange import import_values

    store = open_store(db_path)
    _report(import_values(store, file, dry_run=dry_run, sheet=sheet))
