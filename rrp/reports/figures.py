"""One definition of every figure shown in more than one place. Pure: frames and models in,
frames and dataclasses out (no Textual, no SQL).

The huddle, the dashboard, `rrp report huddle|collaborative` (text and JSON), the exports and the
slide pack all call these functions, so a figure cannot differ between two of them:

- `measure_points`: a measure's plotted series (rate per 1,000 bed days, %, count or value; a
  sum_of measure from its components, once), from rrp.reports.measure_values.
- `change_table`: change from baseline. QI-METHODS / data/methods.md: (mean rate of the last 12
  weeks) / (baseline mean rate) - 1, where
    * baseline = the ward's first `BASELINE_WEEKS` (12) plotted points, or its first `fix_after`
      points when a fixed baseline is set (the same points as the chart's baseline);
    * recent = the points in the `RECENT_WEEKS` (12) weeks ending at the last complete week
      (`last_complete_week`): the same calendar weeks for every ward; the week in progress is not
      yet due, so it never enters a figure half-filled;
    * "mean" is pooled for ratio measures (sum numerators / sum denominators x per) and the plain
      mean of the plotted values for count and value measures.
  Blank where the baseline is missing or zero or there is no recent point.
- `aim_value`: the aim in display units: the ward's own target, else the measure's aim_target,
  else baseline x (1 + relative aim) (the collaborative's aim for a decreasing outcome measure).
- `ward_figures`: per ward and measure: latest value, change, baseline, aim, variation and
  assurance icons (the measure's own chart type and direction, `compute_charts`, one call per
  measure), and the chart points.
- `completeness`: due weeks are those up to the last complete week; a week is submitted when it
  has a row with bed days.
- `pdsa_running` / `due_for_study`: rrp.models.pdsa's definitions (doing or studying; doing with a
  planned end on or before this week's Sunday).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from rrp.models.week_status import (
    last_complete_week as last_complete_week,  # re-exported: one definition
)

if TYPE_CHECKING:
    import pandas as pd

    from rrp.models.measure import Measure, MeasureSet
    from rrp.store import Store

#: The baseline: the first 12 points of a ward's chart (QI-METHODS "fix after n", n >= 12).
BASELINE_WEEKS = 12
#: "Recent": the last 12 weeks to the last complete week.
RECENT_WEEKS = 12
#: The run-chart and control-chart rule set every ward chart is read with.
RULES = "anhoej"
#: Aggregate chart per chart type (Laney for the collaborative's large denominators); value
#: measures have no aggregate (a sum of scores is not a score, and a mean hides who submitted).
AGGREGATE_CHARTS: dict[str, str] = {"u": "uprime", "p": "pprime", "c": "c"}

#: The figure columns every view shows, in `ward_figures`' frame and in the JSON.
FIGURE_FIELDS: tuple[str, ...] = (
    "latest_week",
    "latest_value",
    "baseline",
    "baseline_weeks",
    "recent",
    "recent_weeks",
    "change_from_baseline",
    "aim",
    "meets_aim",
    "variation_icon",
    "assurance_icon",
)


def recent_weeks_to(end_week: dt.date, weeks: int = RECENT_WEEKS) -> list[dt.date]:
    """The `weeks` Mondays ending at `end_week`, oldest first."""
    return [end_week - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def shipped_measures() -> MeasureSet:
    """The shipped measure set (data/measures.toml): the default when a caller has no store."""
    return _shipped()


@functools.cache
def _shipped() -> MeasureSet:
    from rrp.models.measure import MeasureSet
    from rrp.models.measure_file import parse_measures
    from rrp.paths import DATA_DIR

    return MeasureSet(parse_measures((DATA_DIR / "measures.toml").read_text(encoding="utf-8")))


def shown_measures(measures: MeasureSet, day: dt.date, ward_code: str | None = None) -> list[Measure]:
    """The measures a view shows, in the set's order: every enabled measure active on `day`
    (the collaborative's; with a ward, its local ones too)."""
    return measures.active_for(ward_code, day)


def reading_unit(measure: Measure) -> str:
    """The unit words of a measure's plotted values for chart_reading ('per 1,000 bed days', '%')."""
    from rrp.reports.reading import rate_unit

    if measure.recorded_as == "count_per_bed_days":
        return rate_unit(measure.per)
    return measure.unit_text


def measure_label(measures: MeasureSet, code: str) -> str:
    """A measure's short label (its code when the set does not have it)."""
    measure = measures.get(code)
    return measure.label if measure is not None else code


def ratio(measure: Measure) -> bool:
    """True when the measure is charted as numerator / denominator (u or p)."""
    return measure.recorded_as in ("count_per_bed_days", "proportion")


def read_figure_inputs(
    store: Store, ward_code: str | None = None, *, ward_codes: Sequence[str] | None = None
) -> dict[str, Any]:
    """What the shared figures need besides the weekly rows, for every ward, one (`ward_code`)
    or some (`ward_codes`): the measure set, the stored values, the rebases users recorded, the
    fixed baselines (the huddle's 'fix after n' preference) and the wards' own targets. The
    huddle and the dashboard both read them here, so both compute the same figures."""
    measure_set = store.measures.all()
    if len(measure_set) == 0:
        measure_set = shipped_measures()
    codes = [ward_code] if ward_code else None if ward_codes is None else list(ward_codes)
    values = store.measures.values_frame(ward_codes=codes)
    rebase_at = store.annotations.rebase_points(ward_code)
    fix_after = store.preferences.fixed_baselines(ward_code)
    targets = store.measures.all_ward_targets(ward_code)
    if ward_codes is not None and not ward_code:
        chosen = set(ward_codes)
        rebase_at = {k: v for k, v in rebase_at.items() if (k[0] if isinstance(k, tuple) else k) in chosen}
        fix_after = {k: v for k, v in fix_after.items() if k in chosen}
        targets = {m: {w: t for w, t in by.items() if w in chosen} for m, by in targets.items()}
    return {
        "measure_set": measure_set,
        "values": values,
        "rebase_at": rebase_at,
        "fix_after": fix_after,
        "targets": targets,
    }


# -- the plotted series -------------------------------------------------------------------------


def measure_points(
    measure: Measure,
    measures: MeasureSet,
    weekly: pd.DataFrame,
    values: pd.DataFrame | None = None,
    *,
    end_week: dt.date | None = None,
    provisional: bool = False,
) -> pd.DataFrame:
    """The plotted points of one measure for every ward: ward_code, week_start (datetime64),
    numerator, denominator, value; one row per ward and period with a plottable value, sorted.

    A provisional week (weekly's `provisional` flag: saved before it ended and not since,
    rrp.models.week_status) is never a point: no limits, signals, icons, latest value or change
    come from it, on any screen, report or export. `provisional=True` gives those weeks' points
    instead, for the huddle to draw apart (hollow).

    weekly: WeeklyRepository.frame(); values: MeasureRepository.values_frame() (None: none). A
    point needs its numerator, and for a ratio measure a denominator above zero (a rate needs bed
    days). A sum_of measure adds its components where every one has a count (never a missing
    one as zero). Periods after `end_week` are left out.
    """
    import pandas as pd

    from rrp.reports.measure_values import charted_value, provisional_mask

    codes = [measure.code, *measure.sum_of]
    column_backed = all(measures[c].column_backed for c in codes if measures.get(c) and not measures[c].derived)
    if column_backed and (measure.column_backed or measure.derived):
        # The core counts: straight from the weekly frame's columns (a national-scale frame of
        # 520,000 rows: column arithmetic, no long table).
        frame = weekly[["ward_code", "week_start", "occupied_bed_days"]].copy()
        if measure.derived:
            parts = [measures[c].column_name for c in measure.sum_of]
            # min_count: a part left blank blanks the sum (never counted as zero)
            frame["numerator"] = weekly[parts].sum(axis=1, min_count=len(parts))
        else:
            frame["numerator"] = weekly[measure.column_name]
        frame = frame.rename(columns={"occupied_bed_days": "denominator"})
    else:
        from rrp.reports.measure_values import measure_values_table

        registry = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("provider_code", "ward_code", "ward_name")})
        subset = _subset(measures, measure)
        table = measure_values_table(subset, weekly, values if values is not None else _no_values(), registry)
        table = table[table["measure_code"] == measure.code]
        frame = pd.DataFrame(
            {
                "ward_code": table["ward_code"].to_numpy(),
                "week_start": pd.to_datetime(table["period_start"]),
                "numerator": pd.to_numeric(table["numerator"], errors="coerce").to_numpy(float),
                "denominator": pd.to_numeric(table["denominator"], errors="coerce").to_numpy(float),
            }
        )
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    frame["numerator"] = frame["numerator"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    keep = frame["numerator"].notna()
    is_provisional = provisional_mask(weekly, frame["ward_code"].to_numpy(), frame["week_start"].to_numpy())
    keep &= is_provisional if provisional else ~is_provisional
    if ratio(measure):
        keep &= frame["denominator"].fillna(0) > 0
    if end_week is not None:
        keep &= frame["week_start"] <= pd.Timestamp(end_week)
    frame = frame[keep]
    if not _sorted(frame):
        frame = frame.sort_values(["ward_code", "week_start"], kind="mergesort")
    frame = frame.reset_index(drop=True)
    frame["value"] = charted_value(measure, frame["numerator"], frame["denominator"].fillna(0))
    return frame[["ward_code", "week_start", "numerator", "denominator", "value"]]


def _sorted(frame: pd.DataFrame) -> bool:
    """Already in ward, then week order (the store reads it so): no second sort at scale."""
    import numpy as np

    wards = frame["ward_code"].to_numpy()
    if len(wards) < 2:
        return True
    same = wards[1:] == wards[:-1]
    weeks = frame["week_start"].to_numpy()
    if not bool(np.all(weeks[1:][same] > weeks[:-1][same])):
        return False
    return _contiguous(wards) and bool(np.all(wards[1:][~same] > wards[:-1][~same]))


def _subset(measures: MeasureSet, measure: Measure) -> MeasureSet:
    from rrp.models.measure import MeasureSet

    return MeasureSet([measure, *(measures[c] for c in measure.sum_of)])


def _no_values() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {"ward_code": [], "measure_code": [], "period_start": pd.to_datetime([]), "numerator": [], "denominator": []}
    )


