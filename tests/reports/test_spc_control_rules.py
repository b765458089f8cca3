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


def test_point_beyond_a_negative_lower_limit_is_not_near_it():
    # Issue 10 (3). Baseline [0, 4] x 6: mean 2, MR_bar 4: limits 2 -+ 10.64 (-8.64 .. 12.64),
    # two-sigma lines 2 -+ 7.0933 (-5.0933 .. 9.0933). -9 is beyond the lower limit, which never
    # signals by itself (a negative lower limit): it is not "near" the limit either, so -9, -6, 1
    # is not two of three (only -6 is between the two-sigma line and the limit).
    values = [0, 4] * 6 + [-9, -6, 1, 2]
    p = compute_chart(values, chart="xmr", fix_after=12).points
    assert p["lower_2sigma"].iloc[12] == pytest.approx(2 - 2 / 3 * 10.64)
    assert p["rules"].iloc[12:].eq("").all()
    # Two points between the two-sigma line and the limit are two of three as before.
    p = compute_chart([0, 4] * 6 + [-7, -6, 1, 2], chart="xmr", fix_after=12).points
    assert p["rules"].tolist()[12:] == ["two_of_three", "two_of_three", "", ""]
    assert p["special_cause"].tolist()[12:14] == ["improvement", "improvement"]


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


def test_peak_in_two_trends_takes_the_trend_it_starts():
    values = np.array([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1], dtype=float)
    out = trend(values, build_layout(np.zeros(13, dtype=bool), None))
    # The peak (7) ends the rising trend and starts the falling one: it takes the falling one,
    # the trend to its right, as NHSRplotthedots ("if a point is part of a trend either side,
    # use right side").
    assert out[6] == -1 and (out[:6] == 1).all() and (out[7:] == -1).all()
    # In a chart: rising 5..12 (7 points) then falling 12..6 (7 points), limits -0.64..20.64.
    _, tail = xmr([5, 6, 7, 8, 9, 11, 12, 11, 10, 9, 8, 7, 6])
    assert tail["rules"].eq("trend").all()
    assert tail["special_cause"].iloc[0] == "concern"  # rising, though below the mean
    assert tail["special_cause"].iloc[12] == "improvement"  # falling
    assert tail["special_cause"].iloc[6] == "improvement"  # the peak starts the falling trend


def test_a_tie_after_a_trend_does_not_change_its_direction():
    # 1..7 rises (7 points), 7 again (a tie), then 7..1 falls: the first 7 belongs to the rising
    # trend only (the step out of it is a tie), the second to the falling one only.
    values = np.array([1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1], dtype=float)
    out = trend(values, build_layout(np.zeros(14, dtype=bool), None))
    assert out.tolist() == [1] * 7 + [-1] * 7


# --- Issue 10 (1): when patterns of opposite meaning flag one point, the first in the order
# outside limits, trend, two of three, shift classes it (QI-METHODS, as NHSRplotthedots).


def test_falling_trend_above_the_centre_is_improvement_not_a_shift_concern():
    # Baseline mean 10, limits -0.64..20.64, two sigma 2.91..17.09. The tail is 7 points above
    # the centre (a shift: concern when lower is better) that fall all the way (a trend:
    # improvement). The trend comes first: every point is an improvement.
    r, tail = xmr([17, 16, 15, 14, 13, 12, 11])
    assert tail["rules"].tolist() == ["shift;trend"] * 7
    assert tail["special_cause"].tolist() == ["improvement"] * 7
    assert r.summary["variation_icon"] == "improvement_low"


def test_rising_trend_below_the_centre_is_concern_not_a_shift_improvement():
    _, tail = xmr([3, 4, 5, 6, 7, 8, 9])
    assert tail["rules"].tolist() == ["shift;trend"] * 7
    assert tail["special_cause"].tolist() == ["concern"] * 7
    # with higher is better the same points are an improvement
    r = compute_chart(BASE + [3, 4, 5, 6, 7, 8, 9], chart="xmr", fix_after=12, direction="increase")
    assert r.points["special_cause"].iloc[12:].eq("improvement").all()
    assert r.summary["variation_icon"] == "improvement_high"


def test_point_beyond_the_upper_limit_is_concern_whatever_trend_it_starts():
    # 21 is above the upper limit 20.64 and starts a falling trend 21..15 (7 points): the
    # outside-limits rule comes first, so 21 is a concern; the rest of the trend is improvement
    # (20, 19 and 18 are also two of three above the centre, but the trend comes first).
    _, tail = xmr([21, 20, 19, 18, 17, 16, 15])
    assert tail["rules"].iloc[0] == "outside_limits;shift;trend"
    assert tail["rules"].iloc[1] == "shift;trend;two_of_three"
    assert tail["special_cause"].tolist() == ["concern"] + ["improvement"] * 6


def test_two_of_three_comes_after_trend():
    # The falling trend 19..13 is above the centre; 19 and 18 are beyond two sigma (17.09) and
    # inside the limit (20.64), so they are also two of three above the centre: trend first.
    _, tail = xmr([19, 18, 17, 16, 15, 14, 13])
    assert tail["rules"].iloc[0] == "shift;trend;two_of_three"
    assert tail["special_cause"].eq("improvement").all()


def test_ihi_run_chart_uses_the_same_precedence():
    # Run chart, IHI rules: median 10 from the baseline; 7 falling points above the median are a
    # shift (6+ on one side) and a trend (5+ falling): the trend comes first, improvement.
    r = compute_chart(
        BASE + [17, 16, 15, 14, 13, 12, 11], chart="run", rules="ihi", fix_after=12
    )
    tail = r.points.iloc[12:]
    assert tail["rules"].str.contains("shift").all() and tail["rules"].str.contains("trend").all()
    assert tail["special_cause"].eq("improvement").all()


def test_methods_md_states_the_rule_changes():
    # The app's help shows data/methods.md: each rule the engine applies is written there.
    from rrp.paths import DATA_DIR

    text = " ".join((DATA_DIR / "methods.md").read_text(encoding="utf-8").split())
    assert "**outside limits, trend, two of three, shift**" in text
    assert "takes the trend it *starts*" in text
    assert "**u, c and p keep their limits**" in text
    assert "never \"near\" the limit" in text
    assert "| p | numerator / denominator x per |" in text
