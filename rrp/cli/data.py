"""`rrp import`, `rrp export`, `rrp backup`, `rrp restore`: data in and out, headless.

Exit codes: 0 done; 1 refused (bad rows, conflicts left, tampered submission, failed check);
2 usage (missing or unreadable file, unknown or missing columns, bad option). Never a traceback.
Heavy imports (pandas, openpyxl, the store) happen inside the commands.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rrp.cli.common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    db_option,
    existing_db,
    fail,
    file_only,
    log_cli_error,
    open_store,
    resolve_db,
)
from rrp.exchange.kinds import COMMAND_EXPORT_KINDS

#: How many rows of each kind a report lists unless --all is given.
SHOW = 20


def _console(stderr: bool = False):
    from rrp.reports.user_text import plain_console

    return plain_console(stderr=stderr, soft_wrap=True)


def exchange_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every refusal as a clear message and the right exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from rrp.exchange.exports import ExportRefused
        from rrp.exchange.limits import LimitExceeded
        from rrp.exchange.reading import FileRefused
        from rrp.exchange.submission import SubmissionRefused
        from rrp.exchange.weekly_import import RowsRefused
        from rrp.store.errors import StoreError

        try:
            return func(*args, **kwargs)
        except RowsRefused as exc:
            _print_problems(exc.problems)
            for hint in exc.hints:
                _console(True).print(f"hint: {hint}")
            fail(str(exc), EXIT_REFUSED)
        except SubmissionRefused as exc:
            _print_problems(exc.problems)
            fail(str(exc), EXIT_REFUSED)
        except LimitExceeded as exc:  # a file past a limit is refused, not a usage mistake
            fail(str(exc), EXIT_REFUSED)
        except (FileRefused, ExportRefused) as exc:
            fail(str(exc), EXIT_USAGE)
        except StoreError as exc:
            log_cli_error(exc)
            fail(str(exc), EXIT_REFUSED)
        except (IsADirectoryError, FileNotFoundError, PermissionError) as exc:
            log_cli_error(exc)
            fail(f"cannot write or read {exc.filename or ''}: {exc.strerror or exc}", EXIT_USAGE)
        except OSError as exc:
            log_cli_error(exc)
            fail(f"{exc.strerror or exc}", EXIT_USAGE)
        except MemoryError as exc:
            log_cli_error(exc)
            fail("the file is too large to process", EXIT_USAGE)

    return wrapper


def _print_problems(problems: list) -> None:
    if not problems:
        return
    console = _console(True)
    if not console.is_terminal:  # a log or a pipe: one plain line per problem, easy to grep
        console.print("Problems (nothing was written):")
        from rrp.exchange.summaries import problem_line

        for p in problems:
            console.print(f"  {problem_line(p)}", markup=False)
        return
    from rich.table import Table

    table = Table(title="Problems (nothing was written)", title_justify="left")
    table.add_column("Row", justify="right")
    table.add_column("Column")
    table.add_column("Problem")
    for p in problems:
        table.add_row(str(p.row), p.column, p.message)
    console.print(table)


def _shown(items: list, show_all: bool) -> tuple[list, int]:
    if show_all or len(items) <= SHOW:
        return items, 0
    return items[:SHOW], len(items) - SHOW


# -- import ------------------------------------------------------------------------------------


@click.group("import")
def import_cmd() -> None:
    """Import weekly counts, the registry, PDSA cycles or a ward submission from a file."""


_file_arg = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))


@import_cmd.command("weekly")
@_file_arg
@db_option
@click.option("--dry-run", is_flag=True, help="Show what would be inserted, updated and unchanged; write nothing.")
@click.option(
    "--week-ending",
    is_flag=True,
    help="The file's dates are week-ending Sundays (week_start = week ending - 6 days).",
)
@click.option("--sheet", default=None, help="For .xlsx: the sheet to read (default: the first visible one; the output says which).")
@click.option("--all", "show_all", is_flag=True, help="List every row in a dry run, not the first 20.")
@exchange_errors
def import_weekly_cmd(
    file: Path, db_path: Path | None, dry_run: bool, week_ending: bool, sheet: str | None, show_all: bool
) -> None:
    """Import weekly counts from a CSV or XLSX FILE: every row valid, or nothing is written.

    Columns (any order, any case): ward_code, week_start, restraint, prone_restraint, seclusion,
    rapid_tranquillisation, occupied_bed_days, and optionally note. Dates as 2026-03-02 or
    02/03/2026. A file made by `rrp export weekly` imports as it is.
    """
    from rrp.exchange.summaries import NOTHING_WRITTEN, differences_text, weekly_summary
    from rrp.exchange.weekly_import import import_weekly

    store = open_store(db_path)
    result = import_weekly(store, file, week_ending=week_ending, dry_run=dry_run, sheet=sheet)
    console = _console()
    for note in result.notes:
        console.print(f"note: {note}", markup=False)  # sheet names are the user's text
    console.print(weekly_summary(result), markup=False)
    if dry_run:
        shown, more = _shown(result.inserted, show_all)
        for ward, week in shown:
            console.print(f"  insert {ward} {week}")
        if more:
            console.print(f"  ... and {more:,} more to insert (--all lists them)")
        shown, more = _shown(result.updated, show_all)
        for change in shown:
            diffs = differences_text(change.differences())
            console.print(f"  update {change.ward_code} {change.week_start}: {diffs}", markup=False)
        if more:
            console.print(f"  ... and {more:,} more to update (--all lists them)")
        console.print(NOTHING_WRITTEN)


@import_cmd.command("wards")
@_file_arg
@db_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@exchange_errors
def import_wards_cmd(file: Path, db_path: Path | None, dry_run: bool) -> None:
    """Import the registry (providers and wards) from a CSV or XLSX FILE like data/registry.csv."""
    from rrp.exchange.registry_import import import_registry
    from rrp.exchange.summaries import registry_summary

    store = open_store(db_path)
    result = import_registry(store, file, dry_run=dry_run)
    console = _console()
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print(registry_summary(result), markup=False)
    for item in result.added:
        console.print(f"  add {item}")
    for item in result.changed:
        console.print(f"  change {item}")


@import_cmd.command("pdsa")
@_file_arg
@db_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@exchange_errors
def import_pdsa_cmd(file: Path, db_path: Path | None, dry_run: bool) -> None:
    """Import PDSA cycles from a CSV or XLSX FILE with the columns of `rrp export pdsa`."""
    from rrp.exchange.pdsa_import import import_pdsa
    from rrp.exchange.summaries import pdsa_summary

    store = open_store(db_path)
    result = import_pdsa(store, file, dry_run=dry_run)
    console = _console()
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    console.print(pdsa_summary(result), markup=False)


@import_cmd.command("submission")
@_file_arg
@db_option
@click.option("--take", type=click.Choice(["theirs", "ours"]), default=None, help="Resolve conflicts: the ward's version or this database's.")
@click.option("--key", "keys", multiple=True, help="The conflict to resolve, as listed (e.g. weekly:NVT-ASH/2026-03-02); 'all' for every one.")
@click.option("--dry-run", is_flag=True, help="Show what the merge would do; write nothing.")
@exchange_errors
def import_submission_cmd(file: Path, db_path: Path | None, take: str | None, keys: tuple[str, ...], dry_run: bool) -> None:
    """Merge a ward's submission FILE: new records added, changes taken, conflicts reported."""
    from rrp.exchange.submission import merge_submission
    from rrp.exchange.summaries import submission_summary

    if bool(take) != bool(keys):
        fail("--take and --key go together (e.g. --take theirs --key weekly:NVT-ASH/2026-03-02)", EXIT_USAGE)
    store = open_store(db_path)
    take_all = take if "all" in keys else None
    choices = {k: take for k in keys if k != "all"} if take else {}
    result = merge_submission(store, file, take=choices, take_all=take_all, dry_run=dry_run)
    console = _console()
    console.print(submission_summary(result), markup=False)
    if result.conflicts:
        from rich.table import Table

        table = Table(title="Conflicts: both sides changed these since they last agreed (nothing was overwritten)")
        table.add_column("Key (for --key)")
        table.add_column("Field")
        table.add_column("Here (ours)")
        table.add_column("Ward (theirs)")
        for conflict in result.conflicts:
            diffs = conflict.differences() or {"(record)": ("missing" if conflict.ours is None else "", "")}
            for i, (name, (ours, theirs)) in enumerate(diffs.items()):
                table.add_row(conflict.ref if i == 0 else "", name, repr(ours), repr(theirs))
        console.print(table)
        console.print("Choose for each: rrp import submission FILE --take theirs|ours --key KEY (or --key all)")
        raise SystemExit(EXIT_REFUSED)


