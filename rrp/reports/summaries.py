"""The collaborative dashboard from each ward's stored summary (issue 15: the national dashboard).

At national scale (2,000 wards x 260 weeks) computing the dashboard from every ward's weeks takes
seconds and hundreds of MB. Each ward's figures depend on that ward's rows only (its chart, its
change from baseline, its completeness; the settings every ward shares: the measures and the aim),
so they are computed once and kept (`ward_summary`, rrp.store.summaries); the database marks a
ward's summary out of date whenever anything it comes from changes. Opening the dashboard then
reads one summary per ward, recomputes only the wards marked out of date (in batches of
`BATCH` wards), and adds what spans the wards, from small reads:

- each ward's figures: `collaborative_dashboard` itself, run on a batch of wards
  (`compute_summaries`), its row of `Dashboard.wards` kept as JSON: the SAME function as the
  dashboard from scratch, never a second definition;
- the aggregate (the collaborative's u' charts): from one row a week, the sums over the selected
  wards (`WeeklyRepository.week_totals`) through the same `_aggregate`; a measure stored as
  values (not a weekly column) is aggregated from its points, read for the selected wards;
- the funnel: each ward's recent count and bed days (kept in its summary) through `_funnel`;
- completeness, PDSA activity and progress scores: the summary's flags; the cycles and scores
  (small tables) through `_pdsa` and `_progress`, as they depend on today's month.

`summary_dashboard` returns the same `Dashboard` as `collaborative_dashboard` on the same data
(tests/test_summary_agreement.py proves it on both engines, after saves, edits and deletes),
without the per-ward chart points: the highlighted ward's chart is read out from its summary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rrp.reports import dashboard as board
from rrp.reports import figures
from rrp.reports.figures import BASELINE_WEEKS, RECENT_WEEKS

if TYPE_CHECKING:
    from rrp.store import Store

#: Wards computed together when their summaries are out of date (bounds the rows held at once).
BATCH = 200
#: What a summary's JSON holds; a summary of another format is computed again.
FORMAT = 2  # 2: a provisional last week is not submitted; "to_confirm" kept
#: A ward's figure columns per measure, as `collaborative_dashboard` names them (m_<suffix>).
_SUFFIXES = ("baseline_rate", "recent_rate", "change", "aim_rate", "rate", "week", "variation", "assurance",
             "baseline_weeks", "recent_weeks", "meets_aim")
_DATES = {"week"}


def _plain(value: Any) -> Any:
    """A frame cell as JSON: NaN / NaT / None -> None, numpy numbers -> int / float, dates -> ISO."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    return value


def ward_summary(dash: board.Dashboard, record: dict[str, Any], points: pd.DataFrame | None = None) -> dict[str, Any]:
    """One ward's summary (JSON-ready) from its row of a dashboard computed from scratch (and
    its headline chart points, when the caller has looked them up)."""
    code = str(record["ward_code"])
    present = dash.completeness.loc[code].tolist() if code in dash.completeness.index else []
    measures = {}
    for m in dash.measures:
        figs = {suffix: _plain(record.get(f"{m}_{suffix}")) for suffix in _SUFFIXES}
        sums = dash.recent_sums.get(m)
        if sums is not None and code in sums.index:
            figs["recent_count"] = float(sums.at[code, "count"])
            figs["recent_exposure"] = float(sums.at[code, "exposure"])
        measures[m] = figs
    return {
        "format": FORMAT,
        "measures": measures,
        "weeks": [w.isoformat() for w in dash.weeks],
        "submitted": "".join("1" if v else "0" for v in present),
        "latest_week": _plain(record.get("latest_week")),
        "to_confirm": code in dash.to_confirm,
        "reading": board.ward_reading(dash, code, record=record, points=points),
    }


