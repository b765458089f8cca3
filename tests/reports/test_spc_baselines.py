"""Baselines, trial limits, rebasing and segments (QI-METHODS "Baselines and rebasing")."""

import numpy as np
import pytest

from rrp.reports.spc import compute_chart


def test_fix_after_12_extends_centre_and_limits_unchanged():
    base = [8, 12] * 6
    later = [100, 0, 50, 3]
    p = compute_chart(base + later, chart="xmr", fix_after=12).points
    assert p["centre"].unique().tolist() == [10.0]
    assert p["upper_limit"].unique().tolist() == pytest.approx([20.64])
    # the huge later MRs did not enter MR_bar
    unfixed = compute_chart(base + later, chart="xmr").points
    assert unfixed["centre"].iloc[0] == pytest.approx(np.mean(base + later))


def test_fix_after_below_12_refused():
    with pytest.raises(ValueError, match="at least 12"):
        compute_chart(list(range(20)), chart="xmr", fix_after=11)


def test_u_chart_baseline_is_pooled_over_first_n():
    counts = [1, 2, 3] * 4 + [30, 30]
    beds = [100, 100, 200] * 4 + [100, 100]
    p = compute_chart(counts, denominators=beds, chart="u", fix_after=12).points
    assert p["centre"].iloc[-1] == pytest.approx(24 / 1600)


def test_trial_limits_under_12_points():
    assert compute_chart(list(range(11)), chart="xmr").points["trial"].all()
    assert not compute_chart(list(range(12)), chart="xmr").points["trial"].any()


def test_no_icons_under_13_points_in_last_segment():
    values = [18, 22] * 6
    r12 = compute_chart(values, chart="xmr", target=40)
    assert r12.summary["variation_icon"] is None and r12.summary["assurance_icon"] is None
    r13 = compute_chart(values + [20], chart="xmr", target=40)
    assert r13.summary["variation_icon"] == "common_cause"
    assert r13.summary["assurance_icon"] == "pass"


def test_rebase_starts_a_segment_at_the_label():
    labels = [f"w{i}" for i in range(8)]
    values = [0, 2, 0, 2, 100, 101, 100, 101]
    p = compute_chart(values, labels=labels, chart="xmr", rebase_at=["w4"]).points
    assert p["segment"].tolist() == [1, 1, 1, 1, 2, 2, 2, 2]
    assert p["centre"].iloc[0] == 1.0 and p["centre"].iloc[4] == 100.5
    # MRs never span the rebase: segment 1 MR_bar 2, segment 2 MR_bar 1 (not 98)
    assert p["upper_limit"].iloc[0] == pytest.approx(1 + 2.66 * 2)
    assert p["upper_limit"].iloc[4] == pytest.approx(100.5 + 2.66 * 1)


def test_two_rebases_with_positions():
    values = [0, 2, 0, 2, 100, 101, 100, 101, 5, 7, 5, 7]
    p = compute_chart(values, chart="xmr", rebase_at=[4, 8]).points
    assert p["segment"].tolist() == [1] * 4 + [2] * 4 + [3] * 4
    assert p["centre"].unique().tolist() == [1.0, 100.5, 6.0]
    assert p["upper_limit"].iloc[8] == pytest.approx(6 + 2.66 * 2)
    assert p["trial"].all()


def test_rules_never_cross_a_rebase():
    # 4 points above the mean at the end of segment 1, 4 above at the start of segment 2
    seg1 = [8, 12] * 5 + [11, 11, 11, 11]
    seg2 = [111, 111, 111, 111] + [108, 112] * 5
    p = compute_chart(seg1 + seg2, chart="xmr", rebase_at=[14]).points
    assert p["rules"].eq("").all()


def test_rebase_label_must_exist():
    with pytest.raises(ValueError, match="not one of the points"):
        compute_chart([1, 2, 3], labels=["a", "b", "c"], rebase_at=["z"])
    with pytest.raises(ValueError, match="not a point"):
        compute_chart([1, 2, 3], rebase_at=[3])


def test_fixed_baseline_applies_within_each_segment():
    seg1 = [8, 12] * 6 + [50, 50]
    seg2 = [18, 22] * 6 + [0, 0]
    p = compute_chart(seg1 + seg2, chart="xmr", fix_after=12, rebase_at=[14]).points
    assert p["centre"].iloc[13] == 10.0 and p["centre"].iloc[27] == 20.0
    assert p["rules"].iloc[12] == "outside_limits"


def test_icons_come_from_the_last_segment():
    seg1 = [8, 12] * 6 + [50]
    seg2 = [18, 22] * 7
    r = compute_chart(seg1 + seg2, chart="xmr", rebase_at=[13], target=5)
    assert r.summary["variation_icon"] == "common_cause"
    assert r.summary["assurance_icon"] == "fail"  # 5 is below segment 2's lower limit 9.36
