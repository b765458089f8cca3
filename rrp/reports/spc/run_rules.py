"""Run-chart rules: Anhøj (qicharts2, the default) and IHI (Perla, Provost & Murray 2011).

Points exactly on the median are "not useful": they neither extend nor break a run. Everything is
computed for all segments of all charts at once over a flat Layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rrp.reports.distributions import crossings_limit, runs_limits
from rrp.reports.spc.control_rules import trend_direction
from rrp.reports.spc.icons import winning_pattern
from rrp.reports.spc.segments import Layout
from rrp.reports.spc.types import MIN_USEFUL_FOR_RUNS, RULE_BITS

IHI_SHIFT_POINTS = 6
IHI_TREND_POINTS = 5


@dataclass(frozen=True)
class RunAnalysis:
    """Rule bits and pattern side per point, and the run statistics of every segment."""

    bits: np.ndarray  # per point, RULE_BITS or-ed
    pattern: np.ndarray  # per point: -1 low / falling, +1 high / rising, 0 no direction
    stats: dict[str, np.ndarray]  # per segment: n_useful, longest_run, crossings, ...


@dataclass(frozen=True)
class _Runs:
    """Runs of useful points: which run each useful point is in and each segment's totals."""

    useful_idx: np.ndarray
    run_len_of_point: np.ndarray  # per useful point
    n_useful: np.ndarray  # per segment
    n_runs: np.ndarray  # per segment
    longest: np.ndarray  # per segment


def _runs(side: np.ndarray, layout: Layout) -> _Runs:
    """Maximal groups of consecutive useful points on one side, per segment."""
    s = layout.n_segments
    useful_idx = np.flatnonzero(side != 0)
    u_side = side[useful_idx]
    u_seg = layout.seg[useful_idx]
    m = len(useful_idx)
    start = np.ones(m, dtype=bool)
    if m > 1:
        start[1:] = (u_side[1:] != u_side[:-1]) | (u_seg[1:] != u_seg[:-1])
    run_id = np.cumsum(start) - 1
    run_len = np.bincount(run_id) if m else np.zeros(0, dtype=np.int64)
    run_seg = u_seg[start]
    longest = np.zeros(s, dtype=np.int64)
    if m:
        np.maximum.at(longest, run_seg, run_len)
    return _Runs(
        useful_idx=useful_idx,
        run_len_of_point=run_len[run_id] if m else np.zeros(0, dtype=np.int64),
        n_useful=np.bincount(u_seg, minlength=s),
        n_runs=np.bincount(run_seg, minlength=s),
        longest=longest,
    )