# -- change from baseline ---------------------------------------------------------------------


class _Groups:
    """The wards of a sorted points frame, factorised once: each row's ward number, each ward's
    first row and row count (a national-scale frame: numpy sums, not a groupby per figure)."""

    def __init__(self, points: pd.DataFrame) -> None:
        import numpy as np
        import pandas as pd

        wards = points["ward_code"].to_numpy()
        n = len(wards)
        if n and not _contiguous(wards):
            raise ValueError("points must be sorted by ward_code, then week_start")
        starts = np.flatnonzero(np.r_[True, wards[1:] != wards[:-1]]) if n else np.array([], dtype=int)
        self.codes = pd.Index(wards[starts], name="ward_code")
        self.starts = starts
        self.sizes = np.diff(np.r_[starts, n]).astype(int)
        self.ids = np.repeat(np.arange(len(starts)), self.sizes)
        self.order = np.arange(n) - np.repeat(starts, self.sizes)

    def sums(self, mask: Any, values: Any) -> Any:
        import numpy as np

        return np.bincount(self.ids[mask], weights=values[mask], minlength=len(self.starts))

    def counts(self, mask: Any) -> Any:
        import numpy as np

        return np.bincount(self.ids[mask], minlength=len(self.starts))


def _contiguous(wards: Any) -> bool:
    """Each ward's rows together (a ward code never comes back after another one)."""
    import numpy as np

    changes = np.r_[True, wards[1:] != wards[:-1]]
    return int(changes.sum()) == len(set(wards[changes]))


