"""compute_chart and compute_charts: one kernel over flat arrays, used for one chart or thousands.

The kernel takes every chart laid end to end (sorted by chart, time order within), with a
"new chart starts here" and a "rebase here" flag, and computes limits, rules, classes and icons
for all of them with numpy array operations. compute_chart is that kernel on one chart.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rrp.reports.spc import control_rules, icons, run_rules
from rrp.reports.spc.limits import compute_limits
from rrp.reports.spc.segments import build_layout
from rrp.reports.spc.types import (
    CHART_TYPES,
    DIRECTIONS,
    MIN_BASELINE,
    POINT_COLUMNS,
    RULE_BITS,
    RULE_SETS,
    ChartResult,
    ChartType,
    Direction,
    RuleSet,
)


@dataclass(frozen=True)
class _Kernel:
    """Per-point columns and per-chart summary arrays from one kernel run."""

    columns: dict[str, np.ndarray]
    summary: dict[str, np.ndarray]


def _check_options(chart: str, rules: str, direction: str, per: float) -> None:
    """Refuse unknown chart types, rule sets, directions and a non-positive `per`."""
    if chart not in CHART_TYPES:
        raise ValueError(f"unknown chart {chart!r}: use one of {', '.join(CHART_TYPES)}")
    if rules not in RULE_SETS:
        raise ValueError(f"unknown rules {rules!r}: use one of {', '.join(RULE_SETS)}")
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}: use one of {', '.join(DIRECTIONS)}")
    if not np.isfinite(per) or per <= 0:
        raise ValueError("per must be a positive number")


def _plotted_values(
    chart: str, values: np.ndarray, denominators: np.ndarray | None, per: float
) -> np.ndarray:
    """The value drawn for each point: counts for c, count / exposure x per for rates, numerator /
    denominator x per for proportions (p, p')."""
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite numbers (no blanks or NaN)")
    if chart in ("u", "uprime"):
        if denominators is None:
            raise ValueError(f"a {chart} chart needs denominators (the exposure, e.g. bed days)")
        if np.any(values < 0):
            raise ValueError(f"a {chart} chart needs counts of zero or more")
    if chart in ("p", "pprime"):
        if denominators is None:
            raise ValueError(f"a {chart} chart needs denominators (the number of cases)")
        if np.any(values < 0):
            raise ValueError(f"a {chart} chart needs numerators of zero or more")
        if np.all(np.isfinite(denominators)) and np.any(values > denominators):
            raise ValueError(f"a {chart} chart needs numerators no larger than their denominators")
    if chart == "c":
        if denominators is not None:
            raise ValueError("a c chart plots counts with constant exposure: use u for rates")
        if np.any(values < 0):
            raise ValueError("a c chart needs counts of zero or more")
    if denominators is None:
        return values.astype(float)
    if not np.all(np.isfinite(denominators)) or np.any(denominators <= 0):
        raise ValueError("denominators must be positive numbers (no zero, negative or blank)")
    return values / denominators * per


def _kernel(
    chart: str,
    rules: str,
    direction: str,
    values: np.ndarray,
    denominators: np.ndarray | None,
    chart_start: np.ndarray,
    rebase: np.ndarray,
    *,
    fix_after: int | None,
    target: np.ndarray,
    screen_moving_ranges: bool,
    per: float,
) -> _Kernel:
    """Limits, rules, classes and icons for every chart in the flat arrays (see module doc)."""
    plotted = _plotted_values(chart, values, denominators, per)
    layout = build_layout(chart_start | rebase, fix_after)
    limits = compute_limits(
        chart,
        plotted,
        values.astype(float),
        None if denominators is None else denominators.astype(float),
        layout,
        per=per,
        screen_moving_ranges=screen_moving_ranges,
    )
    side = control_rules.side_of_centre(plotted, limits.centre)
    stats: dict[str, np.ndarray] = {}
    if chart == "run":
        analysis = (
            run_rules.anhoej(side, layout)
            if rules == "anhoej"
            else run_rules.ihi(plotted, side, layout)
        )
        bits, pattern, stats = analysis.bits, analysis.pattern, analysis.stats
        trial = np.zeros(len(plotted), dtype=bool)
    else:
        bits, pattern = _control_rules(plotted, side, limits, layout)
        trial = layout.per_point(layout.lengths < MIN_BASELINE)
    code = icons.classify(bits != 0, pattern, direction)

    # Per chart: its last point, and the segment that point is in.
    n = len(plotted)
    last_point = np.flatnonzero(np.append(chart_start[1:], True)) if n else np.zeros(0, int)
    last_seg = layout.seg[last_point]
    last_len = layout.lengths[last_seg]
    chart_id = np.cumsum(chart_start) - 1
    summary: dict[str, np.ndarray] = {
        "n": np.bincount(chart_id, minlength=len(last_point)) if n else np.zeros(0, int),
        "variation_icon": icons.variation_icons(code, pattern, last_point, last_len, direction),
        "assurance_icon": icons.assurance_icons(
            target, limits.lower[last_point], limits.upper[last_point], last_len, direction
        ),
    }
    for key, per_segment in stats.items():
        summary[key] = per_segment[last_seg]
    segment_number = layout.seg - layout.seg[np.flatnonzero(chart_start)][chart_id] + 1
    columns = {
        "value": plotted,
        "centre": limits.centre,
        "lower_limit": limits.lower,
        "upper_limit": limits.upper,
        "lower_2sigma": limits.lower_2sigma,
        "upper_2sigma": limits.upper_2sigma,
        "segment": segment_number.astype(np.int64),
        "special_cause": icons.SPECIAL_CAUSE_NAMES[code],
        "rules": _rule_names(bits),
        "trial": trial,
    }
    return _Kernel(columns, summary)


def _control_rules(
    plotted: np.ndarray, side: np.ndarray, limits: Any, layout: Any
) -> tuple[np.ndarray, np.ndarray]:
    """MDC rules for control charts: rule bits and the side of the pattern that classes each point.

    A point flagged by patterns of opposite meaning takes the first in the order outside limits,
    trend, two of three, shift (QI-METHODS, as NHSRplotthedots): a point above the centre in a
    falling trend is classed by the trend; a point beyond a limit by its side, whatever trend it
    starts.
    """
    outside = control_rules.outside_limits(plotted, limits)
    shift = control_rules.shift(side, layout)
    trend_dir = control_rules.trend(plotted, layout)
    two = control_rules.two_of_three(plotted, side, limits, layout)
    in_trend = trend_dir != 0
    bits = (
        outside * RULE_BITS["outside_limits"]
        + shift * RULE_BITS["shift"]
        + in_trend * RULE_BITS["trend"]
        + two * RULE_BITS["two_of_three"]
    ).astype(np.int64)
    pattern = icons.winning_pattern(
        [(outside, side), (in_trend, trend_dir), (two, side), (shift, side)]
    )
    return bits, pattern


def _rule_names(bits: np.ndarray) -> np.ndarray:
    """';'-joined rule names per point, built once per distinct bit pattern."""
    unique, inverse = np.unique(bits, return_inverse=True)
    names = np.array(
        [";".join(name for name, bit in RULE_BITS.items() if b & bit) for b in unique],
        dtype=object,
    )
    return names[inverse.reshape(-1)]


def _summary_dict(kernel: _Kernel, i: int, chart: str, rules: str, direction: str) -> dict:
    """The summary of chart i as plain Python values."""
    out: dict[str, Any] = {
        "chart": chart,
        "rules": rules if chart == "run" else "mdc",
        "direction": direction,
    }
    for key, arr in kernel.summary.items():
        out[key] = _plain(arr[i])
    return out


def _plain(value: Any) -> Any:
    """numpy scalars to Python (NaN limits to None) so the summary serialises to JSON."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        f = float(value)
        if np.isnan(f):
            return None
        return int(f) if f.is_integer() else f
    return value


def _rebase_positions(rebase_at: Sequence[Any], labels: Sequence[Any] | None, n: int) -> np.ndarray:
    """Boolean array: True where a rebase starts a new segment. Unknown labels are refused."""
    flags = np.zeros(n, dtype=bool)
    lookup = (
        {label: i for i, label in reversed(list(enumerate(labels)))} if labels is not None else None
    )
    for item in rebase_at:
        if lookup is None:
            if (
                isinstance(item, bool)
                or not isinstance(item, (int, np.integer))
                or not 0 <= item < n
            ):
                raise ValueError(f"rebase position {item!r} is not a point (0..{n - 1})")
            flags[int(item)] = True
        else:
            if item not in lookup:
                raise ValueError(f"rebase label {item!r} is not one of the points")
            flags[lookup[item]] = True
    return flags


def compute_chart(
    values: Sequence[float] | np.ndarray,
    *,
    denominators: Sequence[float] | np.ndarray | None = None,
    labels: Sequence[Any] | None = None,
    chart: ChartType = "run",
    rules: RuleSet = "anhoej",
    direction: Direction = "decrease",
    fix_after: int | None = None,
    rebase_at: Sequence[Any] = (),
    target: float | None = None,
    screen_moving_ranges: bool = True,
    per: float = 1.0,
) -> ChartResult:
    """One SPC or run chart, points in the order given.

    values are counts (u, u', c), numerators (p, p') or the plotted values (run, xmr); with
    denominators the plotted value is values / denominators x per (for u and u' denominators are
    the exposures n_i, for p and p' the number of cases; per=100 shows percentages).
    rebase_at lists labels (or 0-based positions when labels is None) that start a new segment.
    `rules` chooses the run-chart rule set; control charts always use the MDC rules.
    Raises ValueError on bad input.
    """
    _check_options(chart, rules, direction, per)
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n == 0:
        raise ValueError("a chart needs at least one point")
    d = None if denominators is None else np.asarray(denominators, dtype=float)
    if d is not None and len(d) != n:
        raise ValueError("values and denominators differ in length")
    if labels is not None and len(labels) != n:
        raise ValueError("values and labels differ in length")
    start = np.zeros(n, dtype=bool)
    start[0] = True
    kernel = _kernel(
        chart,
        rules,
        direction,
        v,
        d,
        start,
        _rebase_positions(rebase_at, labels, n),
        fix_after=fix_after,
        target=np.array([np.nan if target is None else float(target)]),
        screen_moving_ranges=screen_moving_ranges,
        per=per,
    )
    points = pd.DataFrame({"x": list(labels) if labels is not None else np.arange(n)})
    for name in POINT_COLUMNS[1:]:
        points[name] = kernel.columns[name]
    return ChartResult(points=points, summary=_summary_dict(kernel, 0, chart, rules, direction))


def compute_charts(
    frame: pd.DataFrame,
    *,
    group: str | list[str],
    value: str,
    denominator: str | None,
    x: str,
    chart: ChartType = "run",
    rules: RuleSet = "anhoej",
    direction: Direction = "decrease",
    fix_after: int | None = None,
    rebase_at: Mapping[Hashable, Sequence[Any]] | None = None,
    target: float | Mapping[Hashable, float] | None = None,
    per: float = 1.0,
    screen_moving_ranges: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Many charts at once (e.g. every ward), vectorised over the whole frame.

    Rows are sorted by the group columns then by `x` (stable). rebase_at maps a group key (a
    tuple when `group` is a list of two or more columns) to the x labels that start a new
    segment; target is one number for every chart or a mapping from group key to number.
    Returns (points, summary): points has the group columns then the ChartResult.points columns;
    summary has one row per group with the group columns and the summary keys.
    """
    _check_options(chart, rules, direction, per)
    keys = [group] if isinstance(group, str) else list(group)
    needed = keys + [x, value] + ([denominator] if denominator else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    df = frame[needed].sort_values(keys + [x], kind="mergesort").reset_index(drop=True)
    n = len(df)
    gid = df.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    chart_start = np.ones(n, dtype=bool)
    chart_start[1:] = gid[1:] != gid[:-1]
    first_rows = df.loc[chart_start, keys].reset_index(drop=True)
    group_keys = (
        list(first_rows[keys[0]])
        if len(keys) == 1
        else list(first_rows.itertuples(index=False, name=None))
    )
    rebase = np.zeros(n, dtype=bool)
    if rebase_at:
        wanted = {
            (k if len(keys) > 1 and isinstance(k, tuple) else (k,)) + (label,)
            for k, labels in rebase_at.items()
            for label in labels
        }
        row_keys = pd.MultiIndex.from_frame(df[keys + [x]])
        rebase = np.asarray(row_keys.isin(list(wanted)))
        found = set(row_keys[rebase])
        absent = wanted - found
        if absent:
            raise ValueError(f"rebase label(s) not found: {sorted(map(str, absent))}")
    if target is None:
        targets = np.full(len(group_keys), np.nan)
    elif isinstance(target, Mapping):
        targets = np.array([float(target.get(k, np.nan)) for k in group_keys])
    else:
        targets = np.full(len(group_keys), float(target))
    try:
        v = pd.to_numeric(df[value], errors="raise").to_numpy(dtype=float)
        d = (
            pd.to_numeric(df[denominator], errors="raise").to_numpy(dtype=float)
            if denominator
            else None
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"non-numeric value: {exc}") from None
    kernel = _kernel(
        chart,
        rules,
        direction,
        v,
        d,
        chart_start,
        rebase,
        fix_after=fix_after,
        target=targets,
        screen_moving_ranges=screen_moving_ranges,
        per=per,
    )
    points = df[keys + [x]].rename(columns={x: "x"}) if x not in keys else df[keys].assign(x=df[x])
    points = points.copy()
    for name in POINT_COLUMNS[1:]:
        points[name] = kernel.columns[name]
    summary = first_rows.copy()
    summary["chart"] = chart
    summary["rules"] = rules if chart == "run" else "mdc"
    summary["direction"] = direction
    for key, arr in kernel.summary.items():
        summary[key] = arr
    return points, summary
