"""Segments and baselines as flat arrays: the layout every rule kernel works on.

Many charts (every ward, every measure) are laid end to end in one array, time order within each
chart. A *segment* is a run of points between rebases; each segment is contiguous in the array and
segments never mix charts. Every rule is computed over the whole array at once, with segment
boundaries breaking runs, so there is no Python loop over points or over charts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rrp.reports.spc.types import MIN_BASELINE


@dataclass(frozen=True)
class Layout:
    """Where each segment starts and ends, and which points form its baseline."""

    seg: np.ndarray  # segment index of each point (0..S-1, non-decreasing)
    pos: np.ndarray  # 0-based position of each point within its segment
    starts: np.ndarray  # index of each segment's first point
    lengths: np.ndarray  # points in each segment
    baseline: np.ndarray  # True where the point is one of its segment's baseline points
    base_lengths: np.ndarray  # baseline points in each segment

    @property
    def n_segments(self) -> int:
        """Number of segments over all charts."""
        return len(self.starts)

    def per_point(self, per_segment: np.ndarray) -> np.ndarray:
        """Broadcast one value per segment to every point of that segment."""
        return per_segment[self.seg]


def build_layout(segment_start: np.ndarray, fix_after: int | None) -> Layout:
    """Layout from a boolean 'a new segment starts here' array (True at index 0 is implied).

    fix_after: baseline size within each segment (its first n points); None uses every point.
    """
    check_fix_after(fix_after)
    n = len(segment_start)
    starts_mask = np.asarray(segment_start, dtype=bool).copy()
    if n:
        starts_mask[0] = True
    starts = np.flatnonzero(starts_mask)
    seg = np.cumsum(starts_mask) - 1
    lengths = np.diff(np.append(starts, n))
    pos = np.arange(n) - starts[seg] if n else np.zeros(0, dtype=np.int64)
    if fix_after is None:
        base_lengths = lengths.copy()
    else:
        base_lengths = np.minimum(lengths, fix_after)
    baseline = pos < base_lengths[seg] if n else np.zeros(0, dtype=bool)
    return Layout(seg, pos, starts, lengths, baseline, base_lengths)


def check_fix_after(fix_after: int | None) -> None:
    """Refuse a fixed baseline shorter than 12 points (QI-METHODS: n must be at least 12)."""
    if fix_after is not None and (int(fix_after) != fix_after or fix_after < MIN_BASELINE):
        raise ValueError(f"fix_after must be a whole number of at least {MIN_BASELINE} points")


def run_lengths(state: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """For each element, the length of the maximal block of equal `state` in its segment."""
    n = len(state)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    boundary = np.empty(n, dtype=bool)
    boundary[0] = True
    boundary[1:] = (state[1:] != state[:-1]) | (seg[1:] != seg[:-1])
    run_id = np.cumsum(boundary) - 1
    return np.bincount(run_id)[run_id]


def segment_sum(values: np.ndarray, seg: np.ndarray, n_segments: int) -> np.ndarray:
    """Sum of values per segment (segments with no values give 0)."""
    return np.bincount(seg, weights=values, minlength=n_segments)


def segment_count(mask: np.ndarray, seg: np.ndarray, n_segments: int) -> np.ndarray:
    """Number of True entries per segment."""
    return np.bincount(seg[mask], minlength=n_segments)


def segment_median(values: np.ndarray, seg: np.ndarray, n_segments: int) -> np.ndarray:
    """Median of values per segment (NaN where a segment has none), without a loop."""
    order = np.lexsort((values, seg))
    v = values[order]
    s = seg[order]
    counts = np.bincount(s, minlength=n_segments)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out = np.full(n_segments, np.nan)
    has = counts > 0
    lo = first[has] + (counts[has] - 1) // 2
    hi = first[has] + counts[has] // 2
    out[has] = (v[lo] + v[hi]) / 2.0
    return out


def segment_all_equal(values: np.ndarray, seg: np.ndarray, n_segments: int) -> np.ndarray:
    """True for segments whose values are all equal (a constant run: every moving range zero)."""
    n = len(values)
    differs = np.zeros(n, dtype=bool)
    if n > 1:
        differs[1:] = (values[1:] != values[:-1]) & (seg[1:] == seg[:-1])
    return segment_count(differs, seg, n_segments) == 0