# -- export ------------------------------------------------------------------------------------


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    from pydantic_core import PydanticCustomError

    from rrp.models.fields import parse_date

    try:
        return parse_date(value, param.name or "date")
    except PydanticCustomError as exc:
        raise click.BadParameter(exc.message()) from None


@click.command("export")
@click.argument(
    "kind",
    type=click.Choice(COMMAND_EXPORT_KINDS),
)
@click.argument("out", type=click.Path(path_type=Path, allow_dash=True))
@db_option
@click.option("--provider", default=None, help="Only this provider's wards.")
@click.option("--ward", "wards", multiple=True, help="Only this ward (repeat for several).")
@click.option("--from", "start", callback=_date, default=None, help="From this date (inclusive).")
@click.option("--to", "end", callback=_date, default=None, help="To this date (inclusive).")
@click.option("--since", callback=_date, default=None, help="submission: only records changed since this date.")
@click.option("--chart", type=click.Choice(["u", "uprime", "xmr", "c", "run"]), default="u", show_default=True, help="spc: chart type.")
@click.option("--fix-after", type=click.IntRange(min=12, max=100_000), default=None, help="spc: baseline of the first n points.")
@click.option("--target", "target_rate", type=float, default=None, help="spc: target rate for the assurance icon.")
@click.option(
    "--key", "key_file", type=click.Path(path_type=Path), envvar="RRP_KEY", default=None,
    help="submission: the provider's private key file that signs it (rrp keys new); or RRP_KEY.",
)
@exchange_errors
def export_cmd(
    kind: str,
    out: Path,
    db_path: Path | None,
    provider: str | None,
    wards: tuple[str, ...],
    start: dt.date | None,
    end: dt.date | None,
    since: dt.date | None,
    chart: str,
    fix_after: int | None,
    target_rate: float | None,
    key_file: Path | None,
) -> None:
    """Write KIND to OUT (a file, or - for the screen) as Excel-safe CSV; submission as JSON.

    KIND: weekly, monthly (a week counts in the month of its Thursday), spc (u chart per 1,000
    bed days, MDC rules, lower is better), pdsa, progress, annotations (the notes, rebases and
    PDSA events shown on the charts), dictionary (every column's meaning), submission (one
    ward's records for the facilitator: needs --ward and --key, the provider's key that signs it), measures (the family of measures, as TOML
    for `rrp import measures`), values (every measure's values, one row per ward, measure and
    period, for `rrp import values`), board (the board's monthly summary: mean monthly rate per
    1,000 bed days, change against baseline, wards reaching a 25% and a one-third reduction),
    workbook (all of these as sheets of one .xlsx with a README sheet).

    OUT is replaced only when it is a regular file that is not a database: never the database,
    its -wal/-shm files, a folder, a pipe or a device.
    """
    from rrp.exchange.summaries import export_summary
    from rrp.reports.user_text import screen_stream

    console = _console(stderr=True)
    if kind == "dictionary":
        from rrp.exchange.exports import export

        # No database is read, but the one --db names is still never written over.
        result = export(None, "dictionary", str(out), database=resolve_db(db_path))
        console.print(export_summary("dictionary", result.rows, out), markup=False)
        return
    store = open_store(db_path)
    # '-' on a terminal: shown with control characters made visible (a file or pipe gets the bytes).
    target = screen_stream(str(out))
    try:
        line = _write_export(
            store, kind, target, out, wards, since, provider, start, end, chart, fix_after, target_rate, key_file
        )
    finally:
        if not isinstance(target, str):
            target.flush()
    console.print(line, markup=False)


