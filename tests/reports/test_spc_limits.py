"""Centre lines and limits for each chart type, worked by hand (QI-METHODS "Chart types")."""

import math

import numpy as np
import pytest

from rrp.reports.spc import compute_chart


def one(points, column):
    """The single distinct value of a column (limits are constant in a segment for xmr/c)."""
    values = points[column].unique()
    assert len(values) == 1
    return values[0]


def test_xmr_limits_by_hand():
    # mean 3.6; MRs 2,1,2,1 -> MR_bar 1.5; 2.66 * 1.5 = 3.99
    r = compute_chart([2, 4, 3, 5, 4], chart="xmr")
    p = r.points
    assert one(p, "centre") == pytest.approx(3.6)
    assert one(p, "upper_limit") == pytest.approx(7.59)
    assert one(p, "lower_limit") == pytest.approx(-0.39)  # xmr lower limit shown as computed
    assert one(p, "upper_2sigma") == pytest.approx(3.6 + 2 / 3 * 3.99)
    assert one(p, "lower_2sigma") == pytest.approx(3.6 - 2 / 3 * 3.99)


def test_mr_screening_3267():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40]
    mean = sum(values) / 12
    # MRs: ten of 1 and one of 30 -> MR_bar = 40/11 = 3.636; 30 > 3.267 * 3.636 = 11.88: dropped
    screened = compute_chart(values, chart="xmr").points
    assert one(screened, "upper_limit") == pytest.approx(mean + 2.66 * 1.0)
    unscreened = compute_chart(values, chart="xmr", screen_moving_ranges=False).points
    assert one(unscreened, "upper_limit") == pytest.approx(mean + 2.66 * 40 / 11)


def test_mr_screening_is_once_not_iterative():
    # MRs 1 x9, 6, 30: MR_bar = 45/11 = 4.09 -> 30 dropped (> 13.37), 6 kept;
    # recomputed MR_bar = 15/10 = 1.5; an iterative screen would now drop 6 (> 4.9) too.
    values = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 7, 37]
    p = compute_chart(values, chart="xmr").points
    assert one(p, "upper_limit") == pytest.approx(np.mean(values) + 2.66 * 1.5)


def test_u_chart_by_hand_varying_denominators():
    counts = [3, 4, 5, 20]
    beds = [100, 200, 300, 1000]
    p = compute_chart(counts, denominators=beds, chart="u", per=1000).points
    u_bar = 32 / 1600  # 0.02 per bed day = 20 per 1,000
    assert p["value"].tolist() == pytest.approx([30, 20, 16.6667, 20], abs=1e-4)
    assert one(p, "centre") == pytest.approx(20.0)
    for row, n in zip(p.itertuples(), beds, strict=True):
        sigma = math.sqrt(u_bar / n) * 1000
        assert row.upper_limit == pytest.approx(20 + 3 * sigma)
        assert row.lower_limit == pytest.approx(max(0.0, 20 - 3 * sigma))
        assert row.upper_2sigma == pytest.approx(20 + 2 * sigma)
        assert row.lower_2sigma == pytest.approx(max(0.0, 20 - 2 * sigma))
    # n = 1000: sigma = 4.472 -> 6.584 .. 33.416; n = 100: lower limit below zero shown as zero
    assert p["lower_limit"].iloc[3] == pytest.approx(6.5836, abs=1e-4)
    assert p["upper_limit"].iloc[3] == pytest.approx(33.4164, abs=1e-4)
    assert p["lower_limit"].iloc[0] == 0.0


def test_u_chart_without_denominator_refused():
    with pytest.raises(ValueError, match="denominators"):
        compute_chart([1, 2, 3], chart="u")


def test_uprime_sigma_z_by_hand():
    counts = [10, 30, 20, 40]
    beds = [1000] * 4
    # u_bar = 0.025; sqrt(u_bar / n) = 0.005; z = -3, 1, -1, 3; MRs 4, 2, 4 -> 10/3
    sigma_z = (10 / 3) / 1.128
    p = compute_chart(counts, denominators=beds, chart="uprime", per=1000).points
    assert one(p, "centre") == pytest.approx(25.0)
    assert one(p, "upper_limit") == pytest.approx(25 + 3 * sigma_z * 5)
    assert one(p, "lower_limit") == 0.0  # 25 - 44.3 < 0
    assert one(p, "upper_2sigma") == pytest.approx(25 + 2 * sigma_z * 5)


