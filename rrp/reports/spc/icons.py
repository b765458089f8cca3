"""Classing flagged points (improvement / concern / neither) and the MDC variation and assurance
icons, vectorised over many charts.
"""

from __future__ import annotations

import numpy as np

from rrp.reports.spc.types import MIN_POINTS_FOR_ICON

#: Codes for the special_cause column; index into SPECIAL_CAUSE_NAMES.
NOT_FLAGGED, IMPROVEMENT, CONCERN, NEITHER = 0, 1, 2, 3
SPECIAL_CAUSE_NAMES = np.array(["", "improvement", "concern", "neither"], dtype=object)


def good_side(direction: str) -> int:
    """-1 when lower is better, +1 when higher is better, 0 for neutral."""
    return {"decrease": -1, "increase": 1}.get(direction, 0)


def winning_pattern(patterns: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The side of the pattern that classes each point: the first in `patterns` that flags it.

    `patterns` is a list of (flagged, side) pairs in order of precedence; side is -1/+1 (below /
    above, falling / rising) or 0 (no side). When patterns of opposite meaning flag one point, the
    first wins: for control charts the order is outside limits, trend, two of three, shift
    (QI-METHODS, as NHSRplotthedots). 0 where no pattern flags the point.
    """
    flagged = [mask for mask, _ in patterns]
    sides = [np.broadcast_to(side, mask.shape) for mask, side in patterns]
    return np.select(flagged, sides, 0).astype(np.int8)


def classify(flagged: np.ndarray, pattern: np.ndarray, direction: str) -> np.ndarray:
    """Special-cause code per point from the side of the pattern that flagged it.

    Improvement when the pattern is on the good side (below the centre, below the lower limit, a
    falling trend when lower is better), concern when on the other side; "neither" when the
    direction is neutral or the pattern has no side (too many runs).
    """
    good = good_side(direction)
    code = np.full(len(flagged), NOT_FLAGGED, dtype=np.int8)
    if good == 0:
        code[flagged] = NEITHER
        return code
    code[flagged & (pattern == good)] = IMPROVEMENT
    code[flagged & (pattern == -good)] = CONCERN
    code[flagged & (pattern == 0)] = NEITHER
    return code


def variation_icons(
    code: np.ndarray,
    pattern: np.ndarray,
    last_point: np.ndarray,
    last_segment_length: np.ndarray,
    direction: str,
) -> np.ndarray:
    """Variation icon per chart from the last point of its last segment (None under 13 points)."""
    c = code[last_point]
    p = pattern[last_point]
    up = direction == "increase"
    names = np.empty(len(last_point), dtype=object)
    names[c == NOT_FLAGGED] = "common_cause"
    names[c == IMPROVEMENT] = "improvement_high" if up else "improvement_low"
    names[c == CONCERN] = "concern_low" if up else "concern_high"
    neither = c == NEITHER
    names[neither & (p < 0)] = "neither_low"
    names[neither & (p >= 0)] = "neither_high"
    names[last_segment_length < MIN_POINTS_FOR_ICON] = None
    return names


def assurance_icons(
    target: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    last_segment_length: np.ndarray,
    direction: str,
) -> np.ndarray:
    """Assurance icon per chart from the last point's limits (strict comparisons).

    Lower is better: target above the upper limit passes consistently, below the lower limit
    fails consistently, otherwise hit and miss; mirrored when higher is better. None with no
    target, a neutral direction, no limits (run chart, constant series) or under 13 points.
    """
    out = np.full(len(target), None, dtype=object)
    if direction == "neutral":
        return out
    ok = ~np.isnan(target) & ~np.isnan(lower) & ~np.isnan(upper)
    ok &= last_segment_length >= MIN_POINTS_FOR_ICON
    above = target > upper
    below = target < lower
    if direction == "decrease":
        verdict = np.where(above, "pass", np.where(below, "fail", "hit_and_miss"))
    else:
        verdict = np.where(below, "pass", np.where(above, "fail", "hit_and_miss"))
    out[ok] = verdict[ok]
    return out
