"""Importing weekly counts from a CSV or XLSX file: all rows valid, or nothing written.

Columns (header case-insensitive, any order; spaces or hyphens in names count as '_'):
ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation,
occupied_bed_days, and optionally note. The columns that `rrp export weekly` adds (provider and
ward names, all_restrictive, the rates) are recognised and ignored, so an export is a valid import
file. Any other column is refused (a usage error), so a misspelt column is never silently dropped.

Week-ending files: with `week_ending=True` the date column (named week_ending, or week_start)
holds the week's last day, a Sunday; week_start = week_ending - 6 days.

No note column: the notes already stored are kept (a file without notes never wipes them).
An empty note cell in a file that has the column clears the note.

Every row is validated against its ward by the same rules as the entry form (`validate_week`):
plain rows column-wise with numpy, every other row and every failing row through the model itself,
so each problem carries the model's own message. A value far outside its ward's usual range (the
week form's plausibility check) is imported as given and listed as a note to check, never refused. Duplicate (ward, week) rows are an error naming
both rows. Saving is one set-based transaction (`WeeklyRepository.upsert_rows`): importing the same
file again changes nothing, and a corrected file updates only the weeks that changed, each audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from rrp.exchange.limits import limits_for
from rrp.exchange.reading import ExchangeError, FileRefused, Table, read_table
from rrp.models.fields import field_errors, parse_date
from rrp.models.registry import Ward, parse_code
from rrp.models.registry_file import RowProblem
from rrp.models.weekly import (
    COUNT_FIELDS,
    EARLIEST_WEEK,
    MAX_WEEKLY_COUNT,
    MEASURES,
    WeeklyCounts,
    monday_of,
    validate_week,
)
from rrp.reports.tables import WEEKLY_COLUMNS

if TYPE_CHECKING:
    from rrp.store import Store

REQUIRED_COLUMNS = ("ward_code", "week_start", *COUNT_FIELDS)
OPTIONAL_COLUMNS = ("note",)
#: Columns of `rrp export weekly` that an import recognises and ignores.
IGNORED_COLUMNS = tuple(c for c in WEEKLY_COLUMNS if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
#: A cell that begins with ' followed by one of these was neutralised by an export; undo it.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")
_LABELS = {**MEASURES, "occupied_bed_days": "Occupied bed days"}


class RowsRefused(ExchangeError):
    """Some rows are invalid; nothing was written. `problems` lists every one (exit code 1)."""

    def __init__(self, source: str, problems: list[RowProblem], hints: list[str] | None = None) -> None:
        self.source = source
        self.problems = problems
        self.hints = hints or []
        rows = len({p.row for p in problems})
        super().__init__(
            f"{source} was refused: {rows} row{'s' if rows != 1 else ''} with problems; nothing was imported"
        )


@dataclass
class WeekChange:
    """One week an import would update: the stored values and the file's."""

    ward_code: str
    week_start: str
    before: dict[str, Any]
    after: dict[str, Any]

    def differences(self) -> dict[str, tuple[Any, Any]]:
        return {k: (self.before.get(k), v) for k, v in self.after.items() if self.before.get(k) != v}


@dataclass
class WeeklyImportResult:
    """What an import did (or, with dry_run, would do)."""

    source: str
    dry_run: bool
    rows: int
    inserted: list[tuple[str, str]] = field(default_factory=list)
    updated: list[WeekChange] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def unneutralise(value: Any) -> Any:
    """Undo an export's formula neutralisation: "'=SUM(A1)" -> "=SUM(A1)"."""
    if isinstance(value, str) and value.startswith(_NEUTRALISED):
        return value[1:]
    return value