def test_uprime_screens_z_moving_ranges():
    counts = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 60]
    beds = [1000] * 12
    u_bar = sum(counts) / 12000
    s = math.sqrt(u_bar / 1000)
    z = [(c / 1000 - u_bar) / s for c in counts]
    mrs = [abs(a - b) for a, b in zip(z[1:], z[:-1], strict=True)]
    mr_bar = sum(mrs) / len(mrs)
    kept = [m for m in mrs if m <= 3.267 * mr_bar]
    assert len(kept) == 10
    sigma_z = sum(kept) / len(kept) / 1.128
    p = compute_chart(counts, denominators=beds, chart="uprime").points
    assert one(p, "upper_limit") == pytest.approx(u_bar + 3 * sigma_z * s)


def test_c_chart_by_hand():
    p = compute_chart([4, 6, 5, 5], chart="c").points
    assert one(p, "centre") == 5
    assert one(p, "upper_limit") == pytest.approx(5 + 3 * math.sqrt(5))
    assert one(p, "lower_limit") == 0.0
    assert one(p, "lower_2sigma") == pytest.approx(5 - 2 * math.sqrt(5))


def test_c_chart_refuses_denominators():
    with pytest.raises(ValueError, match="c chart"):
        compute_chart([1, 2], denominators=[1, 1], chart="c")


def test_run_chart_median_no_limits():
    p = compute_chart([3, 1, 4, 1, 5, 9, 2, 6], chart="run").points
    assert one(p, "centre") == 3.5
    for col in ("lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma"):
        assert p[col].isna().all()
    assert not p["trial"].any()


def test_rates_for_run_and_xmr_with_denominators():
    p = compute_chart([1, 2, 3], denominators=[100, 100, 200], chart="xmr", per=1000).points
    assert p["value"].tolist() == pytest.approx([10, 20, 15])


def test_zero_counts_u_chart_has_no_limits():
    r = compute_chart([0] * 14, denominators=[130] * 14, chart="u", per=1000, target=5)
    assert r.points["centre"].eq(0).all()
    assert r.points["upper_limit"].isna().all()
    assert r.points["rules"].eq("").all()
    assert r.summary["assurance_icon"] is None


def test_mostly_zero_counts_c_chart():
    p = compute_chart([0, 0, 0, 3, 0, 0], chart="c").points
    assert one(p, "centre") == 0.5
    assert one(p, "upper_limit") == pytest.approx(0.5 + 3 * math.sqrt(0.5))
    assert p["special_cause"].iloc[3] == "concern"  # 3 > 2.62


def test_single_huge_week_is_outside_and_screened():
    values = [4, 5, 4, 6, 5, 4, 5, 6, 5, 4, 5, 60, 5, 4]
    r = compute_chart(values, chart="xmr")
    assert r.points["rules"].iloc[11] == "outside_limits"
    assert r.points["special_cause"].iloc[11] == "concern"
    # both MRs around the spike (55, 55) are screened out
    assert r.points["upper_limit"].iloc[0] < 20


@pytest.mark.parametrize("chart", ["xmr", "run"])
def test_constant_series_no_limits_no_signals_no_assurance(chart):
    r = compute_chart([5] * 20, chart=chart, target=7)
    p = r.points
    assert p["upper_limit"].isna().all() and p["lower_limit"].isna().all()
    assert p["rules"].eq("").all() and p["special_cause"].eq("").all()
    assert r.summary["assurance_icon"] is None
    assert r.summary["variation_icon"] == "common_cause"


def test_constant_c_chart_keeps_its_poisson_limits():
    # Issue 10 (2): c limits come from the Poisson model, not from moving ranges.
    # c_bar = 5, sigma = sqrt(5) = 2.2361: limits 5 - 6.7082 -> 0 (clipped) .. 11.7082,
    # two-sigma lines 5 - 4.4721 = 0.5279 .. 9.4721.
    r = compute_chart([5] * 20, chart="c", target=7)
    p = r.points
    assert p["centre"].eq(5).all()
    assert p["upper_limit"].iloc[0] == pytest.approx(5 + 3 * math.sqrt(5))
    assert p["lower_limit"].eq(0).all()
    assert p["lower_2sigma"].iloc[0] == pytest.approx(5 - 2 * math.sqrt(5))
    assert p["upper_2sigma"].iloc[0] == pytest.approx(5 + 2 * math.sqrt(5))
    assert p["rules"].eq("").all()
    assert r.summary["assurance_icon"] == "hit_and_miss"  # 0 < 7 < 11.7
    assert r.summary["variation_icon"] == "common_cause"
    # ... and then a week of 12 is beyond the upper limit.
    p = compute_chart([5] * 20 + [12], chart="c", fix_after=20).points
    assert p["rules"].iloc[20] == "outside_limits"
    assert p["special_cause"].iloc[20] == "concern"