def compute_summaries(store: Store, ward_codes: Sequence[str], *, today: dt.date) -> dict[str, dict[str, Any]]:
    """The summaries of `ward_codes` (ward code -> JSON-ready dict), computed by
    `collaborative_dashboard` on those wards' inputs only."""
    inputs = board.read_inputs(store, list(ward_codes))
    dash = board.dashboard_from_inputs(inputs, today=today, with_aggregates=False)
    rows = board.ward_point_rows(dash)
    out = {}
    for record in dash.wards.to_dict("records"):
        found = rows.get(str(record["ward_code"]))
        points = dash.ward_points.iloc[found] if found is not None else dash.ward_points.iloc[:0]
        summary = ward_summary(dash, record, points)
        # "No weekly counts yet" is a statement about the selection: keep per ward whether the
        # ward has any (a week with bed days to the end week, or a stored value).
        code = str(record["ward_code"])
        summary["has_values"] = bool(
            summary["latest_week"] is not None
            or (inputs.values is not None and not inputs.values.empty and (inputs.values["ward_code"] == code).any())
        )
        out[code] = summary
    return out


def refresh(
    store: Store,
    ward_codes: Sequence[str],
    *,
    today: dt.date,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Compute and store the summaries of `ward_codes`, `batch` wards at a time. Returns them all
    (a database this role may not write still gets its figures, computed and not kept)."""
    end_week = figures.last_complete_week(today)
    codes = list(ward_codes)
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(codes), max(1, batch)):
        part = codes[start : start + batch]
        claimed = store.summaries.claim(part)
        computed = compute_summaries(store, part, today=today)
        store.summaries.save(claimed, end_week, computed)
        out.update(computed)
        if progress is not None:
            progress(min(start + batch, len(codes)), len(codes))
    return out


def out_of_date(store: Store, ward_codes: Sequence[str], *, today: dt.date) -> list[str]:
    """The wards among `ward_codes` whose summary must be computed again."""
    end_week = figures.last_complete_week(today)
    stored = store.summaries.read(ward_codes)
    return [c for c in ward_codes if not _current(stored.get(c), end_week)]


def _submitted(summary: dict[str, Any], weeks: Sequence[dt.date], days: list[str] | None = None) -> list[bool]:
    """The summary's submitted flags for `weeks`: read by date when it was computed to another
    end week (an out-of-date summary shown while it is computed again); a week it does not hold
    counts as not submitted. days: `weeks` as ISO dates (made once for every ward)."""
    flags = summary.get("submitted", "0" * len(weeks))
    held = summary.get("weeks")
    if days is None:
        days = [w.isoformat() for w in weeks]
    if held is None or held == days:
        return [ch == "1" for ch in flags]
    by_week = dict(zip(held, flags, strict=False))
    return [by_week.get(day) == "1" for day in days]


def _kept(stored: Any) -> dict[str, Any] | None:
    """A stored summary's figures if they are of FORMAT (current or not), else None."""
    figs = stored.figures if stored is not None else None
    return figs if (figs or {}).get("format") == FORMAT else None


def _current(stored: Any, end_week: dt.date) -> bool:
    """Is a stored summary (rrp.store.summaries.StoredSummary or None) current and of FORMAT?"""
    return stored is not None and stored.current(end_week) and (stored.figures or {}).get("format") == FORMAT


def summary_dashboard(
    store: Store,
    *,
    today: dt.date,
    provider: str | None = None,
    ward_type: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    aggregates: bool = True,
    compute_stale: bool = True,
    ward_codes: Sequence[str] | None = None,
    computed: dict[str, dict[str, Any]] | None = None,
    registry: Sequence[Any] | None = None,
) -> board.Dashboard:
    """The collaborative dashboard (as `collaborative_dashboard` computes it from every row) from
    the wards' summaries; out-of-date wards are computed first (`refresh`). aggregates=False:
    the ward table, completeness and PDSA only (`add_aggregates` adds the rest).

    compute_stale=False: nothing is computed; an out-of-date ward shows the figures its summary
    held (none if it never had one) and is listed in `Dashboard.updating`, for the caller to
    compute (`refresh`, in batches) and show again. ward_codes: only these of the selected
    wards (the rows of a batch just computed). computed: summaries just computed (`refresh`),
    taken as current whether or not they could be stored (a database this role may not write).
    registry: `store.registry.wards()` when the caller has just read it (not read twice).
    """
    from rrp.reports.tables import registry_table

    end_week = figures.last_complete_week(today)
    weeks = figures.recent_weeks_to(end_week, RECENT_WEEKS)
    wards = registry_table(store.registry.providers(), store.registry.wards() if registry is None else registry)
    selected = board._select_wards(wards, provider, ward_type)
    if ward_codes is not None:
        selected = selected[selected["ward_code"].isin(list(ward_codes))]
    codes = pd.Index(selected["ward_code"], name="ward_code")
    code_list = codes.tolist()  # walked many times below: a list is far quicker to walk than an Index
    stored = store.summaries.read(code_list) if len(codes) else {}
    fresh = dict(computed or {})
    stale = [c for c in code_list if c not in fresh and not _current(stored.get(c), end_week)]
    if stale and compute_stale:
        fresh.update(refresh(store, stale, today=today, progress=progress))
        stale = []
    summaries = {c: fresh.get(c) or _kept(stored.get(c)) for c in code_list}

    measure_set = store.measures.all()
    if len(measure_set) == 0:
        measure_set = figures.shipped_measures()  # as read_figure_inputs
    measures = tuple(m.code for m in figures.shown_measures(measure_set, end_week))
    try:
        aim_reduction = float(store.change_package.aim().reduction)
    except Exception:  # noqa: BLE001 - an unreadable aim falls back to the default (as read_inputs)
        aim_reduction = board.DEFAULT_AIM_REDUCTION

    table = selected.set_index("ward_code")
    kept = [(summaries[c] or {}).get("measures", {}) for c in code_list]
    for m in measures:
        figs = [k.get(m) or {} for k in kept]
        for suffix in _SUFFIXES:
            table[f"{m}_{suffix}"] = _column(suffix, [f.get(suffix) for f in figs])
    days = [w.isoformat() for w in weeks]
    present = pd.DataFrame(
        [_submitted(summaries[c] or {}, weeks, days) for c in code_list],
        index=codes,
        columns=list(weeks),
        dtype=bool,
    )
    present, table["weeks_submitted"], table["weeks_expected"] = figures.due_completeness(present, selected)
    table["latest_week"] = [_date((summaries[c] or {}).get("latest_week")) for c in code_list]

    pdsa, scores = board.read_activity(store, set(codes))
    pdsa_cols, monthly = board._pdsa(pdsa, codes, today)
    table = table.join(pdsa_cols).join(board._progress(scores, codes, today))

    notes = []
    if not any((summaries[c] or {}).get("has_values") for c in code_list):
        notes.append("No weekly counts for these wards yet.")
    dash = board.Dashboard(
        today=today,
        end_week=end_week,
        weeks=weeks,
        aim_reduction=aim_reduction,
        provider=provider,
        ward_type=ward_type,
        measures=measures,
        wards=table.reset_index(),
        aggregate=pd.DataFrame(),
        aggregate_summary=pd.DataFrame(),
        completeness=present,
        funnel=pd.DataFrame(),
        ward_points=pd.DataFrame(),
        pdsa_monthly=monthly,
        funnel_period=(weeks[0], weeks[-1]),
        notes=notes,
        measure_set=measure_set,
        readings={c: list((summaries[c] or {}).get("reading") or []) for c in code_list},
        recent_sums=_recent_sums(measure_set, measures, codes, summaries),
        # "to confirm" is about the summary's own end week: only one computed to this end week says it.
        to_confirm=frozenset(
            c for c in code_list
            if (summaries[c] or {}).get("to_confirm") and ((summaries[c] or {}).get("weeks") or [""])[-1] == end_week.isoformat()
        ),
        updating=tuple(stale),
    )
    return add_aggregates(store, dash) if aggregates else dash


def _recent_sums(
    measure_set: Any, measures: tuple[str, ...], codes: pd.Index, summaries: dict[str, Any]
) -> dict[str, pd.DataFrame]:
    """Each count_per_bed_days measure's kept recent sums (as Dashboard.recent_sums), for the
    measures some selected ward has points of (the funnel takes the first)."""
    out = {}
    code_list = codes.tolist()
    for m in measures:
        if measure_set[m].recorded_as != "count_per_bed_days":
            continue
        figs = [(c, ((summaries[c] or {}).get("measures") or {}).get(m) or {}) for c in code_list]
        if not any(f.get("week") for _, f in figs):
            continue  # no ward has a point: as collaborative_dashboard, no funnel of it
        kept = [(c, f) for c, f in figs if "recent_count" in f]
        out[m] = pd.DataFrame(
            {"count": [f["recent_count"] for _, f in kept], "exposure": [f["recent_exposure"] for _, f in kept]},
            index=pd.Index([c for c, _ in kept], name="ward_code"),
        ).sort_index()  # the order of collaborative_dashboard's groupby
    return out


def add_aggregates(store: Store, dash: board.Dashboard) -> board.Dashboard:
    """`dash` painted from summaries (its ward table) with what spans the wards added: the
    aggregate charts (from the weekly sums), the funnel and its limits. The screen paints the
    ward table first and adds these after (the funnel's limits alone take ~0.5 s at 2,000 wards)."""
    codes = pd.Index(dash.wards["ward_code"], name="ward_code")
    selected = dash.wards[[c for c in ("provider_code", "provider_name", "ward_code", "ward_name", "ward_type", "beds")
                           if c in dash.wards.columns]]
    measure_set = dash.measure_set if dash.measure_set is not None else figures.shipped_measures()
    aggregates, aggregate_summaries = _aggregates(store, measure_set, dash.measures, codes, dash.end_week,
                                                  dash.aim_reduction)
    funnel = pd.DataFrame()
    if dash.recent_sums:
        m, sums = next(iter(dash.recent_sums.items()))
        if not sums.empty:
            funnel = board._funnel(sums, selected)
            funnel["measure"] = m
    curve = (
        board.funnel_curve(
            float(funnel["target"].iloc[0]), float(funnel["exposure"].min()), float(funnel["exposure"].max())
        )
        if not funnel.empty
        else pd.DataFrame()
    )
    return dataclasses.replace(
        dash,
        aggregate=pd.concat(aggregates, ignore_index=True) if aggregates else pd.DataFrame(),
        aggregate_summary=pd.DataFrame(aggregate_summaries),
        funnel=funnel,
        funnel_curve=curve,
    )


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _column(suffix: str, cells: list[Any]) -> Any:
    """A figure column (values in the wards' order) with the dtype `collaborative_dashboard`
    gives it."""
    if suffix in _DATES:
        return pd.to_datetime(pd.Series([c if c else None for c in cells], dtype=object)).to_numpy()
    if suffix in ("variation", "assurance", "meets_aim"):
        return cells
    return np.array([np.nan if c is None else c for c in cells], dtype=float)


def _aggregates(
    store: Store,
    measure_set: Any,
    measures: tuple[str, ...],
    codes: pd.Index,
    end_week: dt.date,
    aim_reduction: float,
) -> tuple[list[pd.DataFrame], list[dict[str, Any]]]:
    """The collaborative's series and summaries of the measures that have one (as
    `collaborative_dashboard` makes them): core weekly measures from the weekly sums; measures
    stored as values from the selected wards' points."""
    aggregates, summaries = [], []
    if not len(codes):
        return aggregates, summaries
    totals = store.weekly.week_totals(list(codes), end=end_week)
    totals.insert(0, "ward_code", "*")
    rows: pd.DataFrame | None = None
    values: pd.DataFrame | None = None
    for code in measures:
        measure = measure_set[code]
        if figures.AGGREGATE_CHARTS.get(measure.chart) is None or not figures.ratio(measure):
            continue
        parts = [code, *measure.sum_of]
        column_backed = all(
            measure_set[c].column_backed for c in parts if measure_set.get(c) and not measure_set[c].derived
        ) and (measure.column_backed or measure.derived)
        if column_backed:
            points = figures.measure_points(measure, measure_set, totals, None, end_week=end_week)
            points = points.merge(totals[["week_start", "wards"]], on="week_start", how="left")
            result = board._aggregate(measure, points, codes, aim_reduction, BASELINE_WEEKS, RECENT_WEEKS,
                                      ward_weeks="wards")
        else:
            if rows is None:
                rows = store.weekly.frame(ward_codes=list(codes), end=end_week)
                rows = rows[rows["occupied_bed_days"].notna() & (rows["occupied_bed_days"] > 0)]
                values = store.measures.values_frame(ward_codes=list(codes))
            points = figures.measure_points(measure, measure_set, rows, values, end_week=end_week)
            result = board._aggregate(measure, points, codes, aim_reduction, BASELINE_WEEKS, RECENT_WEEKS)
        if points.empty or result is None:
            continue
        aggregates.append(result[0])
        summaries.append(result[1])
    return aggregates, summaries