def _check_columns(table: Table, week_ending: bool) -> str:
    """The name of the date column; raises FileRefused for missing or unknown columns."""
    header = set(table.header)
    date_column = "week_start"
    if week_ending:
        date_column = "week_ending" if "week_ending" in header else "week_start"
    elif "week_ending" in header and "week_start" not in header:
        raise FileRefused(
            f"{table.source} has a week_ending column: if its dates are week-ending Sundays, "
            "import it with --week-ending"
        )
    required = [date_column if c == "week_start" else c for c in REQUIRED_COLUMNS]
    missing = [c for c in required if c not in header]
    known = set(required) | set(OPTIONAL_COLUMNS) | set(IGNORED_COLUMNS)
    unknown = [c for c in table.header if c not in known]
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(repr(c) for c in unknown)}"
        )
    if problems:
        raise FileRefused(
            f"{table.source}: {'; '.join(problems)}. A weekly file has the columns "
            f"{', '.join(REQUIRED_COLUMNS)} and optionally note"
        )
    return date_column


def _count_cell(value: Any, column: str) -> Any:
    """Pre-screen a count cell for the cases the shared rule words poorly."""
    if isinstance(value, str):
        text = value.strip()
        label = _LABELS[column]
        if text.startswith("="):
            raise PydanticCustomError(
                "formula", f"{label} is a formula ({text[:30]!r}): rrp reads values only, paste as values"
            )
        if text.startswith("-") and text[1:] and set(text[1:]) == {"0"}:
            raise PydanticCustomError(
                "whole_number", f"{label} must be a whole number (0 or more), not {text!r}"
            )
    return value


def _week_start_from_ending(value: Any) -> dt.date:
    day = parse_date(value, "Week ending")
    if day.weekday() != 6:
        sunday = monday_of(day) + dt.timedelta(days=6)
        raise PydanticCustomError(
            "sunday",
            "Week ending {day} is a {weekday}, not a Sunday (did you mean {sunday}?)",
            {"day": day.isoformat(), "weekday": day.strftime("%A"), "sunday": sunday.isoformat()},
        )
    return day - dt.timedelta(days=6)


def _validate_row(
    number: int,
    cells: list[Any],
    header_length: int,
    index: dict[str, int],
    date_column: str,
    has_note: bool,
    wards: dict[str, Ward],
    week_ending: bool,
    today: dt.date | None,
) -> tuple[WeeklyCounts | None, list[RowProblem], bool]:
    """One row through the model: (counts or None, its problems, is its date a non-Monday)."""

    def get(column: str) -> Any:
        i = index[column]
        return unneutralise(cells[i]) if i < len(cells) else None

    row_problems: list[RowProblem] = []
    non_monday = False
    extra = cells[header_length:]
    if any(c not in (None, "") and (not isinstance(c, str) or c.strip()) for c in extra):
        row_problems.append(RowProblem(number, "(row)", f"has {len(cells)} cells but the header has {header_length}"))
    data: dict[str, Any] = {}
    raw_code = get("ward_code")
    code = raw_code.strip().upper() if isinstance(raw_code, str) else raw_code
    ward = wards.get(code) if isinstance(code, str) else None
    data["ward_code"] = raw_code if raw_code is not None else ""
    if isinstance(code, str) and code and ward is None:
        try:
            parse_code(code)
            message = f"Ward {code} is not in the collaborative's registry"
        except PydanticCustomError as exc:  # a look-alike or malformed code: say which character
            message = exc.message()
        row_problems.append(RowProblem(number, "ward_code", message))
    raw_date = get(date_column)
    if week_ending:
        try:
            data["week_start"] = _week_start_from_ending(raw_date)
        except PydanticCustomError as exc:
            row_problems.append(RowProblem(number, date_column, exc.message()))
            data["week_start"] = None
    else:
        data["week_start"] = raw_date
    for column in COUNT_FIELDS:
        try:
            data[column] = _count_cell(get(column), column)
        except PydanticCustomError as exc:
            row_problems.append(RowProblem(number, column, exc.message()))
            data[column] = None
    if has_note:
        note = get("note")
        data["note"] = note if note is None or isinstance(note, str) else str(note)
    counts: WeeklyCounts | None = None
    try:
        counts = validate_week(data, ward=ward, today=today)
    except ValidationError as exc:
        reported = {p.column for p in row_problems}
        for column, message in field_errors(exc).items():
            column = date_column if column == "week_start" else column or "(row)"
            if column in reported:
                continue
            if column == "ward_code" and ward is None and isinstance(code, str) and code:
                continue
            if column == "week_start" and "not a Monday" in message:
                non_monday = True
            row_problems.append(RowProblem(number, column, message))
    return (counts if not row_problems else None), row_problems, non_monday