def test_constant_u_chart_keeps_its_poisson_limits():
    # Issue 10 (2): 3 restraints every week on 168 bed days. u_bar = 3 / 168 = 0.0178571 per bed
    # day = 17.8571 per 1,000; sigma_i = sqrt(u_bar / 168) = sqrt(3) / 168 = 0.0103098, so
    # 10.3098 per 1,000; upper limit 17.8571 + 3 x 10.3098 = 48.7866, lower 17.8571 - 30.93 -> 0.
    r = compute_chart([3] * 15, denominators=[168] * 15, chart="u", per=1000, target=10)
    p = r.points
    assert p["centre"].iloc[0] == pytest.approx(1000 * 3 / 168)
    assert p["upper_limit"].iloc[0] == pytest.approx(48.7866, abs=5e-5)
    assert round(p["upper_limit"].iloc[0], 1) == 48.8
    assert p["lower_limit"].eq(0).all()
    assert p["rules"].eq("").all()
    assert r.summary["assurance_icon"] == "hit_and_miss"


def test_constant_rates_u_chart_keeps_limits_uprime_has_none():
    # Rates 1/100 = 2/200 = 3/300 = 0.01 every week: u limits from the Poisson model differ per
    # point (sqrt(0.01 / n_i)); u' multiplies them by sigma_z, from the moving ranges of z, all 0.
    kw = dict(denominators=[100, 200, 300] * 5, target=1)
    u = compute_chart([1, 2, 3] * 5, chart="u", **kw)
    assert u.points["upper_limit"].iloc[0] == pytest.approx(0.01 + 3 * math.sqrt(0.01 / 100))
    assert u.points["upper_limit"].iloc[2] == pytest.approx(0.01 + 3 * math.sqrt(0.01 / 300))
    assert u.points["rules"].eq("").all()
    uprime = compute_chart([1, 2, 3] * 5, chart="uprime", **kw)
    assert uprime.points["upper_limit"].isna().all()
    assert uprime.summary["assurance_icon"] is None


@pytest.mark.parametrize("chart", ["u", "c"])
def test_zero_centre_has_no_poisson_limits(chart):
    kw = {"denominators": [150] * 14} if chart == "u" else {}
    r = compute_chart([0] * 14, chart=chart, target=1, **kw)
    assert r.points["upper_limit"].isna().all() and r.points["lower_limit"].isna().all()
    assert r.summary["assurance_icon"] is None


# --- p and p' charts (QI-METHODS "Chart types"; qicharts2's qic.p and qic.pp) ---

P_NUM = [2, 5, 1, 4]
P_DEN = [10, 20, 10, 20]


def test_p_chart_by_hand_varying_denominators():
    # p_bar = 12 / 60 = 0.2. n = 10: sigma = sqrt(0.2 x 0.8 / 10) = 0.126491; limits
    # 0.2 - 0.379473 < 0 -> 0 .. 0.579473; two-sigma 0.2 - 0.252982 < 0 -> 0 .. 0.452982.
    # n = 20: sigma = sqrt(0.008) = 0.0894427; limits 0 .. 0.468328; two-sigma 0.021115 .. 0.378885.
    p = compute_chart(P_NUM, denominators=P_DEN, chart="p").points
    assert p["value"].tolist() == pytest.approx([0.2, 0.25, 0.1, 0.2])
    assert p["centre"].tolist() == pytest.approx([0.2] * 4)
    assert p["upper_limit"].tolist() == pytest.approx([0.579473, 0.468328] * 2, abs=1e-6)
    assert p["lower_limit"].eq(0).all()
    assert p["lower_2sigma"].tolist() == pytest.approx([0, 0.021115] * 2, abs=1e-6)
    assert p["upper_2sigma"].tolist() == pytest.approx([0.452982, 0.378885] * 2, abs=1e-6)