def _levels(measure: Measure, groups: _Groups, mask: Any, num: Any, den: Any, value: Any) -> tuple[Any, Any]:
    """(level, points) per ward over the masked rows: the pooled rate (ratio measures) or the mean
    of the plotted values (count and value measures); NaN where there is none."""
    import numpy as np

    n = groups.counts(mask)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ratio(measure):
            top, bottom = groups.sums(mask, num), groups.sums(mask, den)
            level = np.where(bottom > 0, top / bottom * measure.per, np.nan)
        else:
            level = np.where(n > 0, groups.sums(mask, value) / n, np.nan)
    return level, n


def change_table(
    measure: Measure,
    points: pd.DataFrame,
    *,
    end_week: dt.date,
    fix_after: Mapping[str, int] | None = None,
    recent_weeks: int = RECENT_WEEKS,
    groups: _Groups | None = None,
) -> pd.DataFrame:
    """Change from baseline per ward (see the module doc): index ward_code; columns baseline,
    baseline_weeks, baseline_start, baseline_end, recent, recent_weeks, change_from_baseline.

    points: `measure_points` (to `end_week`, sorted by ward then week). fix_after: a ward's fixed
    baseline length (n >= 12) where one is set; the others use BASELINE_WEEKS.
    """
    import numpy as np
    import pandas as pd

    groups = groups or _Groups(points)
    num = points["numerator"].to_numpy(float)
    den = points["denominator"].to_numpy(float)
    value = points["value"].to_numpy(float)
    weeks = points["week_start"].to_numpy()
    length = np.full(len(groups.codes), BASELINE_WEEKS)
    if fix_after:
        length = np.array([fix_after.get(c, BASELINE_WEEKS) for c in groups.codes], dtype=int)
    base = groups.order < np.repeat(length, groups.sizes)
    recent = weeks >= np.datetime64(pd.Timestamp(end_week - dt.timedelta(weeks=recent_weeks - 1)))
    out = pd.DataFrame(index=groups.codes)
    out["baseline"], out["baseline_weeks"] = _levels(measure, groups, base, num, den, value)
    used = np.minimum(length, groups.sizes)
    out["baseline_start"] = weeks[groups.starts] if len(weeks) else []
    out["baseline_end"] = weeks[groups.starts + np.maximum(used, 1) - 1] if len(weeks) else []
    out["recent"], out["recent_weeks"] = _levels(measure, groups, recent, num, den, value)
    out["baseline_weeks"] = out["baseline_weeks"].astype(int)
    out["recent_weeks"] = out["recent_weeks"].astype(int)
    ok = (out["baseline"] > 0) & out["recent"].notna()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_from_baseline"] = (out["recent"] / out["baseline"] - 1).where(ok)
    return out


