"""Measures and their values in and out: `rrp import|export measures` and `rrp import|export values`.

Measures travel as TOML (`[[measure]]` tables, rrp.models.measure_file); values in a long format,
one row per ward, measure and period (CSV or XLSX, read by the same reader as the weekly import).
Both imports are all-or-nothing: every problem is named (the [[measure]] and field; the row and
column) and nothing is written unless every row is good. A dry run does the whole import in a
transaction that is rolled back, so it reports exactly what the real one would do.

Values of the core column-backed measures (restraint, ...) go into the week's weekly row (which must
exist), through the weekly repository; a per-bed-days measure needs the ward's weekly row for that
week (its occupied bed days); rows of a derived sum (all_restrictive) are skipped with a note, so
a file from `rrp export values` imports as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from rrp.exchange.reading import ExchangeError, FileRefused, read_table
from rrp.exchange.weekly_import import RowsRefused, unneutralise
from rrp.models.fields import field_errors, whole_number
from rrp.models.measure import Measure, MeasureSet
from rrp.models.measure_value import MeasureValue, validate_value
from rrp.models.problems import RowProblem

if TYPE_CHECKING:
    import pandas as pd

    from rrp.exchange.exports import ExportFilter
    from rrp.store import Store

REQUIRED_COLUMNS = ("ward_code", "period_start", "measure_code", "numerator")
OPTIONAL_COLUMNS = ("denominator",)
#: Columns of `rrp export values` that an import reads past (the store computes them).
IGNORED_COLUMNS = ("provider_code", "ward_name", "measure_name", "kind", "value", "provisional")


class MeasuresRefused(ExchangeError):
    """A measures file was refused; `problems` names each [[measure]] and field (exit code 1)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source} was refused: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was imported")


class _DryRun(Exception):
    """Raised inside a dry run's transaction so that it rolls back."""


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), by key."""

    source: str
    dry_run: bool
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.source}: {len(self.inserted)} added, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged ({'dry run: nothing ' + verb + ' written' if self.dry_run else 'saved'})."
        )


# -- measures ------------------------------------------------------------------------------------


def import_measures(store: Store, path: Path, *, dry_run: bool = False) -> ImportResult:
    """Add or update the measures in a TOML file (others are left as they are): all or nothing."""
    from rrp.exchange.limits import limits_for, read_bounded
    from rrp.models.measure_file import MeasureFileError, parse_measures

    limits = limits_for("measures")
    data = read_bounded(Path(path), limits)  # a regular file, within its byte limit
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(f"{path} is not UTF-8 text") from None
    try:
        measures = parse_measures(text, base=store.measures.all(), max_measures=limits.max_rows)
    except MeasureFileError as exc:
        raise MeasuresRefused(str(path), exc.problems) from None
    wards = {w.code for w in store.registry.wards()}
    unknown = [
        f"[[measure]] {i} ({m.code}), ward_code: ward {m.ward_code} is not in the collaborative's registry"
        for i, m in enumerate(measures, start=1)
        if m.ward_code is not None and m.ward_code not in wards
    ]
    if unknown:
        raise MeasuresRefused(str(path), unknown)
    result = ImportResult(str(path), dry_run)
    try:
        with store.database.transaction():
            saved = store.measures.save_many(measures)
            result.inserted, result.updated, result.unchanged = saved.inserted, saved.updated, saved.unchanged
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def measures_text(store: Store) -> str:
    """Every stored measure as a TOML file that `import_measures` reads back to the same set."""
    from rrp.models.measure_file import dump_measures

    return dump_measures(store.measures.all())


def export_measures(store: Store, out: str | Path | IO[bytes]) -> int:
    """Write the measures TOML to a path, '-' (stdout) or a binary handle; returns how many."""
    from rrp.exchange.csv_out import _target

    text = measures_text(store)
    # Through the one writer: never over the open database or anything not a regular file.
    with _target(out, store.path) as handle:
        handle.write(text.encode("utf-8"))
    return len(store.measures.all())


# -- values out ----------------------------------------------------------------------------------


def values_table(
    store: Store, flt: ExportFilter, ward_codes: list[str] | None, registry: pd.DataFrame
) -> pd.DataFrame:
    """The long table of every measure's values (rrp.reports.measure_values) for the filter."""
    from rrp.reports.measure_values import measure_values_table

    weekly = store.weekly.frame(ward_codes=ward_codes, start=flt.start, end=flt.end)
    values = store.measures.values_frame(ward_codes=ward_codes, start=flt.start, end=flt.end)
    return measure_values_table(store.measures.all(), weekly, values, registry)


# -- values in -----------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    measure: Measure
    value: MeasureValue
    denominator_cell: Any

    @property
    def key(self) -> tuple[str, str, dt.date]:
        return (self.value.ward_code, self.measure.code, self.value.period_start)


