"""MDC special-cause rules, worked by hand (QI-METHODS "Special-cause rules for control charts").

Most examples use a fixed XmR baseline of [8, 12] x 6: mean 10, MR_bar 4, so the limits are
10 +- 10.64 (-0.64 .. 20.64) and the two-sigma lines 10 +- 7.0933 (2.9067 .. 17.0933).
"""

import numpy as np
import pytest

from rrp.reports.spc import compute_chart
from rrp.reports.spc.control_rules import shift, trend
from rrp.reports.spc.segments import build_layout

BASE = [8, 12] * 6


def xmr(tail, **kw):
    """XmR chart of the fixed baseline followed by `tail`; returns the tail's rows."""
    r = compute_chart(BASE + list(tail), chart="xmr", fix_after=12, **kw)
    return r, r.points.iloc[12:].reset_index(drop=True)


def test_baseline_limits():
    r, tail = xmr([10])
    assert tail["upper_limit"][0] == pytest.approx(20.64)
    assert tail["upper_2sigma"][0] == pytest.approx(10 + 2 / 3 * 10.64)


def test_outside_limits_both_sides_and_classing():
    # Baseline [18, 22] x 6: mean 20, limits 9.36 .. 30.64.
    values = [18, 22] * 6 + [31, 20, 9]
    p = compute_chart(values, chart="xmr", fix_after=12).points
    assert p["rules"].tolist()[12:] == ["outside_limits", "", "outside_limits"]
    assert p["special_cause"].tolist()[12:] == ["concern", "", "improvement"]
    p = compute_chart(values, chart="xmr", fix_after=12, direction="increase").points
    assert p["special_cause"].tolist()[12:] == ["improvement", "", "concern"]
    p = compute_chart(values, chart="xmr", fix_after=12, direction="neutral").points
    assert p["special_cause"].tolist()[12:] == ["neither", "", "neither"]


def test_point_on_limit_is_not_outside():
    values = [18, 22] * 6 + [20 + 2.66 * 4]
    p = compute_chart(values, chart="xmr", fix_after=12).points
    assert p["value"].iloc[12] == p["upper_limit"].iloc[12]
    assert "outside_limits" not in p["rules"].iloc[12]


def test_shift_of_seven_all_flagged():
    _, tail = xmr([11] * 7)
    assert tail["rules"].tolist() == ["shift"] * 7
    assert tail["special_cause"].tolist() == ["concern"] * 7


def test_six_is_not_a_shift():
    _, tail = xmr([9] * 6)
    assert tail["rules"].eq("").all()


def test_shift_broken_by_a_point_on_the_mean():
    _, tail = xmr([11, 11, 11, 10, 11, 11, 11])
    assert tail["rules"].eq("").all()


def test_shift_below_is_improvement_when_lower_is_better():
    _, tail = xmr([9] * 7)
    assert tail["special_cause"].eq("improvement").all()


def test_trend_of_seven_rising_crosses_the_mean():
    # 12 -> 7 falls, then 7..13 rises: 7 points, 6 rising steps; no shift (10 is on the mean).
    r, tail = xmr([7, 8, 9, 10, 11, 12, 13])
    assert tail["rules"].tolist() == ["trend"] * 7
    # a rising trend is the bad side when lower is better, even for points below the mean
    assert tail["special_cause"].tolist() == ["concern"] * 7
    assert r.summary["variation_icon"] == "concern_high"


def test_tie_breaks_a_trend():
    _, tail = xmr([7, 8, 9, 9, 10, 11, 12, 13])
    assert tail["rules"].eq("").all()


def test_falling_trend_is_improvement():
    _, tail = xmr([13, 12, 11, 10, 9, 8, 7])
    assert tail["rules"].tolist() == ["trend"] * 7
    assert tail["special_cause"].eq("improvement").all()


def test_two_of_three_flags_only_the_points_beyond_two_sigma():
    _, tail = xmr([18, 11, 19, 10])
    assert tail["rules"].tolist() == ["two_of_three", "", "two_of_three", ""]
    assert tail["special_cause"].tolist()[:3] == ["concern", "", "concern"]


def test_two_of_three_on_opposite_sides_is_not_a_signal():
    # 18 above the upper two-sigma line, 2 below the lower one: not on one side
    _, tail = xmr([18, 2, 10])
    assert tail["rules"].eq("").all()


def test_two_of_three_needs_all_three_on_one_side():
    # 18 and 19 are beyond two sigma but 9 (between them) is below the mean
    _, tail = xmr([18, 9, 19, 10])
    assert tail["rules"].eq("").all()


def test_point_beyond_the_limit_does_not_count_in_two_of_three():
    _, tail = xmr([18, 11, 21, 10])
    assert tail["rules"].tolist() == ["", "", "outside_limits", ""]


def test_two_beyond_two_sigma_and_one_beyond_the_limit():
    _, tail = xmr([18, 19, 21, 10])
    assert tail["rules"].tolist() == ["two_of_three", "two_of_three", "outside_limits", ""]


def test_negative_xmr_lower_limit_never_signals():
    values = [0, 4] * 6 + [-9, 2]  # mean 2, MR_bar 4: lower limit 2 - 10.64 = -8.64
    p = compute_chart(values, chart="xmr", fix_after=12).points
    assert p["lower_limit"].iloc[12] == pytest.approx(-8.64)
    assert "outside_limits" not in p["rules"].iloc[12]


def test_rule_kernels_respect_segment_boundaries():
    side = np.array([1] * 8, dtype=np.int8)
    starts = np.zeros(8, dtype=bool)
    starts[4] = True
    layout = build_layout(starts, None)
    assert not shift(side, layout).any()
    assert shift(side, build_layout(np.zeros(8, dtype=bool), None)).all()
    values = np.arange(8.0)
    assert not trend(values, layout).any()
    assert (trend(values, build_layout(np.zeros(8, dtype=bool), None)) == 1).all()


def test_peak_in_two_trends_is_classed_by_its_side():
    values = np.array([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], dtype=float)
    out = trend(values, build_layout(np.zeros(13, dtype=bool), None))
    assert out[6] == 2 and (out[:6] == 1).all() and (out[7:] == -1).all()
    # In a chart: rising 5..12 (7 points) then falling 12..6 (7 points), limits -0.64..20.64.
    _, tail = xmr([5, 6, 7, 8, 9, 11, 12, 11, 10, 9, 8, 7, 6])
    assert tail["rules"].eq("trend").all()
    assert tail["special_cause"].iloc[0] == "concern"  # rising, though below the mean
    assert tail["special_cause"].iloc[12] == "improvement"  # falling
    assert tail["special_cause"].iloc[6] == "concern"  # the peak: in both, above the mean