# -- the aim -------------------------------------------------------------------------------------


def aim_value(
    measure: Measure, baseline: float | None, aim_reduction: float, ward_target: float | None = None
) -> float | None:
    """The aim in display units: the ward's own target, else the measure's aim_target, else
    baseline x (1 + the relative aim) (None when there is no aim or no baseline)."""
    if ward_target is not None:
        return float(ward_target)
    if measure.aim_target is not None:
        return float(measure.aim_target)
    change = measure.aim_change_with(aim_reduction)
    if change is None or baseline is None or not math.isfinite(baseline):
        return None
    return baseline * (1 + change)


def relative_aim(measure: Measure, aim_reduction: float) -> float | None:
    """The relative change aimed for (-0.333: a third lower), None with an absolute or no aim."""
    if measure.aim_target is not None:
        return None
    return measure.aim_change_with(aim_reduction)


def meets_aim(measure: Measure, recent: float | None, aim: float | None) -> bool | None:
    """The recent level against the aim, in the measure's direction (None: cannot say)."""
    if recent is None or aim is None or not math.isfinite(recent) or not math.isfinite(aim):
        return None
    if measure.direction == "decrease":
        return recent <= aim + 1e-12
    if measure.direction == "increase":
        return recent >= aim - 1e-12
    return None


# -- rebases --------------------------------------------------------------------------------------


