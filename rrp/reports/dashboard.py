"""The collaborative dashboard: every ward at a glance, the aggregate against the aim, who has not
submitted, the funnel and PDSA activity. ONE pure function, `collaborative_dashboard`, frames in,
a `Dashboard` (a dataclass of frames) out; the screen, `rrp report collaborative`, the slide pack
and the benchmark all call it, so they all show the same figures.

Conventions (see QI-METHODS.md and data/methods.md):
- the weeks of the dashboard end at the last complete week, the one before `today`'s
  (`end_week`): the week in progress is not yet due, so it neither counts as missed nor enters a
  chart half-filled; later rows are ignored. "Recent" is the last `recent_weeks` weeks to
  `end_week`, the same for every ward;
- per ward and measure: a u chart per 1,000 occupied bed days with the MDC rules and lower is
  better (as the governance export, `rrp.reports.tables.DEFAULT_SPC`), computed for every ward in
  ONE `compute_charts` call per measure; the assurance target is the ward's baseline rate x
  (1 - aim_reduction). Missing weeks are left out of the chart, never counted as zero;
- change from baseline: pooled rate of the recent weeks / pooled rate of the first
  `baseline_weeks` weeks of the calendar - 1 (`rrp.reports.aggregate.change_from_baseline`);
- the aggregate: the sum over the wards that submitted each week (`collaborative_series`), as a
  u' chart (large denominators), with the aim line = baseline rate x (1 - aim_reduction);
- completeness: weeks submitted of the recent weeks (a row with bed days is a submission);
- funnel: each ward's pooled all-restrictive rate over the recent weeks (for learning, not ranking);
- PDSA: cycles started this month (planned start in today's calendar month, not after today),
  running now (doing or studying), per month started (planned start) and completed (status done,
  by planned end), and change ideas adopted (distinct ideas with an Act decision "adopt").
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rrp.models.change_package import DEFAULT_AIM_REDUCTION as _DEFAULT_AIM
from rrp.models.pdsa import completed_on, due_for_study_on, is_running
from rrp.reports import figures
from rrp.reports.aggregate import collaborative_series
from rrp.reports.figures import BASELINE_WEEKS, RECENT_WEEKS
from rrp.reports.funnel import funnel_data
from rrp.reports.icons_text import VARIATION_LETTERS, VARIATION_WORDS
from rrp.reports.spc import compute_chart

if TYPE_CHECKING:
    from rrp.models.measure import Measure, MeasureSet
    from rrp.store import Store

#: The core measures on the dashboard when no measure set is given, headline first.
MEASURES: tuple[str, ...] = ("all_restrictive", "restraint", "prone_restraint", "seclusion", "rapid_tranquillisation")
#: The default aim (a one-third reduction) when the database has no 'aim_reduction'.
DEFAULT_AIM_REDUCTION = _DEFAULT_AIM
PER = 1000.0
WARD_CHART = "u"
AGGREGATE_CHART = "uprime"


@dataclass(frozen=True)
class Dashboard:
    """Everything the collaborative dashboard shows (all frames; see the module doc).

    wards: one row per ward (filtered), registry columns then, per measure m: m_rate (latest
      submitted week), m_week (that week), m_change, m_baseline_rate, m_recent_rate, m_aim_rate,
      m_variation, m_assurance; then pdsa_this_month, pdsa_running, pdsa_cycles, ideas_adopted,
      progress_score, progress_month, weeks_submitted, weeks_expected, latest_week.
    aggregate: measure, week_start, count, occupied_bed_days, rate, wards_submitted,
      wards_expected, completeness, centre, lower_limit, upper_limit, special_cause, rules,
      segment, trial, aim.
    aggregate_summary: one row per measure: measure, baseline_rate, aim_rate, recent_rate, change,
      meets_aim, variation_icon, assurance_icon, weeks.
    completeness: index ward_code (the order of `wards`), one bool column per recent week.
    funnel: funnel_data columns plus ward_name, provider_code, ward_type, measure (the first
      count_per_bed_days measure shown: all restrictive practice by default).
    ward_points: the per-ward u chart points of the headline measure (ward_code, x, value, ...).
    measure_points: measure code -> its per-ward chart points as `ward_points` (every measure shown
      when computed with keep_points=True, as the learning-session pack does; else the headline's).
    pdsa_monthly: month, started, completed.
    """

    today: dt.date
    end_week: dt.date
    weeks: list[dt.date]
    aim_reduction: float
    provider: str | None
    ward_type: str | None
    measures: tuple[str, ...]
    wards: pd.DataFrame
    aggregate: pd.DataFrame
    aggregate_summary: pd.DataFrame
    completeness: pd.DataFrame
    funnel: pd.DataFrame
    ward_points: pd.DataFrame
    pdsa_monthly: pd.DataFrame
    funnel_period: tuple[dt.date, dt.date] | None = None
    funnel_curve: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    measure_set: MeasureSet | None = None
    measure_points: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: count_per_bed_days measure code -> each ward's count and exposure over the recent weeks
    #: (index ward_code; the funnel's first measure among them).
    recent_sums: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: ward code -> its headline chart read out in words, when the dashboard was painted from
    #: the wards' stored summaries (rrp.reports.summaries: no chart points are read then).
    readings: dict[str, list[str]] = field(default_factory=dict)
    #: The wards whose last complete week is entered but to confirm (saved before it ended, not
    #: since): not submitted, and named so in the not-submitted list (rrp.models.week_status).
    to_confirm: frozenset[str] = frozenset()
    #: Wards shown with figures from their summary as it was before their data changed (or none,
    #: never computed): `summary_dashboard(..., compute_stale=False)`; their figures are being
    #: computed. Empty whenever the figures are current.
    updating: tuple[str, ...] = ()

    def measure(self, code: str) -> Measure:
        """The measure behind a column (the shipped set's when the dashboard has none)."""
        return (self.measure_set if self.measure_set is not None else figures.shipped_measures())[code]

    def label(self, code: str) -> str:
        return figures.measure_label(self.measure_set if self.measure_set is not None else figures.shipped_measures(), code)

    def scope(self) -> str:
        """Which wards these figures cover, in words: 'all wards', or the provider and ward type
        the dashboard was filtered to (one wording for the report, the pack and its index)."""
        parts = [f"provider {self.provider}" if self.provider else "",
                 f"ward type {self.ward_type}" if self.ward_type else ""]
        return ", ".join(p for p in parts if p) or "all wards"


def _select_wards(
    wards: pd.DataFrame, provider: str | None, ward_type: str | None
) -> pd.DataFrame:
    """Active wards matching the filters, sorted by provider then ward name."""
    chosen = wards
    if "active" in chosen.columns:
        chosen = chosen[chosen["active"].astype(bool)]
    if provider:
        chosen = chosen[chosen["provider_code"] == provider]
    if ward_type:
        chosen = chosen[chosen["ward_type"] == ward_type]
    columns = [
        c
        for c in ("provider_code", "provider_name", "ward_code", "ward_name", "ward_type", "beds", "participation_start")
        if c in chosen.columns
    ]
    return (
        chosen[columns]
        .sort_values(["provider_code", "ward_name", "ward_code"], kind="mergesort")
        .reset_index(drop=True)
    )


def _ward_measure(
    measure: Measure,
    points: pd.DataFrame,
    codes: pd.Index,
    aim_reduction: float,
    end_week: dt.date,
    recent_weeks: int,
    rebase_at: dict[Any, list[Any]] | None,
    fix_after: dict[str, int] | None,
    targets: dict[str, float] | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per ward: the shared figures of one measure (rrp.reports.figures.ward_figures) under the
    dashboard's column names, and the ward chart points."""
    m = measure.code
    fig, chart_points = figures.ward_figures(
        measure,
        points,
        end_week=end_week,
        aim_reduction=aim_reduction,
        wards=list(codes),
        fix_after=fix_after,
        rebase_at=rebase_at,
        targets=targets,
        recent_weeks=recent_weeks,
    )
    out = pd.DataFrame(index=codes)
    out[f"{m}_baseline_rate"] = fig["baseline"]
    out[f"{m}_recent_rate"] = fig["recent"]
    out[f"{m}_change"] = fig["change_from_baseline"].astype(float)
    out[f"{m}_aim_rate"] = fig["aim"]
    out[f"{m}_rate"] = fig["latest_value"]
    out[f"{m}_week"] = fig["latest_week"]
    out[f"{m}_variation"] = fig["variation_icon"]
    out[f"{m}_assurance"] = fig["assurance_icon"]
    out[f"{m}_baseline_weeks"] = fig["baseline_weeks"]
    out[f"{m}_recent_weeks"] = fig["recent_weeks"]
    out[f"{m}_meets_aim"] = fig["meets_aim"]
    return out, chart_points


def _aggregate(
    measure: Measure,
    points: pd.DataFrame,
    codes: pd.Index,
    aim_reduction: float,
    baseline_weeks: int,
    recent_weeks: int,
    ward_weeks: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The collaborative's weekly series of one measure, its Laney chart (u' for per-bed-days
    measures, p' for proportions: sum of numerators / sum of denominators over the wards that
    submitted) and summary. None for a count or value measure: no aggregate (a sum of scores or
    of unrelated counts is not a collaborative figure). ward_weeks: the column of `points` that
    says how many ward-weeks each row sums, when the points are already summed per week
    (collaborative_series)."""
    chart = figures.AGGREGATE_CHARTS.get(measure.chart)
    if chart is None or not figures.ratio(measure):
        return None
    m = measure.code
    frame = points.rename(columns={"numerator": m, "denominator": "occupied_bed_days"})
    series = collaborative_series(frame, m, expected_wards=list(codes), ward_weeks=ward_weeks)
    # collaborative_series and change_from_baseline rate per 1,000: the measure's own scale
    scale = measure.per / PER
    series["rate"] = series["rate"] * scale
    # change_from_baseline's collaborative row, from the weekly sums already made: the calendar is
    # the weeks with a submission; baseline its first `baseline_weeks`, recent its last
    # `recent_weeks`; pooled rates (sum of counts / sum of denominators).
    submitted = series[series["wards_submitted"] > 0]

    def pooled(rows: pd.DataFrame) -> float:
        den = float(rows["occupied_bed_days"].sum())
        return float(rows["count"].sum()) / den * measure.per if den > 0 else np.nan

    baseline_rate = pooled(submitted.head(baseline_weeks))
    recent_rate = pooled(submitted.tail(recent_weeks))
    ok = baseline_rate > 0 and not np.isnan(recent_rate)
    collab = {"change": recent_rate / baseline_rate - 1 if ok else np.nan}
    aim = figures.aim_value(measure, None if np.isnan(baseline_rate) else baseline_rate, aim_reduction)
    aim = np.nan if aim is None else aim
    series.insert(0, "measure", m)
    for col in ("centre", "lower_limit", "upper_limit"):
        series[col] = np.nan
    series["special_cause"] = ""
    series["rules"] = ""
    series["segment"] = 1
    series["trial"] = False
    series["aim"] = aim
    present = series["occupied_bed_days"].fillna(0) > 0
    change_value = collab.get("change")
    meets = figures.meets_aim(measure, None if np.isnan(recent_rate) else recent_rate, None if np.isnan(aim) else aim)
    summary: dict[str, Any] = {
        "measure": m,
        "chart": chart,
        "baseline_rate": baseline_rate,
        "aim_rate": aim,
        "recent_rate": recent_rate,
        "change": change_value,
        "meets_aim": meets if pd.notna(change_value) or measure.aim_target is not None else None,
        "variation_icon": None,
        "assurance_icon": None,
        "weeks": int(present.sum()),
    }
    if present.any():
        sub = series[present]
        result = compute_chart(
            sub["count"].to_numpy(float),
            denominators=sub["occupied_bed_days"].to_numpy(float),
            chart=chart,  # type: ignore[arg-type]
            direction=measure.direction,
            target=None if np.isnan(aim) else aim,
            per=measure.per,
        )
        idx = series.index[present]
        for col in ("centre", "lower_limit", "upper_limit", "special_cause", "rules", "segment", "trial"):
            series.loc[idx, col] = result.points[col].to_numpy()
        summary["variation_icon"] = result.summary.get("variation_icon")
        summary["assurance_icon"] = result.summary.get("assurance_icon")
    return series, summary


def _pdsa(
    pdsa: pd.DataFrame | None, codes: pd.Index, today: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-ward PDSA columns and the monthly started / completed counts (every month from the
    first with activity to today's). Running, due for Study and completed: rrp.models.pdsa's
    rules (is_running, due_for_study_on, completed_on), as the PDSA list and the huddle use."""
    per_ward = pd.DataFrame(index=codes)
    empty_monthly = pd.DataFrame({"month": [], "started": [], "completed": []})
    if pdsa is None or pdsa.empty:
        for col in ("pdsa_this_month", "pdsa_running", "pdsa_due_for_study", "pdsa_cycles", "ideas_adopted"):
            per_ward[col] = 0
        return per_ward, empty_monthly
    cycles = pdsa[pdsa["ward_code"].isin(codes)].copy()
    start = pd.to_datetime(cycles["planned_start"], errors="coerce")
    end = pd.to_datetime(cycles["planned_end"], errors="coerce")
    now = pd.Timestamp(today)
    month0 = pd.Timestamp(today.replace(day=1))
    started = start.notna() & (start <= now)
    this_month = started & (start >= month0)
    status = cycles["status"].astype(str)
    # rrp.models.pdsa's definitions themselves (the huddle, the PDSA list and the reports ask the
    # same functions): never a second copy of the rule; asked once per distinct status and day
    # (thousands of cycles at national scale, a few hundred distinct pairs)
    statuses = status.tolist()
    day = functools.cache(lambda e: e.date() if pd.notna(e) else None)
    ends = [day(e) for e in end.tolist()]
    running_of, due_of = functools.cache(is_running), functools.cache(due_for_study_on)
    running = pd.Series([running_of(x) for x in statuses], index=cycles.index, dtype=bool)
    due = pd.Series([due_of(x, e, today) for x, e in zip(statuses, ends, strict=True)], index=cycles.index, dtype=bool)
    adopted = cycles["act_decision"].astype(str).eq("adopt")

    def count(mask: pd.Series) -> pd.Series:
        return cycles.loc[mask, "ward_code"].value_counts().reindex(codes, fill_value=0)

    per_ward["pdsa_this_month"] = count(this_month).astype(int)
    per_ward["pdsa_running"] = count(running).astype(int)
    per_ward["pdsa_due_for_study"] = count(due).astype(int)
    per_ward["pdsa_cycles"] = count(pd.Series(True, index=cycles.index)).astype(int)
    per_ward["ideas_adopted"] = (
        cycles[adopted]
        .groupby("ward_code")["change_idea_code"]
        .nunique()
        .reindex(codes, fill_value=0)
        .astype(int)
    )
    # Completed: the day a cycle was marked done (rrp.models.pdsa.completed_on, as the PDSA list
    # shows "Done 2 Dec"), not its planned end; a frame without `ended_on` (arrived done) has only
    # the planned end, the same rule's fallback.
    marked = cycles["ended_on"] if "ended_on" in cycles.columns else pd.Series(None, index=cycles.index)
    completed = pd.to_datetime(
        pd.Series(
            [
                completed_on(s, m if isinstance(m, dt.date) else None, e)
                for s, m, e in zip(statuses, marked.tolist(), ends, strict=True)
            ],
            index=cycles.index,
            dtype=object,
        ),
        errors="coerce",
    )
    done = completed.notna() & (completed <= now)
    started_m = start[started].dt.to_period("M").value_counts()
    done_m = completed[done].dt.to_period("M").value_counts()
    # Every month from the first with activity to this one, empty months included (a month with
    # nothing started or completed is a fact to see, not a gap).
    active = started_m.index.union(done_m.index)
    months = (
        pd.period_range(active.min(), max(active.max(), pd.Period(today, "M")), freq="M")
        if len(active)
        else active
    )
    monthly = pd.DataFrame(
        {
            "month": [p.start_time.date() for p in months],
            "started": started_m.reindex(months, fill_value=0).to_numpy(int),
            "completed": done_m.reindex(months, fill_value=0).to_numpy(int),
        }
    )
    return per_ward, monthly


def _progress(progress: pd.DataFrame | None, codes: pd.Index, today: dt.date) -> pd.DataFrame:
    """Each ward's latest progress score (months after today ignored)."""
    out = pd.DataFrame(index=codes)
    out["progress_score"] = np.nan
    out["progress_month"] = None
    if progress is None or progress.empty:
        return out
    scores = progress.copy()
    scores["month"] = pd.to_datetime(scores["month"])
    scores = scores[scores["month"] <= pd.Timestamp(today)].sort_values(["ward_code", "month"])
    last = scores.groupby("ward_code").tail(1).set_index("ward_code").reindex(codes)
    out["progress_score"] = last["score"].astype(float)
    out["progress_month"] = [d.date() if pd.notna(d) else None for d in last["month"]]
    return out


def funnel_curve(target: float, low: float, high: float, points: int = 40) -> pd.DataFrame:
    """The funnel's 95% and 99.8% limits on a grid of exposures from `low` to `high` (for
    drawing): exposure, lower_95, upper_95, lower_998, upper_998, per 1,000."""
    from rrp.reports.distributions import poisson_interpolated_quantile

    if not (np.isfinite(target) and high > 0):
        return pd.DataFrame(columns=["exposure", "lower_95", "upper_95", "lower_998", "upper_998"])
    grid = np.geomspace(max(low, 1.0) * 0.9, high * 1.1, points)
    theta = target / PER
    out = {"exposure": grid}
    for name, p in (("lower_95", 0.025), ("upper_95", 0.975), ("lower_998", 0.001), ("upper_998", 0.999)):
        out[name] = np.array([poisson_interpolated_quantile(p, theta * t) for t in grid]) / grid * PER
    return pd.DataFrame(out)


def _recent_sums(points: pd.DataFrame, first_week: dt.date) -> pd.DataFrame:
    """Each ward's count and exposure (bed days) over the recent weeks (from `first_week`) of a
    count_per_bed_days measure's points: index ward_code, columns count, exposure (wards with
    points in those weeks only)."""
    recent = points[points["week_start"] >= pd.Timestamp(first_week)]
    return recent.groupby("ward_code").agg(count=("numerator", "sum"), exposure=("denominator", "sum"))


def _funnel(sums: pd.DataFrame, selected: pd.DataFrame) -> pd.DataFrame:
    """Funnel of each ward's pooled rate over the recent weeks (wards with bed days only) of the
    first count_per_bed_days measure shown (`sums`: its `_recent_sums`)."""
    sums = sums[sums["exposure"] > 0]
    if sums.empty:
        return pd.DataFrame(columns=["unit", "count", "exposure", "rate", "target", "position"])
    funnel = funnel_data(sums.reset_index().rename(columns={"ward_code": "unit"}), per=PER)
    names = selected.set_index("ward_code")
    for col in ("ward_name", "provider_code", "ward_type"):
        if col in names.columns:
            funnel[col] = funnel["unit"].map(names[col])
    return funnel


def collaborative_dashboard(
    weekly: pd.DataFrame,
    wards: pd.DataFrame,
    *,
    today: dt.date,
    pdsa: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
    aim_reduction: float = DEFAULT_AIM_REDUCTION,
    recent_weeks: int = RECENT_WEEKS,
    baseline_weeks: int = BASELINE_WEEKS,
    provider: str | None = None,
    ward_type: str | None = None,
    measures: tuple[str, ...] | None = None,
    rebase_at: dict[Any, list[Any]] | None = None,
    measure_set: MeasureSet | None = None,
    values: pd.DataFrame | None = None,
    fix_after: dict[str, int] | None = None,
    targets: dict[str, dict[str, float]] | None = None,
    keep_points: bool = False,
    with_aggregates: bool = True,
) -> Dashboard:
    """The collaborative dashboard (see the module doc for every definition).

    weekly: ward_code, week_start, restraint, prone_restraint, seclusion, rapid_tranquillisation,
    occupied_bed_days (one row per submitted ward-week, as `WeeklyRepository.frame()`).
    wards: the registry as `rrp.reports.tables.registry_table` (provider_code, provider_name,
    ward_code, ward_name, ward_type, active). pdsa: ward_code, change_idea_code, status,
    planned_start, planned_end, act_decision, and optionally ended_on (a done cycle's completion
    day, `PdsaRepository.activity`; without it a done cycle counts at its planned end). progress: ward_code, month, score.
    provider / ward_type filter the wards (and so every part of the dashboard).
    measure_set: the collaborative's measures (None: the shipped set); measures: the codes shown,
    headline first (None: every enabled collaborative measure active at the last complete week);
    values: MeasureRepository.values_frame() for measures not backed by weekly columns.
    fix_after: a ward's fixed baseline length; targets: measure code -> ward -> its own target.
    keep_points: keep every measure's ward chart points in `measure_points` (the pack draws them;
    the screen, at national scale, keeps only the headline's). with_aggregates=False: no aggregate
    charts (rrp.reports.summaries computes wards' own figures in batches; it sums the weeks itself).
    """
    if recent_weeks < 1:
        raise ValueError("recent_weeks must be at least 1")
    if not 0 <= aim_reduction < 1:
        raise ValueError("aim_reduction must be between 0 and 1")
    end_week = figures.last_complete_week(today)
    weeks = figures.recent_weeks_to(end_week, recent_weeks)
    measure_set = measure_set if measure_set is not None else figures.shipped_measures()
    if measures is None:
        measures = tuple(m.code for m in figures.shown_measures(measure_set, end_week))
    unknown = [m for m in measures if m not in measure_set]
    if unknown:
        raise ValueError(f"unknown measure(s): {', '.join(unknown)}")
    selected = _select_wards(wards, provider, ward_type)
    codes = pd.Index(selected["ward_code"], name="ward_code")
    frame = weekly.copy()
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    frame = frame[
        frame["ward_code"].isin(codes)
        & (frame["week_start"] <= pd.Timestamp(end_week))
        & frame["occupied_bed_days"].notna()
        & (frame["occupied_bed_days"] > 0)
    ]
    frame = frame.sort_values(["ward_code", "week_start"], kind="mergesort").reset_index(drop=True)
    chosen_values = None
    if values is not None and not values.empty:
        chosen_values = values[values["ward_code"].isin(codes)]

    table = selected.set_index("ward_code")
    aggregates, summaries = [], []
    ward_points = pd.DataFrame()
    kept: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    funnel_points, funnel_code = None, ""
    recent_sums: dict[str, pd.DataFrame] = {}
    if frame.empty and (chosen_values is None or chosen_values.empty):
        notes.append("No weekly counts for these wards yet.")
    for code in measures:
        measure = measure_set[code]
        points = figures.measure_points(measure, measure_set, frame, chosen_values, end_week=end_week)
        # Every ward's figures, points or not (a ward without points: blank figures), so a ward's
        # row never depends on which other wards were computed with it (rrp.reports.summaries).
        cols, chart_points = _ward_measure(
            measure, points, codes, aim_reduction, end_week, recent_weeks, rebase_at, fix_after,
            (targets or {}).get(code),
        )
        table = table.join(cols)
        if measure.recorded_as == "count_per_bed_days":
            recent_sums[code] = _recent_sums(points, weeks[0])
        if points.empty:
            continue
        if code == measures[0]:
            ward_points = chart_points
        if keep_points or code == measures[0]:
            kept[code] = chart_points
        if funnel_points is None and measure.recorded_as == "count_per_bed_days":
            funnel_points, funnel_code = points, code
        aggregate = _aggregate(measure, points, codes, aim_reduction, baseline_weeks, recent_weeks) if with_aggregates else None
        if aggregate is not None:
            aggregates.append(aggregate[0])
            summaries.append(aggregate[1])

    # Weeks before a ward joined are not due: never missing, never against its completeness.
    present, table["weeks_submitted"], table["weeks_expected"] = figures.due_completeness(
        figures.completeness(frame, list(codes), weeks), selected
    )
    latest = frame.groupby("ward_code")["week_start"].max().reindex(codes)
    table["latest_week"] = [d.date() if pd.notna(d) else None for d in latest]

    pdsa_cols, monthly = _pdsa(pdsa, codes, today)
    table = table.join(pdsa_cols).join(_progress(progress, codes, today))

    funnel = pd.DataFrame()
    if funnel_points is not None:
        sums = recent_sums[funnel_code]
        if not sums.empty:
            funnel = _funnel(sums, selected)
            funnel["measure"] = funnel_code
    curve = (
        funnel_curve(
            float(funnel["target"].iloc[0]),
            float(funnel["exposure"].min()),
            float(funnel["exposure"].max()),
        )
        if not funnel.empty
        else pd.DataFrame()
    )
    return Dashboard(
        today=today,
        end_week=end_week,
        weeks=weeks,
        aim_reduction=aim_reduction,
        provider=provider,
        ward_type=ward_type,
        measures=tuple(measures),
        wards=table.reset_index(),
        aggregate=pd.concat(aggregates, ignore_index=True) if aggregates else pd.DataFrame(),
        aggregate_summary=pd.DataFrame(summaries),
        completeness=present,
        funnel=funnel,
        ward_points=ward_points,
        pdsa_monthly=monthly,
        funnel_period=(weeks[0], weeks[-1]),
        funnel_curve=curve,
        notes=notes,
        measure_set=measure_set,
        measure_points=kept,
        recent_sums=recent_sums,
        to_confirm=figures.to_confirm(frame, list(codes), end_week),
    )


#: Short forms of the icons for table cells: three letters of the class and the MDC letter
#: (H high / L low), so the cell reads without its colour. The words are in rrp.reports.icons_text.
SHORT_VARIATION: dict[str, str] = {
    icon: ("cc" if icon == "common_cause" else icon[:3] + VARIATION_LETTERS[icon])
    for icon in VARIATION_WORDS
}


def short_variation(icon: str | None) -> str:
    """A 2-4 character form of a variation icon ('impL', 'conH', 'cc'; '-' when there is none)."""
    return SHORT_VARIATION.get(icon or "", "-")


# -- the figures as data (`rrp report collaborative --format json`) -----------------------------

#: figures.FIGURE_FIELDS -> the dashboard's column suffix.
_COLUMNS = {
    "latest_week": "week",
    "latest_value": "rate",
    "baseline": "baseline_rate",
    "baseline_weeks": "baseline_weeks",
    "recent": "recent_rate",
    "recent_weeks": "recent_weeks",
    "change_from_baseline": "change",
    "aim": "aim_rate",
    "meets_aim": "meets_aim",
    "variation_icon": "variation",
    "assurance_icon": "assurance",
}


def ward_measure_figures(dash: Dashboard, record: dict[str, Any], code: str) -> figures.MeasureFigures:
    """One ward's figures of one measure from its row of `dash.wards` (the shared figures)."""
    return figures.figures_from_row(
        dash.measure(code), {name: record.get(f"{code}_{suffix}") for name, suffix in _COLUMNS.items()}
    )


def not_submitted_wards(dash: Dashboard) -> list[dict[str, Any]]:
    """The wards (of the dashboard's filters) that took part in the last complete week and have
    not submitted it (not entered, or entered before it ended and not confirmed since), in the
    dashboard's order: ward_code, ward_name, provider_code, provider_name, to_confirm (bool)."""
    codes = figures.not_submitted(dash.completeness, dash.wards, dash.end_week)
    # only the four columns read: the ward frame has ~70 (a whole-frame to_dict is ~0.1 s at 2,000 wards)
    names = [c for c in ("ward_code", "ward_name", "provider_code", "provider_name") if c in dash.wards.columns]
    records = {str(r["ward_code"]): r for r in dash.wards[names].to_dict("records")}
    return [
        {
            "ward_code": code,
            "ward_name": str(records[code].get("ward_name") or ""),
            "provider_code": str(records[code].get("provider_code") or ""),
            "provider_name": str(records[code].get("provider_name") or ""),
            "to_confirm": code in dash.to_confirm,
        }
        for code in codes
    ]


def not_submitted_text(dash: Dashboard, wards: list[dict[str, Any]] | None = None) -> str:
    """The not-submitted list as plain text, one ward a line (to paste into an e-mail or chat).
    wards: `not_submitted_wards(dash)` when the caller already has it."""
    from rrp.messages import day_month

    if wards is None:
        wards = not_submitted_wards(dash)
    head = f"Not submitted for the week of Mon {day_month(dash.end_week)}: "
    if not wards:
        return head + "none (every ward taking part has submitted)."
    lines = [head + f"{len(wards)} ward{'' if len(wards) == 1 else 's'}"]
    lines += [
        f"{w['ward_name']} ({w['ward_code']}), {w['provider_name'] or w['provider_code']}"
        + (" - to confirm (entered before the week ended)" if w["to_confirm"] else "")
        for w in wards
    ]
    return "\n".join(lines)


def dashboard_json(dash: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON-ready data: per ward and measure the shared figures (the same fields
    as `rrp report huddle --format json`), completeness and PDSA counts; the aggregate summary."""
    wards = []
    for record in dash.wards.to_dict("records"):
        wards.append(
            figures.WardFigures(
                ward_code=str(record["ward_code"]),
                ward_name=str(record.get("ward_name", "")),
                end_week=dash.end_week,
                measures=[ward_measure_figures(dash, record, code) for code in dash.measures],
                pdsa_running=int(record.get("pdsa_running") or 0),
                pdsa_due_for_study=int(record.get("pdsa_due_for_study") or 0),
                weeks_submitted=int(record.get("weeks_submitted") or 0),
                weeks_expected=int(record.get("weeks_expected") or 0),
            )
        )
    aggregate = dash.aggregate_summary.to_dict("records") if not dash.aggregate_summary.empty else []
    return figures.to_json(
        {
            "today": dash.today,
            "end_week": dash.end_week,
            "provider": dash.provider,
            "ward_type": dash.ward_type,
            "aim_reduction": dash.aim_reduction,
            "measures": list(dash.measures),
            "wards": wards,
            "aggregate": aggregate,
            "not_submitted": not_submitted_wards(dash),
        }
    )


# -- charts read out in plain English (rrp.reports.reading) --------------------------------------


def ward_reading(
    dash: Dashboard,
    ward_code: str,
    *,
    record: dict[str, Any] | None = None,
    points: pd.DataFrame | None = None,
    measure: str | None = None,
) -> list[str]:
    """A ward's chart of `measure` (None: the headline, the u chart of `ward_points`) in plain
    sentences.

    record / points: the ward's row of `dash.wards` and its chart points when the caller has them
    (the pack, looping over every ward); otherwise they are looked up (`measure_points`).
    """
    from rrp.reports.reading import chart_reading
    from rrp.reports.spc import ChartResult

    headline = measure or dash.measures[0]
    spec = dash.measure(headline)
    if record is None:
        rows = dash.wards[dash.wards["ward_code"] == ward_code]
        record = rows.iloc[0].to_dict() if not rows.empty else {}
    if points is None:
        pts = dash.measure_points.get(headline, dash.ward_points if headline == dash.measures[0] else pd.DataFrame())
        points = pts[pts["ward_code"] == ward_code] if not pts.empty else pts
    summary = {
        "chart": spec.chart,
        "direction": spec.direction,
        "variation_icon": _icon(record.get(f"{headline}_variation")),
        "assurance_icon": _icon(record.get(f"{headline}_assurance")),
    }
    aim = record.get(f"{headline}_aim_rate")
    result = None if points is None or points.empty else ChartResult(points.reset_index(drop=True), summary)
    return chart_reading(
        result,
        label=spec.name,
        unit=figures.reading_unit(spec),
        aim=float(aim) if aim is not None and pd.notna(aim) else None,
    )


def ward_point_rows(dash: Dashboard) -> dict[str, np.ndarray]:
    """Each ward's row positions in `dash.ward_points`, found in one pass: a screen that reads
    ward after ward (the cursor moving) looks each up in microseconds, where a filter over every
    ward's points costs tens of ms at national scale."""
    points = dash.ward_points
    if points.empty:
        return {}
    return {str(code): rows for code, rows in points.groupby("ward_code", sort=False).indices.items()}


def aggregate_reading(dash: Dashboard, measure: str) -> list[str]:
    """The collaborative's u' chart of `measure` in plain sentences (its weeks with a rate)."""
    from rrp.reports.reading import chart_reading
    from rrp.reports.spc import ChartResult

    measures = dash.measure_set if dash.measure_set is not None else figures.shipped_measures()
    spec = measures.get(measure)
    label = f"Collaborative {spec.name.lower() if spec is not None else measure}"
    agg, summaries = dash.aggregate, dash.aggregate_summary
    if spec is None or agg.empty or summaries.empty or measure not in set(summaries["measure"]):
        return chart_reading(None, label=label)
    part = agg[(agg["measure"] == measure) & agg["rate"].notna()]
    points = part.rename(columns={"rate": "value", "week_start": "x"}).reset_index(drop=True)
    row = summaries.set_index("measure").loc[measure]
    summary = {
        "chart": row.get("chart", AGGREGATE_CHART),
        "direction": spec.direction,
        "variation_icon": _icon(row.get("variation_icon")),
        "assurance_icon": _icon(row.get("assurance_icon")),
    }
    aim = row.get("aim_rate")
    return chart_reading(
        ChartResult(points, summary) if not points.empty else None,
        label=label,
        unit=figures.reading_unit(spec),
        aim=float(aim) if aim is not None and pd.notna(aim) else None,
    )


def _icon(value: Any) -> str | None:
    """An icon code from a frame cell (NaN / None: no icon)."""
    return value if isinstance(value, str) and value else None


# -- reading the inputs (the caller's side; the store does the SQL) ----------------------------


@dataclass(frozen=True)
class DashboardInputs:
    """What `collaborative_dashboard` needs, read once from an open store."""

    weekly: pd.DataFrame
    wards: pd.DataFrame
    pdsa: pd.DataFrame
    progress: pd.DataFrame
    aim_reduction: float
    providers: list[tuple[str, str]]
    measure_set: MeasureSet | None = None
    values: pd.DataFrame | None = None
    rebase_at: dict[Any, list[Any]] | None = None
    fix_after: dict[str, int] | None = None
    targets: dict[str, dict[str, float]] | None = None


def read_activity(store: Store, ward_codes: set[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The PDSA cycles (ward_code, change_idea_code, status, planned_start, planned_end,
    act_decision) and each ward's latest progress score (ward_code, month, score) of every ward
    or of `ward_codes`, read plain (thousands of cycles at national scale: no models)."""
    rows = store.pdsa.activity(ward_codes)
    columns = ("ward_code", "change_idea_code", "status", "planned_start", "planned_end", "act_decision", "ended_on")
    pdsa = pd.DataFrame({c: [r[c] for r in rows] for c in columns})
    latest = store.progress.latest_scores()
    if ward_codes is not None:
        latest = {code: score for code, score in latest.items() if code in ward_codes}
    progress = pd.DataFrame(
        {
            "ward_code": list(latest),
            "month": [month for month, _ in latest.values()],
            "score": [score for _, score in latest.values()],
        }
    )
    return pdsa, progress


def read_inputs(store: Store, ward_codes: list[str] | None = None) -> DashboardInputs:
    """Read the weekly rows, registry, PDSA cycles, progress scores, aim, measures, their values,
    the wards' rebases, fixed baselines and own targets through the store's repositories (no SQL
    here). ward_codes: only these wards' (rrp.reports.summaries computes wards in batches)."""
    from rrp.reports.tables import registry_table

    providers = store.registry.providers()
    chosen = None if ward_codes is None else set(ward_codes)
    registry = store.registry.wards()
    if chosen is not None:
        registry = [w for w in registry if w.code in chosen]
    wards = registry_table(providers, registry)
    weekly = store.weekly.frame(ward_codes=None if chosen is None else sorted(chosen))
    pdsa, progress = read_activity(store, chosen)
    try:
        reduction = float(store.change_package.aim().reduction)
    except Exception:  # noqa: BLE001 - an unreadable aim falls back to the default
        reduction = DEFAULT_AIM_REDUCTION
    chart_inputs = figures.read_figure_inputs(store, ward_codes=None if chosen is None else sorted(chosen))
    return DashboardInputs(
        weekly=weekly,
        wards=wards,
        pdsa=pdsa,
        progress=progress,
        aim_reduction=reduction,
        providers=[(p.code, p.name) for p in providers],
        **chart_inputs,
    )


def dashboard_from_inputs(
    inputs: DashboardInputs,
    *,
    today: dt.date,
    provider: str | None = None,
    ward_type: str | None = None,
    recent_weeks: int = RECENT_WEEKS,
    measures: tuple[str, ...] | None = None,
    keep_points: bool = False,
    with_aggregates: bool = True,
) -> Dashboard:
    """`collaborative_dashboard` on inputs read by `read_inputs`."""
    return collaborative_dashboard(
        inputs.weekly,
        inputs.wards,
        today=today,
        pdsa=inputs.pdsa,
        progress=inputs.progress,
        aim_reduction=inputs.aim_reduction,
        recent_weeks=recent_weeks,
        provider=provider,
        ward_type=ward_type,
        measures=measures,
        rebase_at=inputs.rebase_at,
        measure_set=inputs.measure_set,
        values=inputs.values,
        fix_after=inputs.fix_after,
        targets=inputs.targets,
        keep_points=keep_points,
        with_aggregates=with_aggregates,
    )
