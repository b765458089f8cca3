"""Governance exports: build a table from the store (through rrp.reports.tables) and write it.

    table = export_table(store, "weekly", ExportFilter(provider="NVT"))
    result = export(store, "monthly", Path("monthly.csv"), ExportFilter(start=date(2026, 1, 1)))

The tables are the same ones the screens and `rrp report` show (one code path, rrp.reports.tables);
this module only reads the rows from the store, applies the filters and writes Excel-safe CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rrp.exchange.csv_out import write_csv
from rrp.exchange.dictionary import columns_of, dictionary_table
from rrp.exchange.kinds import EXPORT_KINDS
from rrp.exchange.reading import ExchangeError
from rrp.store.output_file import check_output, is_stdout

if TYPE_CHECKING:
    import pandas as pd

    from rrp.store import Store

RATE_DECIMALS = 2


class ExportRefused(ExchangeError):
    """The export's options do not make sense (an unknown ward or provider, from after to)."""


@dataclass(frozen=True)
class ExportFilter:
    """Which rows an export holds: one provider and/or some wards, and a date range (inclusive).

    Dates filter week_start (weekly, spc; monthly builds months from the weeks in range), the
    month (progress), planned_start (pdsa: a cycle with no planned start is always included) and
    on_date (annotations: the collaborative chart's own, with no ward, only when no provider or
    ward is chosen).
    """

    provider: str | None = None
    wards: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class ExportResult:
    kind: str
    out: str
    rows: int
    columns: list[str] = field(default_factory=list)