def rebase_labels(labels: Sequence[Any], dates: Sequence[Any]) -> list[Any]:
    """The chart labels at which each rebase date starts a segment: the first point on or after
    it (a date on or before the first point, or after the last, starts nothing). Never automatic:
    the dates are the ones users recorded."""
    import bisect

    out: list[Any] = []
    for day in sorted(set(dates)):
        i = bisect.bisect_left(labels, day)
        if 0 < i < len(labels) and labels[i] not in out:
            out.append(labels[i])
    return out


def rebases_for(
    measure_code: str, points: pd.DataFrame, rebase_at: Mapping[Any, Sequence[Any]] | None
) -> dict[str, list[Any]]:
    """One measure's rebase points per ward. rebase_at maps a ward code (every measure) or a
    (ward code, measure code) pair to dates (users' 'rebase' annotations)."""
    import pandas as pd

    if not rebase_at:
        return {}
    wanted: dict[str, list[pd.Timestamp]] = {}
    for key, days in rebase_at.items():
        if isinstance(key, tuple):
            ward, which = key
            if which != measure_code:
                continue
        else:
            ward = key
        wanted.setdefault(str(ward), []).extend(pd.Timestamp(d) for d in days)
    if not wanted:
        return {}
    mine = points[points["ward_code"].isin(list(wanted))]
    out: dict[str, list[Any]] = {}
    for ward, weeks in mine.groupby("ward_code", sort=False)["week_start"]:
        labels = rebase_labels(list(weeks), wanted[str(ward)])
        if labels:
            out[str(ward)] = labels
    return out


# -- every figure of a measure, per ward ----------------------------------------------------------