def test_p_chart_limits_clipped_to_one_and_per_100_shows_percent():
    # p_bar = 36 / 40 = 0.9; sigma = sqrt(0.9 x 0.1 / 10) = 0.0948683; upper 0.9 + 0.284605 > 1
    # -> 1, lower 0.615395; two-sigma: 0.9 + 0.189737 > 1 -> 1, 0.710263 (from the unclipped sigma).
    p = compute_chart([9, 8, 9, 10], denominators=[10] * 4, chart="p").points
    assert p["upper_limit"].eq(1).all() and p["upper_2sigma"].eq(1).all()
    assert p["lower_limit"].iloc[0] == pytest.approx(0.615395, abs=1e-6)
    assert p["lower_2sigma"].iloc[0] == pytest.approx(0.710263, abs=1e-6)
    pct = compute_chart([9, 8, 9, 10], denominators=[10] * 4, chart="p", per=100).points
    assert pct["value"].tolist() == pytest.approx([90, 80, 90, 100])
    assert pct["upper_limit"].eq(100).all()
    assert pct["lower_limit"].iloc[0] == pytest.approx(61.5395, abs=1e-4)
    # 100% sits on the clipped upper limit: not beyond it.
    assert "outside_limits" not in pct["rules"].iloc[3]


def test_pprime_sigma_z_by_hand():
    # p_i = 0.2, 0.25, 0.1, 0.2; z_i = (p_i - 0.2) / sigma_i = 0, 0.559017, -0.790569, 0.
    # |diff z| = 0.559017, 1.349586, 0.790569; mean 0.899724 (none above 3.267 x mean);
    # sigma_z = 0.899724 / 1.128 = 0.797628. Upper limit at n = 10: 0.2 + 3 x 0.126491 x 0.797628.
    p = compute_chart(P_NUM, denominators=P_DEN, chart="pprime").points
    sigma_z = (0.559017 + 1.349586 + 0.790569) / 3 / 1.128
    assert p["upper_limit"].iloc[0] == pytest.approx(0.2 + 3 * 0.126491 * sigma_z, abs=1e-6)
    assert p["upper_limit"].iloc[1] == pytest.approx(0.2 + 3 * 0.0894427 * sigma_z, abs=1e-6)
    assert p["upper_2sigma"].iloc[1] == pytest.approx(0.2 + 2 * 0.0894427 * sigma_z, abs=1e-6)
    # 0.2 - 3 x 0.0894427 x 0.797628 = -0.0140 -> clipped to 0; the two-sigma line stays above 0.
    assert p["lower_limit"].iloc[1] == 0
    assert p["lower_2sigma"].iloc[1] == pytest.approx(0.2 - 2 * 0.0894427 * sigma_z, abs=1e-6)


def test_p_constant_segment_keeps_limits_pprime_has_none():
    # 3 of 10 every week: p limits from the binomial model (0.3 +- 3 sqrt(0.021) = 0 .. 0.734741);
    # p' sigma_z comes from moving ranges of z, all zero: no limits.
    kw = dict(denominators=[10] * 14, target=0.5)
    p = compute_chart([3] * 14, chart="p", **kw)
    assert p.points["upper_limit"].iloc[0] == pytest.approx(0.3 + 3 * math.sqrt(0.021))
    assert p.summary["assurance_icon"] == "hit_and_miss"
    pp = compute_chart([3] * 14, chart="pprime", **kw)
    assert pp.points["upper_limit"].isna().all()
    assert pp.summary["assurance_icon"] is None


@pytest.mark.parametrize("count", [0, 10])
@pytest.mark.parametrize("chart", ["p", "pprime"])
def test_p_centre_zero_or_one_has_no_limits(chart, count):
    r = compute_chart([count] * 14, denominators=[10] * 14, chart=chart, per=100)
    assert r.points["centre"].eq(count * 10).all()
    assert r.points["upper_limit"].isna().all() and r.points["lower_limit"].isna().all()
    assert r.points["rules"].eq("").all()


@pytest.mark.parametrize("chart", ["p", "pprime"])
def test_p_chart_refuses_bad_input(chart):
    with pytest.raises(ValueError, match="needs denominators"):
        compute_chart([1, 2], chart=chart)
    with pytest.raises(ValueError, match="no larger than"):
        compute_chart([1, 11], denominators=[10, 10], chart=chart)
    with pytest.raises(ValueError, match="zero or more"):
        compute_chart([1, -1], denominators=[10, 10], chart=chart)