def _ward_codes(store: Store, flt: ExportFilter) -> list[str] | None:
    """The ward codes the filter selects (None: every ward); refuses unknown codes."""
    if flt.start and flt.end and flt.start > flt.end:
        raise ExportRefused(f"--from {flt.start} is after --to {flt.end}")
    if flt.provider is None and not flt.wards:
        return None
    wards = store.registry.wards()
    codes = {w.code for w in wards}
    wanted = [c.strip().upper() for c in flt.wards]
    unknown = [c for c in wanted if c not in codes]
    if unknown:
        raise ExportRefused(f"unknown ward{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    selected = [w for w in wards if not wanted or w.code in wanted]
    if flt.provider is not None:
        provider = flt.provider.strip().upper()
        if provider not in {p.code for p in store.registry.providers()}:
            raise ExportRefused(f"unknown provider: {provider}")
        selected = [w for w in selected if w.provider_code == provider]
    return [w.code for w in selected]


def _registry(store: Store) -> pd.DataFrame:
    from rrp.reports.tables import registry_table

    return registry_table(store.registry.providers(), store.registry.wards())


def weekly_frame(store: Store, flt: ExportFilter = ExportFilter(), *, notes: bool = True) -> pd.DataFrame:
    """The weekly rows the filter selects, as WeeklyRepository.frame() gives them (+ note)."""
    codes = _ward_codes(store, flt)
    if notes:
        return store.weekly.frame_with_notes(ward_codes=codes, start=flt.start, end=flt.end)
    return store.weekly.frame(ward_codes=codes, start=flt.start, end=flt.end)


def _records_table(store: Store, table: str, flt: ExportFilter, date_column: str, columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    from rrp.store.sync import SyncRepository

    codes = _ward_codes(store, flt)
    rows = SyncRepository(store.database).records(table)
    frame = pd.DataFrame(rows)
    reg_columns = ["provider_code", "provider_name", "ward_code", "ward_name"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if codes is not None:
        frame = frame[frame["ward_code"].isin(codes)]
    dates = frame[date_column]
    if flt.start is not None:
        frame = frame[dates.isna() | (dates >= flt.start.isoformat())]
        dates = frame[date_column]
    if flt.end is not None:
        frame = frame[dates.isna() | (dates <= flt.end.isoformat())]
    registry = _registry(store)[reg_columns]
    frame = frame.merge(registry, on="ward_code", how="left")
    frame = frame.sort_values(["provider_code", "ward_code", date_column], kind="mergesort", na_position="last")
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return frame[columns].reset_index(drop=True)


def rebase_points(store: Store) -> dict[Any, list[dt.date]]:
    """The rebases users recorded (annotations of kind 'rebase'), as spc_table's rebase_at.

    Keys are a ward code (a rebase of every measure) or (ward code, measure).
    """
    from rrp.store.sync import SyncRepository

    points: dict[Any, list[dt.date]] = {}
    for row in SyncRepository(store.database).records("annotation"):
        if row["kind"] != "rebase" or row["ward_code"] is None:
            continue
        key = row["ward_code"] if row["measure"] is None else (row["ward_code"], row["measure"])
        points.setdefault(key, []).append(dt.date.fromisoformat(row["on_date"]))
    return points


def export_table(store: Store, kind: str, flt: ExportFilter = ExportFilter(), **options: Any) -> pd.DataFrame:
    """The table `rrp export KIND` writes, as a DataFrame (for the screens' previews too).

    options for spc: chart, rules, direction, fix_after, target (see rrp.reports.tables.spc_table).
    """
    from rrp.reports import tables

    if kind == "dictionary":
        return dictionary_table()
    if kind == "weekly":
        return tables.weekly_table(weekly_frame(store, flt), _registry(store))
    if kind == "monthly":
        return tables.monthly_table(weekly_frame(store, flt, notes=False), _registry(store))
    if kind == "spc":
        if not options:
            # The default export: every measure charted exactly as the dashboard and the huddle
            # chart it (rrp.reports.figures), so its icons are theirs.
            import pandas as pd

            from rrp.reports.figures import read_figure_inputs

            inputs = read_figure_inputs(store)
            codes = _ward_codes(store, flt)
            values = inputs["values"]
            if codes is not None:
                values = values[values["ward_code"].isin(codes)]
            if flt.start is not None:
                values = values[values["period_start"] >= pd.Timestamp(flt.start)]
            if flt.end is not None:
                values = values[values["period_start"] <= pd.Timestamp(flt.end)]
            return tables.measure_spc_table(
                inputs["measure_set"],
                weekly_frame(store, flt, notes=False),
                values,
                _registry(store),
                aim_reduction=store.change_package.aim().reduction,
                rebase_at=inputs["rebase_at"],
                fix_after=inputs["fix_after"],
                targets=inputs["targets"],
            )
        options.setdefault("rebase_at", rebase_points(store))
        return tables.spc_table(weekly_frame(store, flt, notes=False), _registry(store), **options)
    if kind == "pdsa":
        return _records_table(store, "pdsa_cycle", flt, "planned_start", columns_of("pdsa"))
    if kind == "progress":
        return _records_table(store, "progress_score", flt, "month", columns_of("progress"))
    if kind == "annotations":
        return _records_table(store, "annotation", flt, "on_date", columns_of("annotations"))
    if kind == "values":
        from rrp.exchange.measures_exchange import values_table

        return values_table(store, flt, _ward_codes(store, flt), _registry(store))
    if kind == "board":
        from rrp.reports.board import board_summary

        return board_summary(export_table(store, "monthly", flt))
    raise ExportRefused(f"unknown export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}")


def export_decimals(kind: str, table: pd.DataFrame) -> dict[str, int]:
    """The decimal places each rounded column of the KIND export is written with (CSV and workbook)."""
    decimals = {c: RATE_DECIMALS for c in table.columns if c.endswith("_rate")}
    if kind == "values":
        decimals["value"] = RATE_DECIMALS
    if kind == "spc":
        decimals.update({c: 4 for c in ("rate", "centre", "lower_limit", "upper_limit", "target")})
    if kind == "board":
        decimals["change_percent"] = 1
    return decimals


def export(
    store: Store | None,
    kind: str,
    out: str | Path | IO[bytes],
    flt: ExportFilter = ExportFilter(),
    *,
    database: str | Path | None = None,
    **options: Any,
) -> ExportResult:
    """Write the KIND export as Excel-safe CSV to `out` (a path, '-' for stdout, or a handle).

    A path is refused when it is the open database (the store's, or `database` when no store is
    needed, as for the dictionary), any database, or not a regular file (rrp.store.output_file).
    """
    if store is not None:
        database = store.path
    if kind != "dictionary" and store is None:
        raise ExportRefused(f"the {kind} export needs a database")
    if isinstance(out, (str, Path)) and not is_stdout(out):
        check_output(out, database=database)  # refuse before the work, not after it
    table = export_table(store, kind, flt, **options)  # type: ignore[arg-type]
    rows = write_csv(table, out, decimals=export_decimals(kind, table), database=database)
    return ExportResult(kind, str(out) if isinstance(out, (str, Path)) else "<stream>", rows, list(table.columns))
