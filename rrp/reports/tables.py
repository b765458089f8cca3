"""The governance tables: weekly, monthly and SPC, per ward, with rates. Pure: frames in, frames out.

The screens, `rrp report` and `rrp export` all build their tables here, so every place shows the
same figures. Nothing here opens the database: the caller passes the weekly rows and the registry.

Conventions (also in the data dictionary):
- rates are per 1,000 occupied bed days; a period with 0 bed days has no rate (empty, not 0);
- all_restrictive = restraint + seclusion + rapid_tranquillisation (prone is inside restraint);
- a week belongs to the calendar month that contains its Thursday (the ISO 8601 convention, so
  each week is counted once, whole, in the month holding most of its days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from rrp.models.measure import MeasureSet
    from rrp.models.registry import Provider, Ward

COUNT_COLUMNS = ("restraint", "prone_restraint", "seclusion", "rapid_tranquillisation")
RATE_MEASURES = (*COUNT_COLUMNS, "all_restrictive")
RATE_COLUMNS = tuple(f"{m}_rate" for m in RATE_MEASURES)
PER_BED_DAYS = 1000.0
REGISTRY_COLUMNS = ("provider_code", "provider_name", "ward_code", "ward_name")

WEEKLY_COLUMNS: tuple[str, ...] = (
    *REGISTRY_COLUMNS,
    "week_start",
    *COUNT_COLUMNS,
    "all_restrictive",
    "occupied_bed_days",
    *RATE_COLUMNS,
    "note",
    # Last, so that every column before it is where release 0.1.0 wrote it.
    "provisional",
)
MONTHLY_COLUMNS: tuple[str, ...] = (
    *REGISTRY_COLUMNS,
    "month",
    "weeks",
    *COUNT_COLUMNS,
    "all_restrictive",
    "occupied_bed_days",
    *RATE_COLUMNS,
    # last, so every earlier column keeps release 0.1.0's position (issue 13)
    "provisional_weeks",
)
SPC_COLUMNS: tuple[str, ...] = (
    *REGISTRY_COLUMNS,
    "measure",
    "week_start",
    "count",
    "occupied_bed_days",
    "rate",
    "centre",
    "lower_limit",
    "upper_limit",
    "special_cause",
    "rules",
    "trial",
    "segment",
    "chart",
    "rule_set",
    "direction",
    "per",
    "fix_after",
    "target",
    "variation_icon",
    "assurance_icon",
)

#: The default chart for a ward's rates (QI-METHODS.md): u chart per 1,000 bed days, MDC rules.
DEFAULT_SPC = {"chart": "u", "rules": "anhoej", "direction": "decrease", "per": PER_BED_DAYS}


def registry_table(providers: Iterable[Provider], wards: Iterable[Ward]) -> pd.DataFrame:
    """One row per ward with its provider: provider_code, provider_name, ward_code, ward_name, ..."""
    import pandas as pd

    names = {p.code: p.name for p in providers}
    rows = [
        {
            "provider_code": w.provider_code,
            "provider_name": names.get(w.provider_code, ""),
            "ward_code": w.code,
            "ward_name": w.name,
            "ward_type": w.ward_type.value,
            "beds": w.beds,
            "active": w.active,
            "participation_start": None if w.participation_start is None else w.participation_start.isoformat(),
        }
        for w in wards
    ]
    return pd.DataFrame(
        rows,
        columns=[*REGISTRY_COLUMNS, "ward_type", "beds", "active", "participation_start"],
    )


def _add_rates(frame: pd.DataFrame) -> pd.DataFrame:
    import numpy as np

    frame["all_restrictive"] = (
        frame["restraint"] + frame["seclusion"] + frame["rapid_tranquillisation"]
    )
    bed_days = frame["occupied_bed_days"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for measure, column in zip(RATE_MEASURES, RATE_COLUMNS, strict=True):
            frame[column] = np.where(
                bed_days > 0, frame[measure].astype(float) / bed_days * PER_BED_DAYS, np.nan
            )
    return frame


def _with_registry(frame: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    reg = registry[list(REGISTRY_COLUMNS)].drop_duplicates("ward_code")
    merged = frame.merge(reg, on="ward_code", how="left", validate="many_to_one")
    for column in REGISTRY_COLUMNS:
        merged[column] = merged[column].fillna("")
    return merged


def weekly_table(weekly: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """One row per ward-week: registry names, counts, all_restrictive, bed days, rates, note,
    provisional.

    `weekly` has ward_code, week_start and the count columns (and optionally note and the
    store's provisional flag), as `WeeklyRepository.frame()` returns them; `registry` is
    `registry_table(...)`.
    """
    import pandas as pd

    frame = weekly.copy()
    if "note" not in frame.columns:
        frame["note"] = None
    if "provisional" not in frame.columns:  # a frame not read from the store: nothing flagged
        frame["provisional"] = False
    frame["week_start"] = pd.to_datetime(frame["week_start"]).dt.date
    frame = _add_rates(_with_registry(frame, registry))
    frame = frame.sort_values(["provider_code", "ward_code", "week_start"], kind="mergesort")
    return frame[list(WEEKLY_COLUMNS)].reset_index(drop=True)


def month_of_week(week_start: Any) -> pd.Series:
    """The first day of the month containing each week's Thursday (week_start + 3 days)."""
    import pandas as pd

    thursday = pd.to_datetime(week_start) + pd.Timedelta(days=3)
    return thursday.dt.to_period("M").dt.start_time.dt.date


def monthly_table(weekly: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """One row per ward-month (a week counts in the month of its Thursday), with rates, and how
    many of its weeks are provisional (the store's flag, rrp.models.week_status): their counts
    are in the sums, as the weekly export shows them, and the column says the month may be part-counted."""
    frame = weekly.copy()
    if "provisional" not in frame.columns:  # a frame not read from the store: nothing flagged
        frame["provisional"] = False
    frame["provisional"] = frame["provisional"].astype(bool)
    frame["month"] = month_of_week(frame["week_start"])
    sums = (
        frame.groupby(["ward_code", "month"], sort=True)
        .agg(
            weeks=("week_start", "size"),
            restraint=("restraint", "sum"),
            prone_restraint=("prone_restraint", "sum"),
            seclusion=("seclusion", "sum"),
            rapid_tranquillisation=("rapid_tranquillisation", "sum"),
            occupied_bed_days=("occupied_bed_days", "sum"),
            provisional_weeks=("provisional", "sum"),
        )
        .reset_index()
    )
    sums["provisional_weeks"] = sums["provisional_weeks"].astype(int)
    sums = _add_rates(_with_registry(sums, registry))
    sums = sums.sort_values(["provider_code", "ward_code", "month"], kind="mergesort")
    return sums[list(MONTHLY_COLUMNS)].reset_index(drop=True)


def spc_table(
    weekly: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    measures: Iterable[str] = RATE_MEASURES,
    chart: str = DEFAULT_SPC["chart"],
    rules: str = DEFAULT_SPC["rules"],
    direction: str = DEFAULT_SPC["direction"],
    fix_after: int | None = None,
    rebase_at: dict[Any, list[Any]] | None = None,
    target: float | dict[Any, float] | None = None,
    per: float = PER_BED_DAYS,
) -> pd.DataFrame:
    """One row per ward, measure and week: the SPC engine's centre, limits and signals.

    Each ward's latest variation and assurance icon per measure are repeated on its rows. The
    chart options used are columns too, so a reader knows exactly what was computed. The engine
    (`rrp.reports.spc.compute_charts`) does all the statistics; this only shapes its output.
    rebase_at maps a ward code (every measure) or a (ward code, measure) pair to the week_starts
    that start a new segment; dates with no row in `weekly` are ignored.
    """
    import pandas as pd

    from rrp.reports.spc import compute_charts

    frame = weekly.copy()
    if "provisional" in frame.columns:
        # A provisional week is never a point (rrp.reports.figures.measure_points): no limits or
        # signals come from it, whichever chart options were chosen.
        frame = frame[~frame.pop("provisional").astype(bool)]
    frame["week_start"] = pd.to_datetime(frame["week_start"]).dt.date
    frame["all_restrictive"] = (
        frame["restraint"] + frame["seclusion"] + frame["rapid_tranquillisation"]
    )
    pieces = []
    for measure in measures:
        if frame.empty:
            break
        points, summary = compute_charts(
            frame,
            group="ward_code",
            value=measure,
            denominator="occupied_bed_days" if chart in ("u", "uprime", "run", "xmr") else None,
            x="week_start",
            chart=chart,  # type: ignore[arg-type]
            rules=rules,  # type: ignore[arg-type]
            direction=direction,  # type: ignore[arg-type]
            fix_after=fix_after,
            rebase_at=_rebases_for(frame, measure, rebase_at),
            target=target,
            per=per,
        )
        points = points.rename(columns={"x": "week_start", "value": "rate"})
        counts = frame[["ward_code", "week_start", measure, "occupied_bed_days"]].rename(
            columns={measure: "count"}
        )
        points = points.merge(counts, on=["ward_code", "week_start"], how="left")
        icons = summary[
            ["ward_code", "chart", "rules", "direction", "variation_icon", "assurance_icon"]
        ]
        icons = icons.rename(columns={"rules": "rule_set"})
        points = points.merge(icons, on="ward_code", how="left")
        points["measure"] = measure
        pieces.append(points)
    if not pieces:
        return pd.DataFrame(columns=list(SPC_COLUMNS))
    table = pd.concat(pieces, ignore_index=True)
    table["per"] = per
    table["fix_after"] = fix_after
    table["target"] = target if not isinstance(target, dict) else table["ward_code"].map(target)
    table = _with_registry(table, registry)
    order = {m: i for i, m in enumerate(measures)}
    table["_order"] = table["measure"].map(order)
    table = table.sort_values(
        ["provider_code", "ward_code", "_order", "week_start"], kind="mergesort"
    )
    return table[list(SPC_COLUMNS)].reset_index(drop=True)


def measure_spc_table(
    measure_set: MeasureSet,
    weekly: pd.DataFrame,
    values: pd.DataFrame | None,
    registry: pd.DataFrame,
    *,
    aim_reduction: float,
    rebase_at: dict[Any, list[Any]] | None = None,
    fix_after: dict[str, int] | None = None,
    targets: dict[str, dict[str, float]] | None = None,
) -> pd.DataFrame:
    """The spc export by default: one row per ward, measure and period for every enabled
    collaborative measure of the set, each charted as the dashboard and the huddle chart it
    (rrp.reports.figures.ward_figures: the measure's own chart type, direction and per, each
    ward's fixed baseline, rebases and aim as the assurance target). count and
    occupied_bed_days hold the numerator and the denominator (for a proportion, its
    denominator; blank for a count or value measure)."""
    import pandas as pd

    from rrp.reports import figures

    pieces = []
    for measure in measure_set:
        if not measure.enabled or measure.local:
            continue
        points = figures.measure_points(measure, measure_set, weekly, values)
        if points.empty:
            continue
        fig, chart = figures.ward_figures(
            measure,
            points,
            end_week=figures.last_complete_week(points["week_start"].max().date() + dt.timedelta(weeks=1)),
            aim_reduction=aim_reduction,
            fix_after=fix_after,
            rebase_at=rebase_at,
            targets=(targets or {}).get(measure.code),
        )
        rows = chart.rename(columns={"x": "week_start", "value": "rate"})
        rows = rows.merge(
            points[["ward_code", "week_start", "numerator", "denominator"]].rename(
                columns={"numerator": "count", "denominator": "occupied_bed_days"}
            ),
            on=["ward_code", "week_start"],
            how="left",
        )
        if measure.count_like:  # counts and denominators are whole numbers, written as such
            for column in ("count", "occupied_bed_days"):
                whole = rows[column].round()
                # numpy ints where nothing is missing (the fast CSV writer's kind), else Int64
                rows[column] = whole.astype("int64") if whole.notna().all() else whole.astype("Int64")
        if not figures.ratio(measure):
            rows["occupied_bed_days"] = None
        rows["measure"] = measure.code
        rows["chart"] = measure.chart
        rows["rule_set"] = rows["ward_code"].map(fig["rule_set"])  # the engine's (mdc: control charts)
        rows["direction"] = measure.direction
        rows["per"] = measure.per
        rows["fix_after"] = rows["ward_code"].map(fix_after or {})
        rows["target"] = rows["ward_code"].map(fig["aim"])
        rows["variation_icon"] = rows["ward_code"].map(fig["variation_icon"])
        rows["assurance_icon"] = rows["ward_code"].map(fig["assurance_icon"])
        rows["week_start"] = pd.to_datetime(rows["week_start"]).dt.date
        pieces.append(rows)
    if not pieces:
        return pd.DataFrame(columns=list(SPC_COLUMNS))
    table = _with_registry(pd.concat(pieces, ignore_index=True), registry)
    order = {m.code: i for i, m in enumerate(measure_set)}
    table["_order"] = table["measure"].map(order)
    table = table.sort_values(["provider_code", "ward_code", "_order", "week_start"], kind="mergesort")
    return table[list(SPC_COLUMNS)].reset_index(drop=True)


def _rebases_for(
    frame: pd.DataFrame, measure: str, rebase_at: dict[Any, list[Any]] | None
) -> dict[Any, list[Any]]:
    """One measure's rebase points per ward, keeping only weeks present in the frame."""
    if not rebase_at:
        return {}
    present = set(zip(frame["ward_code"], frame["week_start"], strict=True))
    out: dict[Any, list[Any]] = {}
    for key, days in rebase_at.items():
        if isinstance(key, tuple):
            ward, which = key
            if which != measure:
                continue
        else:
            ward = key
        for day in days:
            if (ward, day) in present and day not in out.get(ward, []):
                out.setdefault(ward, []).append(day)
    return out