def ward_figures(
    measure: Measure,
    points: pd.DataFrame,
    *,
    end_week: dt.date,
    aim_reduction: float,
    wards: Sequence[str] | None = None,
    fix_after: Mapping[str, int] | None = None,
    rebase_at: Mapping[Any, Sequence[Any]] | None = None,
    targets: Mapping[str, float] | None = None,
    recent_weeks: int = RECENT_WEEKS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures, chart points) of one measure for every ward.

    figures: index ward_code (`wards`' order when given); columns FIGURE_FIELDS plus
    baseline_start, baseline_end. Icons come from the measure's own chart type and direction
    (rules RULES), its baseline (the ward's fixed baseline where set), the ward's rebases
    (`rebases_for`: rebase_at as rrp.exchange.exports.rebase_points gives it), and the aim as the
    assurance target. chart points: compute_charts' points (ward_code first).
    """
    import pandas as pd

    from rrp.reports.spc import compute_charts

    groups = _Groups(points)
    codes = pd.Index(wards if wards is not None else groups.codes, name="ward_code")
    change = change_table(
        measure, points, end_week=end_week, fix_after=fix_after, recent_weeks=recent_weeks, groups=groups
    )
    latest = groups.starts + groups.sizes - 1
    change["latest_week"] = points["week_start"].to_numpy()[latest]
    change["latest_value"] = points["value"].to_numpy(float)[latest]
    if not change.index.equals(codes):
        change = change.reindex(codes)
        points = points[points["ward_code"].isin(codes)]
    out = change.copy()
    targets = targets or {}
    out["aim"] = [
        aim_value(measure, None if pd.isna(b) else float(b), aim_reduction, targets.get(code))
        for code, b in zip(codes, change["baseline"], strict=True)
    ]
    out["aim"] = out["aim"].astype(float)
    out["meets_aim"] = [
        meets_aim(measure, None if pd.isna(r) else float(r), None if pd.isna(a) else float(a))
        if pd.notna(c) or measure.aim_target is not None or code in targets
        else None
        for code, r, a, c in zip(codes, out["recent"], out["aim"], out["change_from_baseline"], strict=True)
    ]
    rebase_at = rebases_for(measure.code, points, rebase_at)
    chart_points: list[pd.DataFrame] = []
    variation = pd.Series(None, index=codes, dtype=object)
    assurance = pd.Series(None, index=codes, dtype=object)
    rule_set = pd.Series(None, index=codes, dtype=object)
    if not points.empty:
        # compute_charts takes one fix_after: the wards that fixed the same baseline go together
        by_baseline: dict[int | None, list[str]] = {}
        fixed = fix_after or {}
        present = groups.codes if len(points) == groups.ids.size else pd.Index(pd.unique(points["ward_code"]))
        for code in present:
            by_baseline.setdefault(fixed.get(code), []).append(code)
        all_aims = out["aim"].dropna()
        # The ward codes as a categorical built from the factorisation already made: the
        # engine then sorts and groups integers, not half a million strings.
        coded = points
        if len(points) == groups.ids.size:
            coded = points.assign(ward_code=pd.Categorical.from_codes(groups.ids, categories=groups.codes))
        for n, members in by_baseline.items():
            part = coded if len(by_baseline) == 1 else coded[points["ward_code"].isin(members).to_numpy()]
            aims = all_aims if len(by_baseline) == 1 else all_aims[all_aims.index.isin(members)]
            aims = dict(zip(aims.index, aims.astype(float), strict=True))
            # only this group's rebases (the engine refuses a rebase of a ward it was not given)
            rebases = rebase_at if len(by_baseline) == 1 else {w: r for w, r in rebase_at.items() if w in members}
            pts, summary = compute_charts(
                part,
                group="ward_code",
                value="numerator" if ratio(measure) else "value",
                denominator="denominator" if ratio(measure) else None,
                x="week_start",
                chart=measure.chart,  # type: ignore[arg-type]
                rules=RULES,
                direction=measure.direction,
                fix_after=n,
                rebase_at=rebases,
                target=aims or None,
                per=measure.per if ratio(measure) else 1.0,
            )
            pts["ward_code"] = pts["ward_code"].astype(object)
            summary["ward_code"] = summary["ward_code"].astype(object)
            chart_points.append(pts)
            icons = summary.set_index("ward_code")
            variation.update(icons["variation_icon"])
            assurance.update(icons["assurance_icon"])
            rule_set.update(icons["rules"])
    out["variation_icon"] = variation.where(variation.notna(), None)
    out["assurance_icon"] = assurance.where(assurance.notna(), None)
    out["rule_set"] = rule_set
    pts = pd.concat(chart_points, ignore_index=True) if chart_points else pd.DataFrame()
    return out, pts


# -- completeness and PDSA ----------------------------------------------------------------------


def completeness(weekly: pd.DataFrame, wards: Sequence[str], weeks: Sequence[dt.date]) -> pd.DataFrame:
    """Submitted weeks: index ward_code (`wards`' order), one bool column per due week in
    `weeks` (weeks up to the last complete week). A week is submitted when it has a row with bed
    days above zero that is not provisional (weekly's `provisional` flag: a due week saved before
    it ended and not confirmed since is *to confirm*, not submitted: rrp.models.week_status)."""
    import numpy as np
    import pandas as pd

    codes = pd.Index(list(wards), name="ward_code")
    stamps = pd.DatetimeIndex(pd.to_datetime(list(weeks)))
    keep = weekly["occupied_bed_days"].notna() & (weekly["occupied_bed_days"] > 0)
    if "provisional" in weekly.columns:
        keep &= ~weekly["provisional"].fillna(False).astype(bool)
    rows = weekly[keep]
    when = pd.DatetimeIndex(pd.to_datetime(rows["week_start"]))
    in_weeks = when.isin(stamps)
    row = codes.get_indexer(rows["ward_code"].to_numpy()[in_weeks])
    column = stamps.get_indexer(when[in_weeks])
    grid = np.zeros((len(codes), len(stamps)), dtype=bool)
    known = (row >= 0) & (column >= 0)
    grid[row[known], column[known]] = True
    return pd.DataFrame(grid, index=codes, columns=list(weeks))


def participation_mask(wards: pd.DataFrame, weeks: Sequence[dt.date]) -> pd.DataFrame:
    """Which of `weeks` each ward took part in (rrp.models.week_status.participating): index
    ward_code (`wards`' order; `wards` as registry_table, a participation_start column of ISO
    dates or None), one bool column per week. Weeks before a ward joined are never due."""
    import pandas as pd

    from rrp.models.week_status import participating

    starts = wards["participation_start"] if "participation_start" in wards.columns else [None] * len(wards)
    rows = []
    always = [True] * len(weeks)  # most wards have always taken part: no call per week
    for start in starts:
        joined = dt.date.fromisoformat(start) if isinstance(start, str) and start else None
        rows.append(always if joined is None else [participating(w, joined) for w in weeks])
    codes = pd.Index(list(wards["ward_code"]), name="ward_code")
    return pd.DataFrame(rows, index=codes, columns=list(weeks), dtype=bool).reindex(columns=list(weeks))


def due_completeness(present: pd.DataFrame, wards: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Completeness counted over due weeks only: (the grid with weeks before each ward joined
    set False, weeks submitted, weeks expected) per ward (`present` as `completeness`)."""
    mask = participation_mask(wards, list(present.columns)).reindex(present.index).fillna(True).astype(bool)
    due = present & mask
    return due, due.sum(axis=1).astype(int), mask.sum(axis=1).astype(int)


def to_confirm(weekly: pd.DataFrame, wards: Sequence[str], week: dt.date) -> frozenset[str]:
    """The wards (of `wards`) whose `week` (a due week) is entered but provisional: saved before
    it ended and not confirmed since, so not yet submitted (rrp.models.week_status)."""
    import pandas as pd

    if "provisional" not in weekly.columns or weekly.empty:
        return frozenset()
    rows = weekly[
        weekly["provisional"].fillna(False).astype(bool)
        & (pd.to_datetime(weekly["week_start"]) == pd.Timestamp(week))
        & weekly["ward_code"].isin(list(wards))
    ]
    return frozenset(str(c) for c in rows["ward_code"])


#: The completeness grid's words and mark (an en dash) for a week before a ward joined: not
#: applicable, never missing. Every grid (dashboard, pack, `rrp report collaborative`) uses them.
NOT_TAKING_PART = "not yet taking part"
NOT_APPLICABLE_MARK = "\u2013"


def completeness_marks(present: pd.DataFrame, wards: pd.DataFrame) -> dict[str, tuple[bool | None, ...]]:
    """The completeness grid as each view draws it: per ward code (`present`'s order), one mark
    per week: True submitted, False missing (due and not submitted), None not applicable (before
    the ward's participation start: rrp.models.week_status.participating, the mask that
    `due_completeness` counts by). `present` as `Dashboard.completeness`, `wards` with a
    participation_start column (Dashboard.wards)."""
    mask = participation_mask(wards, list(present.columns)).reindex(present.index).fillna(True).astype(bool)
    flags, due = present.to_numpy().tolist(), mask.to_numpy().tolist()
    return {
        str(code): tuple(bool(ok) if taking_part else None for ok, taking_part in zip(row, joined, strict=True))
        for code, row, joined in zip(present.index, flags, due, strict=True)
    }


def not_submitted(present: pd.DataFrame, wards: pd.DataFrame, end_week: dt.date) -> list[str]:
    """The wards (codes, in `wards`' order) that took part in `end_week` (the last complete week)
    and have not submitted it: the facilitator's list to chase (rrp.models.week_status.is_due)."""
    if end_week not in present.columns:
        return []
    # plain dicts: a Series.get per ward was ~0.05 s at 2,000 wards
    mask = participation_mask(wards, [end_week])[end_week].to_dict()
    submitted = present[end_week].to_dict()
    return [str(c) for c in wards["ward_code"] if bool(mask.get(c, True)) and not bool(submitted.get(c, False))]


def pdsa_counts(statuses: Sequence[str], planned_ends: Sequence[dt.date | None], today: dt.date) -> tuple[int, int]:
    """(running, due for Study) of a ward's cycles: rrp.models.pdsa's definitions."""
    from rrp.models.pdsa import due_for_study_on, is_running

    running = sum(1 for s in statuses if is_running(s))
    due = sum(1 for s, e in zip(statuses, planned_ends, strict=True) if due_for_study_on(s, e, today))
    return running, due


# -- one ward, every measure: the JSON both reports write ---------------------------------------


@dataclass(frozen=True)
class MeasureFigures:
    """One ward's figures for one measure (display units: per 1,000 bed days, %, count, value)."""

    measure: str
    label: str
    kind: str
    chart: str
    direction: str
    unit: str
    latest_week: dt.date | None
    latest_value: float | None
    baseline: float | None
    baseline_weeks: int
    recent: float | None
    recent_weeks: int
    change_from_baseline: float | None
    aim: float | None
    meets_aim: bool | None
    variation_icon: str | None
    assurance_icon: str | None


@dataclass(frozen=True)
class WardFigures:
    """A ward's figures for every measure it sees, and its PDSA counts."""

    ward_code: str
    ward_name: str
    end_week: dt.date
    measures: list[MeasureFigures] = field(default_factory=list)
    pdsa_running: int = 0
    pdsa_due_for_study: int = 0
    weeks_submitted: int | None = None
    weeks_expected: int | None = None

    def get(self, code: str) -> MeasureFigures | None:
        return next((m for m in self.measures if m.measure == code), None)


CHART_NAMES: dict[str, str] = {
    "run": "run chart", "xmr": "XmR chart", "u": "u chart", "uprime": "u' chart", "c": "c chart",
    "p": "p chart", "pprime": "p' chart",
}


def format_figure(value: float | None, unit: str = "") -> str:
    """A figure in its unit as every view prints it: '88.0 per 1,000 occupied bed days', '42.0%',
    '-' when there is none."""
    if value is None:
        return "-"
    text = f"{value:.1f}"
    if unit.startswith("%"):
        return text + "%"
    return f"{text} {unit}" if unit else text


def figures_caption(f: MeasureFigures) -> str:
    """One measure's figures in one line (the pack's captions; the same numbers as the JSON)."""
    from rrp.reports.icons_text import assurance_text, variation_text

    parts = [f"{f.label} ({CHART_NAMES.get(f.chart, f.chart)})"]
    parts.append(
        f"latest {format_figure(f.latest_value, f.unit)}"
        + (f" (week of {f.latest_week:%d %b %Y})" if f.latest_week else "")
    )
    parts.append(f"baseline {format_figure(f.baseline, f.unit)} ({f.baseline_weeks} weeks)")
    change = f.change_from_baseline
    parts.append("change from baseline " + ("-" if change is None else f"{change:+.0%}"))
    parts.append(f"aim {format_figure(f.aim, f.unit)}")
    parts.append(variation_text(f.variation_icon))
    parts.append(assurance_text(f.assurance_icon))
    return "; ".join(parts)


def figures_from_row(measure: Measure, row: Mapping[str, Any]) -> MeasureFigures:
    """A MeasureFigures from one ward's row of `ward_figures`' frame."""
    return MeasureFigures(
        measure=measure.code,
        label=measure.label,
        kind=measure.kind,
        chart=measure.chart,
        direction=measure.direction,
        unit=measure.unit_text,
        latest_week=_date(row.get("latest_week")),
        latest_value=_number(row.get("latest_value")),
        baseline=_number(row.get("baseline")),
        baseline_weeks=int(_number(row.get("baseline_weeks")) or 0),
        recent=_number(row.get("recent")),
        recent_weeks=int(_number(row.get("recent_weeks")) or 0),
        change_from_baseline=_number(row.get("change_from_baseline")),
        aim=_number(row.get("aim")),
        meets_aim=None if row.get("meets_aim") is None or _number(row.get("meets_aim")) is None else bool(row.get("meets_aim")),
        variation_icon=_text(row.get("variation_icon")),
        assurance_icon=_text(row.get("assurance_icon")),
    )


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _date(value: Any) -> dt.date | None:
    if value is None or value != value:  # None, NaN or NaT (NaT is a datetime too)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def to_json(value: Any) -> Any:
    """A dataclass (or list/dict of them) as JSON-ready data: numbers as numbers, dates ISO,
    NaN and infinities as null."""
    if hasattr(value, "__dataclass_fields__"):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is not None and type(value).__module__ == "numpy":
        return to_json(value.item())
    return value