def _write_export(
    store: Any,
    kind: str,
    target: Any,
    out: Path,
    wards: tuple[str, ...],
    since: dt.date | None,
    provider: str | None,
    start: dt.date | None,
    end: dt.date | None,
    chart: str,
    fix_after: int | None,
    target_rate: float | None,
    key_file: Path | None = None,
) -> str:
    """Write one export kind to `target` (a path text or a stream); the summary line naming `out`."""
    from rrp.exchange.summaries import export_summary

    if kind == "measures":
        from rrp.exchange.measures_exchange import export_measures

        return f"Wrote {export_measures(store, target)} measures to {out}."
    if kind == "workbook":
        from rrp.exchange.exports import ExportFilter
        from rrp.exchange.workbook import write_workbook

        # A workbook is never shown on a terminal: always a file, through the one writer.
        flt = ExportFilter(provider=provider, wards=tuple(wards), start=start, end=end)
        book = write_workbook(store, str(out), flt, chart=chart, fix_after=fix_after, target=target_rate)
        sheets = ", ".join(f"{name} {rows:,}" for name, rows in book.sheets.items())
        return f"Wrote the governance workbook to {out}: {sheets} rows."
    if kind == "submission":
        from rrp.exchange.submission import write_submission

        if len(wards) != 1:
            fail("export submission needs exactly one --ward", EXIT_USAGE)
        if key_file is None:
            fail(
                "export submission needs --key KEYFILE: the provider's private key that signs it "
                "(make one with rrp keys new); the facilitator refuses unsigned submissions",
                EXIT_USAGE,
            )
        written = write_submission(store, wards[0], target, key=key_file, since=since)
        counts = ", ".join(f"{n} {t}" for t, n in written.counts.items())
        return (
            f"Wrote the submission of {written.ward_code} to {out}, signed with key {written.fingerprint[:16]}: "
            f"{counts}. sha256 {written.checksum}"
        )
    from rrp.exchange.exports import ExportFilter, export

    flt = ExportFilter(provider=provider, wards=tuple(wards), start=start, end=end)
    options: dict[str, Any] = {}
    if kind == "spc":
        options = {"chart": chart, "fix_after": fix_after, "target": target_rate}
    result = export(store, kind, target, flt, **options)
    return export_summary(kind, result.rows, out)