def _check_columns(header: list[str], source: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *IGNORED_COLUMNS}
    unknown = [c for c in header if c not in known]
    problems = []
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(repr(c) for c in unknown)}")
    if problems:
        raise FileRefused(
            f"{source}: {'; '.join(problems)}. A values file has the columns {', '.join(REQUIRED_COLUMNS)} "
            "and, for a proportion, denominator"
        )


def _text(value: Any) -> str:
    value = unneutralise(value)
    return "" if value is None else str(value).strip()


def import_values(
    store: Store, path: Path, *, dry_run: bool = False, sheet: str | None = None, today: dt.date | None = None
) -> ImportResult:
    """Import a long values file (CSV or XLSX): every row valid, or nothing is written."""
    table = read_table(path, sheet=sheet)
    _check_columns(table.header, table.source)
    index = table.index()
    measures = store.measures.all()
    wards = {w.code: w for w in store.registry.wards()}
    problems: list[RowProblem] = []
    rows: list[_Row] = []
    first_row: dict[tuple[str, str, dt.date], int] = {}
    skipped: dict[str, int] = {}
    for number, cells in table.rows:
        texts = {c: _text(table.cell(cells, c, index)) for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        if not any(texts.values()):
            continue  # a blank line
        row_problems = _row_problems(number, texts, measures, wards)
        if row_problems:
            problems += row_problems
            continue
        measure = measures[texts["measure_code"].lower()]
        if measure.derived:
            skipped[measure.code] = skipped.get(measure.code, 0) + 1
            continue
        try:
            value = validate_value(
                {"ward_code": texts["ward_code"], "period_start": texts["period_start"],
                 "numerator": texts["numerator"], "denominator": texts["denominator"]},
                measure=measure, today=today,
            )
        except ValidationError as exc:
            problems += [RowProblem(number, column, message) for column, message in field_errors(exc).items()]
            continue
        row = _Row(number, measure, value, texts["denominator"])
        if row.key in first_row:
            problems.append(RowProblem(number, "period_start", f"{row.key[0]} {measure.code} {value.period_start} is also in row {first_row[row.key]}"))
            continue
        first_row[row.key] = number
        rows.append(row)
    # The rows that are valid on their own are also checked against the store, so one refusal
    # names every problem in the file.
    problems += _store_problems(store, rows, measures, wards, today)
    if problems:
        raise RowsRefused(table.source, sorted(problems, key=lambda p: p.row))
    result = ImportResult(table.source, dry_run, notes=list(table.notes))
    for code, count in skipped.items():
        result.notes.append(f"{count} row{'s' if count != 1 else ''} of {code} skipped: it is derived (sum_of), never entered")
    try:
        with store.database.transaction():
            _write(store, rows, result, today)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _row_problems(number: int, texts: dict[str, str], measures: MeasureSet, wards: dict[str, Any]) -> list[RowProblem]:
    """The ward and measure of one row: known, active, switched on, the ward's to enter."""
    problems = []
    ward = wards.get(texts["ward_code"].upper())
    if not texts["ward_code"]:
        problems.append(RowProblem(number, "ward_code", "ward_code is required"))
    elif ward is None:
        problems.append(RowProblem(number, "ward_code", f"ward {texts['ward_code']} is not in the collaborative's registry"))
    elif not ward.active:
        problems.append(RowProblem(number, "ward_code", f"ward {ward.code} is no longer active in the collaborative"))
    measure = measures.get(texts["measure_code"].lower())
    if not texts["measure_code"]:
        problems.append(RowProblem(number, "measure_code", "measure_code is required"))
    elif measure is None:
        problems.append(RowProblem(number, "measure_code", f"measure {texts['measure_code']} is not defined (rrp import measures adds it)"))
    elif not measure.enabled:
        problems.append(RowProblem(number, "measure_code", f"measure {measure.code} is switched off (enabled = false)"))
    elif measure.ward_code is not None and ward is not None and measure.ward_code != ward.code:
        problems.append(RowProblem(number, "measure_code", f"measure {measure.code} is ward {measure.ward_code}'s own measure"))
    return problems


def _store_problems(
    store: Store, rows: list[_Row], measures: MeasureSet, wards: dict[str, Any], today: dt.date | None
) -> list[RowProblem]:
    """Rules against what is stored: the week's bed days, parts against wholes, the weekly rules."""
    from rrp.models.weekly import validate_week

    problems: list[RowProblem] = []
    codes = sorted({r.value.ward_code for r in rows})
    weeks = {
        (w.counts.ward_code, w.counts.week_start): w.counts
        for code in codes
        for w in store.weekly.weeks(code)
    }
    in_file = {r.key: r for r in rows}

    def numerator_of(ward: str, code: str, period: dt.date) -> Any:
        row = in_file.get((ward, code, period))
        if row is not None:
            return row.value.numerator
        measure = measures[code]
        if measure.column_name is not None:
            week = weeks.get((ward, period))
            return None if week is None else getattr(week, measure.column_name)
        stored = store.measures.value(ward, code, period)
        return None if stored is None else stored.value.numerator

    for row in rows:
        m, v = row.measure, row.value
        if m.recorded_as == "count_per_bed_days":
            week = weeks.get((v.ward_code, v.period_start))
            if week is None:
                problems.append(RowProblem(
                    row.number, "period_start",
                    f"{v.ward_code} has no weekly counts for the week of {v.period_start}: {m.code} is per 1,000 "
                    "occupied bed days and needs that week's bed days; enter the week first",
                ))
                continue
            if week.occupied_bed_days == 0 and v.numerator > 0:
                problems.append(RowProblem(row.number, "numerator", f"{v.ward_code} had 0 occupied bed days in the week of {v.period_start}, so {m.code} must be 0"))
            if row.denominator_cell and _whole(row.denominator_cell) != week.occupied_bed_days:
                problems.append(RowProblem(
                    row.number, "denominator",
                    f"{m.code} uses the week's occupied bed days ({week.occupied_bed_days}), not {row.denominator_cell}: leave denominator empty",
                ))
        both_weekly = m.column_name is not None  # core part and whole: the weekly rules below
        if m.part_of is not None and not both_weekly:
            whole = numerator_of(v.ward_code, m.part_of, v.period_start)
            if whole is None:
                problems.append(RowProblem(row.number, "numerator", f"{m.code} is part of {m.part_of}, which has no value for {v.ward_code} {v.period_start}: enter it first"))
            elif v.numerator > whole:
                problems.append(RowProblem(row.number, "numerator", f"{m.code} ({v.numerator}) cannot exceed {m.part_of} ({whole})"))
        for part in measures.parts(m.code):
            if (v.ward_code, part.code, v.period_start) in in_file or (both_weekly and part.column_name):
                continue  # checked on the part's own row
            stored = numerator_of(v.ward_code, part.code, v.period_start)
            if stored is not None and stored > v.numerator:
                problems.append(RowProblem(row.number, "numerator", f"{m.code} ({v.numerator}) cannot be below its part {part.code} ({stored})"))
    # Core counts change their weekly row: it must still pass every weekly rule.
    for (ward, week), group in _weekly_groups(rows).items():
        if (ward, week) not in weeks:
            continue  # refused above: no weekly row
        counts = weeks[(ward, week)].model_dump()
        counts.update({r.measure.column_name: r.value.numerator for r in group})
        try:
            validate_week(counts, ward=wards[ward], today=today)
        except ValidationError as exc:
            for column, message in field_errors(exc).items():
                target = next((r for r in group if r.measure.column_name == column), group[0])
                problems.append(RowProblem(target.number, "numerator", f"{column}: {message}"))
    return problems


def _whole(text: str) -> int | None:
    try:
        return whole_number(text, "denominator")
    except PydanticCustomError:
        return None


def _weekly_groups(rows: list[_Row]) -> dict[tuple[str, dt.date], list[_Row]]:
    groups: dict[tuple[str, dt.date], list[_Row]] = {}
    for row in rows:
        if row.measure.column_name is not None:
            groups.setdefault((row.value.ward_code, row.value.period_start), []).append(row)
    return groups


def _write(store: Store, rows: list[_Row], result: ImportResult, today: dt.date | None) -> None:
    """Write the rows inside the caller's transaction: weekly columns first (wholes), then values."""
    from rrp.models.weekly import WeeklyCounts

    changed_weeks = []
    for (ward, week), group in _weekly_groups(rows).items():
        stored = store.weekly.week(ward, week)
        assert stored is not None  # checked in _store_problems
        updates = {r.measure.column_name: r.value.numerator for r in group}
        for r in group:
            key = f"{ward}/{r.measure.code}/{week.isoformat()}"
            same = getattr(stored.counts, r.measure.column_name) == r.value.numerator
            (result.unchanged if same else result.updated).append(key)
        if any(getattr(stored.counts, c) != n for c, n in updates.items()):
            changed_weeks.append(WeeklyCounts.model_validate({**stored.counts.model_dump(), **updates}))
    if changed_weeks:
        store.weekly.save_many(changed_weeks, today=today)
    saved = store.measures.save_values(r.value for r in rows if r.measure.column_name is None)
    result.inserted += saved.inserted
    result.updated += saved.updated
    result.unchanged += saved.unchanged
