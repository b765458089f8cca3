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

    A tie breaks the trend. Returns the direction of the trend each point belongs to (+1 rising,
    -1 falling, 0 none). A point that ends one trend and starts the opposite one (a peak or a
    trough) takes the trend it starts, the one to its right, as NHSRplotthedots.
    """
    n = len(values)
    step = np.zeros(n, dtype=np.int8)
    if n > 1:
        inside = layout.pos[1:] >= 1  # the step into point i comes from i-1 in the same segment
        step[1:] = np.where(inside, np.sign(values[1:] - values[:-1]), 0)
    return trend_direction(step, layout.seg, length)


def trend_direction(step: np.ndarray, seg: np.ndarray, length: int) -> np.ndarray:
    """Per point, the direction of the `length`-point trend it belongs to, from the steps.

    step[i] is the sign of the step into point i (0 at a segment start or a tie). `length` points
    make length - 1 steps of one sign. A point belongs to the trend of the step into it and of the
    step out of it; where both are trend steps of opposite signs, the step out of it wins.
    """
    in_trend_step = (step != 0) & (run_lengths(step, seg) >= length - 1)
    step_in = np.where(in_trend_step, step, 0).astype(np.int8)
    # The step out of point i is the step into i+1 (0 when i+1 starts a segment).
    step_out = np.zeros_like(step_in)
    step_out[:-1] = step_in[1:]
    return np.where(step_out != 0, step_out, step_in).astype(np.int8)


def beyond_limits(values: np.ndarray, limits: Limits) -> np.ndarray:
    """Above the upper or below the lower limit, whether or not that limit can signal.

    A point below a negative XmR lower limit is beyond it (so not "near" it) even though such a
    limit never signals by itself. NaN limits: never beyond.
    """
    return (values > limits.upper) | (values < limits.lower)


def two_of_three(
    values: np.ndarray, side: np.ndarray, limits: Limits, layout: Layout
) -> np.ndarray:
    """Rule 4: in 3 consecutive points all on one side, 2+ beyond the two-sigma line but not beyond
    the limit. Only those points (beyond two sigma, inside the limit) are flagged.

    "Not beyond the limit" is read from the limits themselves, not from rule 1: a point beyond a
    limit that does not signal (a negative XmR lower limit) is still beyond it, never near it
    (as NHSRplotthedots' close_to_limits).
    """
    n = len(values)
    near = (values > limits.upper_2sigma) | (values < limits.lower_2sigma)
    near &= ~beyond_limits(values, limits)
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
