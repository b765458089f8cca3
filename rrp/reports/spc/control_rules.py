"""The four MDC special-cause rules for control charts (QI-METHODS, as NHSRplotthedots).

Each rule returns a boolean array over a flat Layout (every chart, every segment at once) and
never looks across a segment boundary. A `pattern` array of -1/+1 says which side the pattern that
flagged a point is on (below/above the centre, or a falling/rising trend); it is how points are
classed as improvement or concern.
"""

from __future__ import annotations

import numpy as np

from rrp.reports.spc.limits import Limits
from rrp.reports.spc.segments import Layout, run_lengths

SHIFT_POINTS = 7
TREND_POINTS = 7


def side_of_centre(values: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """-1 below, +1 above, 0 exactly on the centre line (a point on the line breaks a shift)."""
    return np.sign(values - centre).astype(np.int8)


def outside_limits(values: np.ndarray, limits: Limits) -> np.ndarray:
    """Rule 1: above the upper limit, or below a lower limit that can signal. NaN limits: never."""
    above = values > limits.upper
    below = (values < limits.lower) & limits.lower_signals
    return above | below


def shift(side: np.ndarray, layout: Layout, length: int = SHIFT_POINTS) -> np.ndarray:
    """Rule 2: `length`+ consecutive points all above or all below the centre; all are flagged."""
    return (side != 0) & (run_lengths(side, layout.seg) >= length)


def trend(values: np.ndarray, layout: Layout, length: int = TREND_POINTS) -> np.ndarray:
    """Rule 3: `length`+ consecutive points each strictly higher (or lower) than the one before.

    A tie breaks the trend. Returns the direction of the trend a point belongs to (+1 rising,
    -1 falling, 0 none); a point that ends one trend and starts the opposite one gets +2 (both).
    """
    n = len(values)
    step = np.zeros(n, dtype=np.int8)
    if n > 1:
        inside = layout.pos[1:] >= 1  # the step into point i comes from i-1 in the same segment
        step[1:] = np.where(inside, np.sign(values[1:] - values[:-1]), 0)
    step_run = run_lengths(step, layout.seg)
    # `length` points make length - 1 steps of the same sign.
    in_trend_step = (step != 0) & (step_run >= length - 1)
    up = in_trend_step & (step > 0)
    down = in_trend_step & (step < 0)
    # The point before a flagged step is in the trend too (it is in the same segment).
    up[:-1] |= up[1:]
    down[:-1] |= down[1:]
    return np.where(up & down, 2, np.where(up, 1, np.where(down, -1, 0))).astype(np.int8)


def two_of_three(
    values: np.ndarray, side: np.ndarray, limits: Limits, outside: np.ndarray, layout: Layout
) -> np.ndarray:
    """Rule 4: in 3 consecutive points all on one side, 2+ beyond the two-sigma line but not beyond
    the limit. Only those points (beyond two sigma, inside the limit) are flagged.
    """
    n = len(values)
    near = ((values > limits.upper_2sigma) | (values < limits.lower_2sigma)) & ~outside
    flagged = np.zeros(n, dtype=bool)
    if n < 3:
        return flagged
    # A window starts at j when j, j+1, j+2 are in one segment.
    same_seg = layout.seg[2:] == layout.seg[:-2]
    side_sum = side[:-2].astype(int) + side[1:-1] + side[2:]
    near_sum = near[:-2].astype(int) + near[1:-1] + near[2:]
    window = same_seg & (np.abs(side_sum) == 3) & (near_sum >= 2)
    covered = np.zeros(n, dtype=bool)
    for offset in range(3):  # each point is covered by windows starting at i-2, i-1, i
        covered[offset : n - 2 + offset] |= window
    return covered & near