def _per_n(fn, n_values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Apply a scalar table function once per distinct n (NaN where not ok)."""
    out = np.full(len(n_values), np.nan)
    for n in np.unique(n_values[ok]):
        out[ok & (n_values == n)] = fn(int(n))
    return out


def _longest_run_points(runs: _Runs, layout: Layout, segs: np.ndarray) -> np.ndarray:
    """Per point: True for the points of the longest run(s) of each flagged segment."""
    flag = np.zeros(len(layout.seg), dtype=bool)
    idx = runs.useful_idx
    seg_of = layout.seg[idx]
    hit = segs[seg_of] & (runs.run_len_of_point == runs.longest[seg_of])
    flag[idx[hit]] = True
    return flag


def anhoej(side: np.ndarray, layout: Layout) -> RunAnalysis:
    """Anhøj rules: unusually long run, unusually few crossings; the longest run is flagged.

    Long run: longest > round(log2(n_useful)) + 3. Few crossings: crossings < qbinom(0.05,
    n_useful - 1, 0.5). Not applied with fewer than 10 useful points.
    """
    runs = _runs(side, layout)
    applicable = runs.n_useful >= MIN_USEFUL_FOR_RUNS
    has_useful = runs.n_useful >= 1
    long_limit = np.full(layout.n_segments, np.nan)
    long_limit[has_useful] = np.round(np.log2(runs.n_useful[has_useful])) + 3
    cross_limit = _per_n(crossings_limit, runs.n_useful, has_useful)
    crossings = np.maximum(runs.n_runs - 1, 0)
    long_run = applicable & (runs.longest > long_limit)
    few = applicable & (crossings < cross_limit)
    bits = np.zeros(len(side), dtype=np.int64)
    bits[_longest_run_points(runs, layout, long_run)] |= RULE_BITS["long_run"]
    bits[_longest_run_points(runs, layout, few)] |= RULE_BITS["few_crossings"]
    stats = {
        "n_useful": runs.n_useful,
        "longest_run": runs.longest,
        "longest_run_limit": long_limit,
        "crossings": crossings,
        "crossings_limit": cross_limit,
        "runs_signal": long_run | few,
        "too_few_points": ~applicable,
    }
    return RunAnalysis(bits, np.where(bits != 0, side, 0).astype(np.int8), stats)


def ihi_trend(values: np.ndarray, layout: Layout, length: int = IHI_TREND_POINTS) -> np.ndarray:
    """IHI trend: `length`+ points all going up or all down; equal neighbours count once.

    Returns +1 / -1 for points in a rising / falling trend, 0 otherwise; a peak or trough that ends
    one trend and starts the opposite one takes the trend it starts (as the control-chart trend).
    Repeated values are collapsed to one point first, so a tie neither extends nor breaks a trend.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    keep = np.ones(n, dtype=bool)
    keep[1:] = (values[1:] != values[:-1]) | (layout.pos[1:] == 0)
    group = np.cumsum(keep) - 1
    kv = values[keep]
    kseg = layout.seg[keep]
    step = np.zeros(len(kv), dtype=np.int8)
    if len(kv) > 1:
        step[1:] = np.where(kseg[1:] == kseg[:-1], np.sign(kv[1:] - kv[:-1]), 0)
    return trend_direction(step, kseg, length)[group]


def ihi(values: np.ndarray, side: np.ndarray, layout: Layout) -> RunAnalysis:
    """IHI rules: shift (6+ on one side, median points skipped), trend (5+), too few / too many
    runs (Swed-Eisenhart limits, see distributions.runs_limits; needs 10+ useful points).
    """
    runs = _runs(side, layout)
    n = len(side)
    bits = np.zeros(n, dtype=np.int64)
    # Shift: a run of useful points (median points skipped) of 6 or more.
    shift_idx = runs.useful_idx[runs.run_len_of_point >= IHI_SHIFT_POINTS]
    bits[shift_idx] |= RULE_BITS["shift"]
    # Runs test.
    applicable = runs.n_useful >= MIN_USEFUL_FOR_RUNS
    lower = _per_n(lambda k: runs_limits(k)[0], runs.n_useful, applicable)
    upper = _per_n(lambda k: runs_limits(k)[1], runs.n_useful, applicable)
    # A two-sided test at 5%: signal AT or beyond each 2.5% critical value, so a random sequence
    # signals at most 2.5% of the time in each tail (strictly beyond would be far stricter and,
    # with 10 useful points, could never signal at all).
    too_few = applicable & (runs.n_runs <= lower)
    too_many = applicable & (runs.n_runs >= upper)
    few_points = _longest_run_points(runs, layout, too_few)
    bits[few_points] |= RULE_BITS["too_few_runs"]
    many_points = np.zeros(n, dtype=bool)
    many_points[runs.useful_idx] = too_many[layout.seg[runs.useful_idx]]
    bits[many_points] |= RULE_BITS["too_many_runs"]
    # One precedence for every chart (QI-METHODS): a trend classes its points by its direction
    # before a side-based pattern (shift, too few runs) classes them by their side; too many runs
    # has no side ("neither").
    trend_dir = ihi_trend(values, layout)
    bits[trend_dir != 0] |= RULE_BITS["trend"]
    sided = (bits & (RULE_BITS["shift"] | RULE_BITS["too_few_runs"])) != 0
    pattern = winning_pattern([(trend_dir != 0, trend_dir), (sided, side)])
    seg_shift = np.zeros(layout.n_segments, dtype=bool)
    seg_shift[layout.seg[shift_idx]] = True
    seg_trend = np.zeros(layout.n_segments, dtype=bool)
    seg_trend[layout.seg[trend_dir != 0]] = True
    stats = {
        "n_useful": runs.n_useful,
        "longest_run": runs.longest,
        "longest_run_limit": np.full(layout.n_segments, float(IHI_SHIFT_POINTS - 1)),
        "crossings": np.maximum(runs.n_runs - 1, 0),
        "crossings_limit": np.full(layout.n_segments, np.nan),
        "runs": runs.n_runs,
        "runs_lower": lower,
        "runs_upper": upper,
        "runs_signal": seg_shift | seg_trend | too_few | too_many,
        "too_few_points": ~applicable,
    }
    return RunAnalysis(bits, pattern, stats)
