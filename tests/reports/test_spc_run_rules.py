"""Run-chart rules: Anhøj (default) and IHI (QI-METHODS "Run-chart rules")."""

import pytest

from rrp.reports.spc import compute_chart


def run(values, **kw):
    return compute_chart(values, chart="run", **kw)


def test_points_on_the_median_are_not_useful():
    # median 2 (5 ones, one 2, 5 threes): the 2 neither extends nor breaks a run
    r = run([1, 3, 1, 3, 1, 2, 1, 3, 1, 3, 3])
    assert r.points["centre"].iloc[0] == 2
    assert r.summary["n_useful"] == 10
    # runs: 1|3|1|3|1 (2 skipped) 1|3|1|3 3 -> the 1, 1 either side of the 2 form one run
    assert r.summary["crossings"] == 7
    assert r.summary["longest_run"] == 2


def test_anhoej_24_points_long_run_and_few_crossings():
    values = [1] * 9 + [3, 1, 3, 1, 3, 1] + [3] * 9  # 12 ones, 12 threes: median 2
    r = run(values)
    s = r.summary
    assert (s["n_useful"], s["longest_run_limit"], s["crossings_limit"]) == (24, 8, 8)
    assert s["longest_run"] == 9 and s["crossings"] == 7
    assert s["runs_signal"] is True and s["too_few_points"] is False
    rules = r.points["rules"].tolist()
    # both runs of 9 are the longest run: flagged; the alternating middle is not
    assert rules[:9] == ["long_run;few_crossings"] * 9
    assert rules[9:15] == [""] * 6
    assert rules[15:] == ["long_run;few_crossings"] * 9
    assert r.points["special_cause"].iloc[0] == "improvement"  # below the median
    assert r.points["special_cause"].iloc[-1] == "concern"
    assert s["variation_icon"] == "concern_high"


def test_anhoej_run_of_exactly_the_limit_is_not_a_signal():
    # 24 useful points, longest run 8 (= limit, not > limit); crossings 9 >= 8
    values = [1] * 8 + [3, 1, 3, 1, 3, 1, 3, 1] + [3] * 8
    r = run(values)
    assert r.summary["longest_run"] == 8 and r.summary["crossings"] == 9
    assert r.summary["runs_signal"] is False
    assert r.points["rules"].eq("").all()


def test_anhoej_few_crossings_alone_flags_longest_run():
    # n_useful 10: limits 6 and 2; runs 5,5 -> crossings 1 < 2, longest 5 <= 6
    values = [1] * 5 + [3] * 5
    r = run(values)
    assert r.summary["crossings"] == 1 and r.summary["crossings_limit"] == 2
    assert r.summary["longest_run_limit"] == 6
    assert r.points["rules"].eq("few_crossings").all()


def test_anhoej_not_applied_under_10_useful_points():
    r = run([1] * 4 + [3] * 5)
    assert r.summary["too_few_points"] is True
    assert r.summary["runs_signal"] is False
    assert r.points["rules"].eq("").all()


def test_anhoej_median_points_excluded_from_the_ten():
    r = run([1] * 5 + [2] * 3 + [3] * 5)  # 13 points, 10 useful
    assert r.summary["n_useful"] == 10 and r.summary["too_few_points"] is False


def test_alternating_series_no_signal():
    r = run([1, 3] * 12)
    assert r.summary["crossings"] == 23 and r.summary["runs_signal"] is False


def test_run_chart_summary_keys():
    r = run([1, 3] * 6)
    for key in (
        "n_useful",
        "longest_run",
        "longest_run_limit",
        "crossings",
        "crossings_limit",
        "runs_signal",
        "too_few_points",
    ):
        assert key in r.summary


def test_ihi_shift_of_six_skips_median_points():
    # median 5; the 5 inside the run of 7s is skipped (neither extends nor breaks)
    values = [3, 7, 3, 7, 3, 7, 3, 3, 7, 7, 7, 5, 7, 7, 7, 3, 3, 3, 5, 5]
    r = run(values, rules="ihi")
    assert r.points["centre"].iloc[0] == 5
    rules = r.points["rules"].tolist()
    assert rules[8:11] == ["shift"] * 3 and rules[11] == "" and rules[12:15] == ["shift"] * 3
    assert r.points["special_cause"].iloc[8] == "concern"