def _hints(table: Table, non_mondays: list[int], date_column: str, week_ending: bool) -> list[str]:
    hints: list[str] = []
    if non_mondays and not week_ending:
        import numpy as np

        positions = np.flatnonzero(np.isin(table.numbers, np.asarray(non_mondays, dtype=np.int64)))
        dates = table.column(table.index()[date_column])[positions].tolist()
        try:
            sundays = all(parse_date(d, "Week start").weekday() == 6 for d in dates)
        except Exception:  # noqa: BLE001 - only a hint
            sundays = False
        if sundays:
            hints.append(
                "every date that is not a Monday is a Sunday: if the file uses week-ending dates, "
                "import it with --week-ending"
            )
    return hints


def _duplicate_problem(date_column: str, key: tuple[str, str], first: int, number: int) -> RowProblem:
    return RowProblem(
        number, date_column, f"ward {key[0]}, week {key[1]} appears twice: rows {first} and {number}"
    )


def parse_weekly_table(
    table: Table,
    wards: dict[str, Ward],
    *,
    week_ending: bool = False,
    today: dt.date | None = None,
) -> tuple[list[tuple[int, WeeklyCounts, bool]], list[RowProblem], list[str]]:
    """Validate every row through the model: (row number, counts, file has note) triples, problems, hints.

    Pure (no database): `wards` is the registry by code. The reference the fast path
    (`parse_weekly_rows`) is tested against; it builds a pydantic model per row.
    """
    date_column = _check_columns(table, week_ending)
    index = table.index()
    has_note = "note" in index
    good: list[tuple[int, WeeklyCounts, bool]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str], int] = {}
    non_mondays: list[int] = []
    for number, cells in table.rows:
        if not number % 1024:
            table.deadline.check(table.source)
        counts, row_problems, non_monday = _validate_row(
            number, cells, len(table.header), index, date_column, has_note, wards, week_ending, today
        )
        if non_monday:
            non_mondays.append(number)
        if counts is not None:
            key = (counts.ward_code, counts.week_start.isoformat())
            if key in seen:
                row_problems.append(_duplicate_problem(date_column, key, seen[key], number))
            else:
                seen[key] = number
                good.append((number, counts, has_note))
        problems.extend(row_problems)
    order = {name: i for i, name in enumerate(table.header)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
    return good, problems, _hints(table, non_mondays, date_column, week_ending)


@dataclass
class WeeklyRows:
    """Valid weekly rows, column by column, in file order: what the fast path hands the store."""

    numbers: list[int]
    ward_codes: Any  # sequence of str (a numpy object array from the fast path)
    week_starts: Any  # sequence of ISO date str
    counts: Any  # numpy int64 array, one row per week, columns COUNT_FIELDS
    notes: Any  # sequence of str or None
    has_note: bool

    def __len__(self) -> int:
        return len(self.numbers)

    def tuples(self) -> Any:
        """(ward_code, week_start, restraint, prone, seclusion, rt, bed_days, note) per row."""
        columns = [c.tolist() for c in self.counts.T] if len(self) else [[] for _ in COUNT_FIELDS]
        return zip(self.ward_codes, self.week_starts, *columns, self.notes, strict=True)


#: Above this many values, factorising uses pandas' hash table (pandas is loaded by then anyway).
_PANDAS_FACTORIZE_AT = 20_000


def _factorize(values: Any) -> tuple[Any, list[Any]]:
    """(codes, uniques) of a numpy object array of str: each distinct value is checked once."""
    import numpy as np

    if len(values) >= _PANDAS_FACTORIZE_AT:
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return np.asarray(codes, dtype=np.int64), list(uniques)
    seen: dict[Any, int] = {}
    codes = np.fromiter((seen.setdefault(v, len(seen)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(seen)


def parse_weekly_rows(
    table: Table,
    wards: dict[str, Ward],
    *,
    week_ending: bool = False,
    today: dt.date | None = None,
) -> tuple[WeeklyRows, list[RowProblem], list[str]]:
    """Validate every row, fast: exactly the rules and messages of `parse_weekly_table`.

    Rows whose cells are plain (a registered active ward's code as stored, a date, digits, no
    note) are checked column-wise with numpy against the model's rules (counts and bed-days
    bounds, prone <= restraint, bed days > 0 when counts > 0, bed days <= beds x 7, Monday, not in
    the future); each distinct cell value is parsed once. Every other row, and every row that fails
    a check, goes through the model itself, so each problem is the model's own message: there is
    one source of truth. No per-row Python objects are built for the plain rows.
    """
    import numpy as np

    date_column = _check_columns(table, week_ending)
    index = table.index()
    has_note = "note" in index
    header_length = len(table.header)
    columns = [index["ward_code"], index[date_column], *(index[c] for c in COUNT_FIELDS)]
    note_at = index.get("note")
    width = max(columns + ([note_at] if note_at is not None else [])) + 1
    ward_at, date_at, *count_at = columns
    monday = monday_of(today or dt.date.today())
    active = {code: ward.max_bed_days for code, ward in wards.items() if ward.active}
    total = len(table)
    numbers = table.numbers
    lengths = table.lengths
    fast = (lengths >= width) & (lengths <= header_length)

    def strings(position: int) -> Any:
        """The cells at `position`; a cell that is not a str becomes '' and its row goes the slow way."""
        values = table.column(position)
        if table.text:
            return values  # every cell a fast row can hold is a str
        is_str = np.fromiter((type(v) is str for v in values), dtype=bool, count=total)
        if is_str.all():
            return values
        fast[~is_str] = False
        values = values.copy()
        values[~is_str] = ""
        return values

    def week_of(text: str) -> str | None:
        try:
            day = parse_date(text, "Week start")
        except PydanticCustomError:
            return None
        if week_ending:
            if day.weekday() != 6:
                return None
            day -= dt.timedelta(days=6)
        if day.weekday() != 0 or day > monday or day < EARLIEST_WEEK:
            return None
        return day.isoformat()

    def number_of(text: str) -> int:
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else -1

    ward_codes = strings(ward_at)
    codes, uniques = _factorize(np.where(fast, ward_codes, ""))
    ceiling = np.asarray([active.get(u, -1) if type(u) is str else -1 for u in uniques], dtype=np.int64)[codes]
    fast &= np.asarray([type(u) is str and u in active for u in uniques], dtype=bool)[codes]

    codes, uniques = _factorize(np.where(fast, strings(date_at), ""))
    week_of_unique = np.empty(len(uniques), dtype=object)
    week_of_unique[:] = [week_of(u) if type(u) is str else None for u in uniques]
    weeks = week_of_unique[codes]
    fast &= weeks != None  # noqa: E711 - elementwise on an object array

    counts = np.empty((total, len(COUNT_FIELDS)), dtype=np.int64)
    for j, position in enumerate(count_at):
        codes, uniques = _factorize(np.where(fast, strings(position), ""))
        counts[:, j] = np.asarray([number_of(u) if type(u) is str else -1 for u in uniques], dtype=np.int64)[codes]
    fast &= (counts >= 0).all(axis=1)
    if note_at is not None:
        fast &= table.column(note_at) == ""

    restraint, prone, seclusion, rapid, bed_days = counts.T
    ok = (
        fast
        & (counts[:, :4] <= MAX_WEEKLY_COUNT).all(axis=1)
        & (bed_days <= 7 * MAX_WEEKLY_COUNT)
        & (prone <= restraint)
        & ((bed_days > 0) | (restraint + seclusion + rapid == 0))
        & (bed_days <= ceiling)
    )
    notes: Any = np.full(total, None, dtype=object)
    codes_out = np.array(ward_codes, dtype=object, copy=True)

    problems: list[RowProblem] = []
    non_mondays: list[int] = []
    for i, k in enumerate(np.flatnonzero(~ok).tolist()):  # in file order: the model says what is wrong
        if not i % 1024:
            table.deadline.check(table.source)
        number = int(numbers[k])
        model, row_problems, non_monday = _validate_row(
            number, table.row(k), header_length, index, date_column, has_note, wards, week_ending, today
        )
        if non_monday:
            non_mondays.append(number)
        problems.extend(row_problems)
        if model is not None:
            ok[k] = True
            codes_out[k] = model.ward_code
            weeks[k] = model.week_start.isoformat()
            counts[k] = [getattr(model, f) for f in COUNT_FIELDS]
            notes[k] = model.note

    kept = np.flatnonzero(ok)
    numbers_out = numbers[kept]
    codes_out, weeks, counts, notes = codes_out[kept], weeks[kept], counts[kept], notes[kept]

    # Duplicates: the first valid row of a (ward, week) is kept, each later one is a problem.
    ward_ids, _ = _factorize(codes_out)
    week_ids, week_uniques = _factorize(weeks)
    keys = ward_ids * max(len(week_uniques), 1) + week_ids
    ordered = np.sort(keys)
    if (ordered[1:] == ordered[:-1]).any():
        seen: dict[int, int] = {}
        keep_positions = []
        for position, (number, key) in enumerate(zip(numbers_out.tolist(), keys.tolist(), strict=True)):
            if key in seen:
                pair = (codes_out[position], weeks[position])
                problems.append(_duplicate_problem(date_column, pair, seen[key], number))
            else:
                seen[key] = number
                keep_positions.append(position)
        numbers_out, codes_out, weeks = numbers_out[keep_positions], codes_out[keep_positions], weeks[keep_positions]
        counts, notes = counts[keep_positions], notes[keep_positions]

    order = {name: i for i, name in enumerate(table.header)}
    problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
    rows = WeeklyRows(numbers_out.tolist(), codes_out, weeks, counts, notes, has_note)
    return rows, problems, _hints(table, non_mondays, date_column, week_ending)


def _read_valid_rows(
    store: Store, path: str | Path, week_ending: bool, today: dt.date | None, sheet: str | None
) -> tuple[WeeklyRows, str, list[str]]:
    """Read and validate a weekly file: (rows, source, notes), or FileRefused / RowsRefused."""
    table = read_table(path, sheet=sheet, limits=limits_for("weekly"))
    wards = {w.code: w for w in store.registry.wards()}
    rows, problems, hints = parse_weekly_rows(table, wards, week_ending=week_ending, today=today)
    if problems:
        raise RowsRefused(table.source, problems, hints)
    if not len(rows):
        raise FileRefused(f"{table.source} has a header but no data rows; nothing to import")
    return rows, table.source, list(table.notes)


def _run(
    store: Store,
    path: str | Path,
    *,
    week_ending: bool,
    dry_run: bool,
    today: dt.date | None,
    sheet: str | None,
    progress: Callable[[str], None] | None = None,
) -> WeeklyImportResult:
    rows, source, notes = _read_valid_rows(store, path, week_ending, today, sheet)
    if progress and not dry_run:
        progress(f"saving {len(rows):,} rows")
    summary = store.weekly.upsert_rows(
        rows.tuples(), keep_stored_notes=not rows.has_note, today=today, dry_run=dry_run
    )
    changed = summary.inserted + [key for key, _, _ in summary.updated]
    if changed:
        notes += unusual_notes(store, rows if dry_run else None, changed)
    return WeeklyImportResult(
        source=source,
        dry_run=dry_run,
        rows=len(rows),
        inserted=summary.inserted,
        updated=[WeekChange(key[0], key[1], before, after) for key, before, after in summary.updated],
        unchanged=summary.unchanged,
        notes=notes,
    )


#: How many unusual values an import lists one by one (the rest are counted).
UNUSUAL_SHOWN = 20
#: Above this many weeks inserted or changed (a national history loaded at once) the check is
#: skipped, and a note says so: it would add seconds to an import that is a copy of checked data.
UNUSUAL_CHECK_MAX = 50_000


def unusual_notes(store: Store, rows: WeeklyRows | None, changed: list[tuple[str, str]]) -> list[str]:
    """The plausibility check of the week form (rrp.reports.corrections), for the weeks an import
    inserts or changes: warnings, never a refusal. `rows`: the file's rows for a dry run (laid
    over the stored weeks); None after a write (the stored weeks already hold them)."""
    if len(changed) > UNUSUAL_CHECK_MAX:
        return [
            f"unusual values not checked: {len(changed):,} weeks inserted or changed (the check runs "
            f"on imports of up to {UNUSUAL_CHECK_MAX:,}; the week form checks each week as it is saved)"
        ]
    import pandas as pd

    from rrp.messages import day_month
    from rrp.reports.corrections import unusual_in_frame

    codes = sorted({code for code, _ in changed})
    frame = store.weekly.frame(ward_codes=codes)
    if rows is not None:
        columns = ["ward_code", "week_start", *COUNT_FIELDS]
        theirs = pd.DataFrame(
            {"ward_code": list(rows.ward_codes), "week_start": list(rows.week_starts),
             **{name: rows.counts[:, i] for i, name in enumerate(COUNT_FIELDS)}}
        )
        theirs = theirs[theirs["ward_code"].isin(codes)]
        theirs["week_start"] = pd.to_datetime(theirs["week_start"], format="%Y-%m-%d")
        frame = pd.concat([frame[columns], theirs], ignore_index=True).drop_duplicates(
            ["ward_code", "week_start"], keep="last"
        )
    beds = {w.code: w.beds for w in store.registry.wards()}
    found = unusual_in_frame(frame, beds, changed)
    notes = [
        f"unusual, imported as given (check it): {code} week of {day_month(week)}: {unusual.message}"
        for code, week, unusual in found[:UNUSUAL_SHOWN]
    ]
    if len(found) > UNUSUAL_SHOWN:
        notes.append(f"... and {len(found) - UNUSUAL_SHOWN:,} more unusual values")
    return notes


def plan_weekly_import(
    store: Store,
    path: str | Path,
    *,
    week_ending: bool = False,
    today: dt.date | None = None,
    sheet: str | None = None,
) -> WeeklyImportResult:
    """Read and validate a weekly file and compare it with the database (writes nothing).

    Returns what importing it would do. Raises FileRefused (usage: the file cannot be read,
    columns missing/unknown) or RowsRefused (bad rows: every one listed).
    """
    return _run(store, path, week_ending=week_ending, dry_run=True, today=today, sheet=sheet)


def import_weekly(
    store: Store,
    path: str | Path,
    *,
    week_ending: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
    sheet: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> WeeklyImportResult:
    """Import a weekly CSV/XLSX file: every row valid and saved in one transaction, or nothing.

    With dry_run the result says what would be inserted, updated (old and new values) and left
    unchanged, and nothing is written. Raises FileRefused or RowsRefused. Validation is
    column-wise (`parse_weekly_rows`) and saving set-based (`WeeklyRepository.upsert_rows`): one
    transaction, one audit row per inserted or updated week, as `save_many` would write.
    """
    return _run(
        store, path, week_ending=week_ending, dry_run=dry_run, today=today, sheet=sheet, progress=progress
    )