# -- backup and restore --------------------------------------------------------------------------


@click.command("backup")
@click.argument("out", type=click.Path(path_type=Path))
@db_option
@exchange_errors
def backup_cmd(out: Path, db_path: Path | None) -> None:
    """Back up the database to OUT (a new file, or a folder) while others may be writing.

    OUT is never the database itself, its -wal/-shm files, another database or anything that is
    not a regular file; a disk that is full or cannot be written leaves no partial copy.
    """
    from rrp.exchange.backup import backup_database
    from rrp.exchange.summaries import backup_summary

    file_only(resolve_db(db_path), "backup")
    check = backup_database(existing_db(db_path), out)
    _console().print(backup_summary(check), markup=False)


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@exchange_errors
def restore_cmd(file: Path, db_path: Path | None, yes: bool) -> None:
    """Replace the database with the backup FILE (checked first; the old database is kept)."""
    from rrp.exchange.backup import check_database, restore_database

    target = resolve_db(db_path)
    file_only(target, "restore")
    if not file.exists():
        fail(f"{file} does not exist", EXIT_USAGE)
    check = check_database(file)
    if not check.ok:
        fail(f"{file} failed its integrity check ({check.integrity}); nothing was restored")
    if not yes and target.exists():
        click.confirm(f"Replace {target} with {file}? (the current one is kept beside it)", abort=True)
    result = restore_database(file, target)
    kept = f"; the replaced database is kept at {result.previous_kept_at}" if result.previous_kept_at else ""
    _console().print(f"Restored {target} from {file} (schema {result.schema_version}){kept}.")