def test_ihi_five_is_not_a_shift_six_is():
    base = [9, 1] * 5
    five = run(base + [9] * 5 + [1] * 5, rules="ihi").points
    assert not five["rules"].str.contains("shift").any()
    six = run(base + [9] * 6 + [1] * 6, rules="ihi").points
    assert six["rules"].str.contains("shift").sum() == 12


def test_ihi_trend_equal_neighbours_count_once():
    r = run([1, 2, 2, 3, 4, 5], rules="ihi")
    assert r.points["rules"].tolist() == ["trend"] * 6
    r = run([1, 2, 3, 3, 4], rules="ihi")  # only 4 distinct steps' worth: no trend
    assert r.points["rules"].eq("").all()


def test_ihi_trend_falling_is_improvement():
    r = run([9, 8, 7, 7, 6, 5, 9, 1], rules="ihi")
    assert r.points["rules"].tolist()[:6] == ["trend"] * 6
    assert r.points["special_cause"].iloc[0] == "improvement"


def test_ihi_too_few_runs():
    # 20 useful points, 5 runs (< 6): too few; the longest run (6 threes) is flagged
    values = [1] * 4 + [3] * 4 + [1] * 4 + [3] * 6 + [1] * 2
    r = run(values, rules="ihi")
    assert r.summary["runs"] == 5 and r.summary["runs_lower"] == 6
    assert r.summary["runs_signal"] is True
    assert r.points["rules"].iloc[12] == "shift;too_few_runs"
    assert "too_few_runs" not in r.points["rules"].iloc[0]


def test_ihi_runs_test_signals_at_the_two_and_a_half_percent_critical_value():
    # 20 useful points (10 each side): P(R <= 6) = 0.019 <= 2.5%, P(R <= 7) = 0.051 > 2.5%.
    six = [1] * 4 + [3] * 4 + [1] * 4 + [3] * 4 + [1] * 2 + [3] * 2
    r = run(six, rules="ihi")
    assert r.summary["runs"] == 6 and r.summary["runs_lower"] == 6
    assert r.points["rules"].str.contains("too_few_runs").any()
    seven = [1] * 4 + [3] * 4 + [1] * 4 + [3] * 4 + [1] + [3] * 2 + [1]  # 10 a side, 7 runs
    r = run(seven, rules="ihi")
    assert r.summary["runs"] == 7
    assert not r.points["rules"].str.contains("too_few_runs").any()


def test_ihi_ten_alternating_points_are_too_many_runs():
    # 10 useful points: P(R = 10) = 2/252 = 0.8% <= 2.5%, so 10 runs signals.
    r = run([1, 3] * 5, rules="ihi")
    assert r.summary["runs"] == 10 and r.summary["runs_upper"] == 10
    assert r.points["rules"].eq("too_many_runs").all()


def test_ihi_too_many_runs_is_neither():
    r = run([1, 3] * 10, rules="ihi")
    assert r.summary["runs"] == 20 and r.summary["runs_upper"] == 16
    assert r.points["rules"].eq("too_many_runs").all()
    assert r.points["special_cause"].eq("neither").all()


def test_ihi_runs_test_not_applied_under_10_useful():
    r = run([1, 3] * 4 + [1], rules="ihi")
    assert r.summary["too_few_points"] is True
    assert not r.points["rules"].str.contains("runs").any()


def test_run_chart_rebase_each_segment_own_median():
    r = run([1, 2, 3, 10, 20, 30], rebase_at=[3])
    assert r.points["centre"].tolist() == [2, 2, 2, 20, 20, 20]


def test_run_chart_baseline_median():
    values = [5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7, 100, 100]
    r = run(values, fix_after=12)
    assert r.points["centre"].eq(6).all()


def test_unknown_rules_refused():
    with pytest.raises(ValueError, match="unknown rules"):
        run([1, 2, 3], rules="western")
