"""The SPC engine against numbers published by NHSRplotthedots and qicharts2.

Every expected value below is copied from a public source named in the test's docstring (stored
copies of the GitHub repositories, read with the search tool). Where rrp follows QI-METHODS.md and
the source chooses differently, the test says so (and data/methods.md, "Published references").

Data provenance:
- AE_ALL_*: decoded from the R-serialised (XDR, base64) snapshot values in
  nhs-r-community/NHSRplotthedots tests/testthat/_snaps/integration_tests.md (commit 0c096d8),
  the objects made by tests/testthat/test-integration_tests.R from NHSRdatasets::ae_attendances
  summed by month (36 months from April 2016). The snapshot stores the inputs (y) and
  NHSRplotthedots' own mean, lpl, upl and point_type columns at full double precision.
- RNORM_123_20 / QIC_VIGNETTE_Y: R's rnorm() with the seeds the sources use (set.seed(123);
  set.seed(19)), regenerated bit for bit with R's Mersenne-Twister + inversion algorithm; they agree
  with every digit the sources print.
"""

import math

import numpy as np
import pytest

from rrp.reports.distributions import crossings_limit, longest_run_limit
from rrp.reports.spc import compute_chart
from rrp.reports.spc.control_rules import shift, trend, two_of_three
from rrp.reports.spc.limits import Limits
from rrp.reports.spc.run_rules import anhoej
from rrp.reports.spc.segments import build_layout

# --- NHSRplotthedots integration snapshot: England A&E attendances (and 4-hour performance) ---

AE_ALL_ATTENDANCES = [
    1867781, 2070340, 1958802, 2079034, 1932901, 1952464,
    2001816, 1907871, 1944567, 1895272, 1735619, 2015834,
    1949762, 2066789, 1994056, 2073944, 1924663, 1925961,
    2044137, 1976971, 2003954, 2000086, 1820012, 2049785,
    1984369, 2164458, 2093942, 2179896, 1997854, 2005695,
    2079492, 2037847, 2047518, 2113413, 1954947, 2167550,
]  # fmt: skip

AE_ALL_PERFORMANCE = [
    0.9003512724457525, 0.9027555860390081, 0.9055994429248081,
    0.9028524786030435, 0.909763097023593, 0.9064786853944554,
    0.8905308979446662, 0.8837903610883545, 0.8617594559611471,
    0.851413411900772, 0.8753090395991286, 0.9000949482943537,
    0.9051525263083392, 0.8970035160821932, 0.9072518525056468,
    0.9034785895858326, 0.9029928875860346, 0.8966609396555797,
    0.8994186788850258, 0.8876655246839736, 0.8498503458662225,
    0.8529918213516818, 0.8504476893558943, 0.8462121637147311,
    0.8857248828216929, 0.9039011151983545, 0.9076297242234981,
    0.8931949047110505, 0.8972702710007838, 0.8894368286304747,
    0.8900933497219513, 0.8760446687116353, 0.8644632183941728,
    0.843525141560121, 0.8422525009629417, 0.8660427671795345,
]  # fmt: skip

# NHSRplotthedots point_type for the performance chart ("special_cause_" dropped,
# "common_cause" -> ""), in rrp's special_cause vocabulary.
AE_PERFORMANCE_POINT_TYPE = (
    [""] * 9 + ["concern", ""] + ["improvement"] * 8 + [""] + ["concern"] * 4 + [""] * 5
    + ["concern"] * 7
)  # fmt: skip


def _near_two_sigma(points) -> list[int]:
    """Positions beyond a two-sigma line but not beyond a limit (NHSRplotthedots close_to_limits)."""
    v = points["value"]
    beyond_2 = (v > points["upper_2sigma"]) | (v < points["lower_2sigma"])
    beyond_3 = (v > points["upper_limit"]) | (v < points["lower_limit"])
    return list(np.flatnonzero(beyond_2 & ~beyond_3))


def test_nhsr_ae_attendances_xmr_limits_match_snapshot():
    """nhs-r-community/NHSRplotthedots tests/testthat/test-integration_tests.R, "ae_all attendances
    spc returns expected values": ptd_spc(ae_all(), attendances, period) (screen_outliers TRUE by
    default); expected values from tests/testthat/_snaps/integration_tests.md: mean
    2000538.9444444445, lpl 1731844.3644444444, upl 2269233.5244444446 for all 36 points,
    every point_type common_cause, close_to_limits at points 11, 23 and 28 (1-based).
    """
    r = compute_chart(AE_ALL_ATTENDANCES, chart="xmr", direction="increase")
    p = r.points
    assert p["centre"].to_numpy() == pytest.approx([2000538.9444444445] * 36, rel=1e-15)
    assert p["lower_limit"].to_numpy() == pytest.approx([1731844.3644444444] * 36, rel=1e-15)
    assert p["upper_limit"].to_numpy() == pytest.approx([2269233.5244444446] * 36, rel=1e-15)
    assert (p["special_cause"] == "").all()
    assert _near_two_sigma(p) == [10, 22, 27]
    assert r.summary["variation_icon"] == "common_cause"


def test_nhsr_ae_attendances_rebase_match_snapshot():
    """nhs-r-community/NHSRplotthedots tests/testthat/test-integration_tests.R, "ae_all attendances
    spc with rebase": ptd_spc(..., rebase = as.Date("2017-04-01")), i.e. a new segment *at* the
    13th month. Snapshot (tests/testthat/_snaps/integration_tests.md): mean 1946858.4166666667 then
    2027379.2083333333; upl 2253769.4584848485 then 2281837.3526811595; lpl 1639947.374848485 then
    1772921.0639855072; every point common cause.

    One difference: the stored snapshot's lpl column keeps the first segment's value on the rebase
    point itself (13 copies), while its mean and upl switch there (12 copies). QI-METHODS: a rebase
    at X starts the new segment at X with its own centre and limits, so rrp uses the new segment's
    lower limit at X; that point is checked against the new segment's value.
    """
    r = compute_chart(AE_ALL_ATTENDANCES, chart="xmr", direction="increase", rebase_at=[12])
    p = r.points
    first, second = slice(0, 12), slice(12, 36)
    assert p["centre"][first].to_numpy() == pytest.approx([1946858.4166666667] * 12, rel=1e-15)
    assert p["centre"][second].to_numpy() == pytest.approx([2027379.2083333333] * 24, rel=1e-15)
    assert p["upper_limit"][first].to_numpy() == pytest.approx([2253769.4584848485] * 12, rel=1e-15)
    assert p["upper_limit"][second].to_numpy() == pytest.approx(
        [2281837.3526811595] * 24, rel=1e-15
    )
    assert p["lower_limit"][first].to_numpy() == pytest.approx([1639947.374848485] * 12, rel=1e-15)
    assert p["lower_limit"][second].to_numpy() == pytest.approx(
        [1772921.0639855072] * 24, rel=1e-15
    )
    assert p["segment"].tolist() == [1] * 12 + [2] * 24
    assert (p["special_cause"] == "").all()


def test_nhsr_ae_performance_fix_after_12_matches_snapshot_point_by_point():
    """nhs-r-community/NHSRplotthedots tests/testthat/test-integration_tests.R, "ae_all performance
    spc returns expected values": ptd_spc(ae_all(), performance, period, fix_after_n_points = 12),
    improvement_direction "increase". Snapshot (tests/testthat/_snaps/integration_tests.md): mean
    0.8908915564349236, lpl 0.8614049789074258, upl 0.9203781339624213 for all 36 points (limits
    from the first 12 only); outside_limits at points 10, 21-24, 34, 35; close_to_limits at 9, 33,
    36 (1-based); point_type as AE_PERFORMANCE_POINT_TYPE (a concern below the lower limit, an
    8-point improvement shift, four concerns below the limit, a 7-point concern shift at the end).
    """
    r = compute_chart(AE_ALL_PERFORMANCE, chart="xmr", direction="increase", fix_after=12)
    p = r.points
    assert p["centre"].to_numpy() == pytest.approx([0.8908915564349236] * 36, rel=1e-14)
    assert p["lower_limit"].to_numpy() == pytest.approx([0.8614049789074258] * 36, rel=1e-14)
    assert p["upper_limit"].to_numpy() == pytest.approx([0.9203781339624213] * 36, rel=1e-14)
    outside = [i for i, rules in enumerate(p["rules"]) if "outside_limits" in rules.split(";")]
    assert outside == [9, 20, 21, 22, 23, 33, 34]
    assert _near_two_sigma(p) == [8, 32, 35]
    assert p["special_cause"].tolist() == AE_PERFORMANCE_POINT_TYPE
    # The last point is a concern below the centre (higher is better): NHSR's "concern low" icon.
    assert r.summary["variation_icon"] == "concern_low"


# --- NHSRplotthedots unit tests ---

RNORM_123_20 = [
    -0.5604756465522126, -0.23017748948327996, 1.558708314149124,
    0.070508391424576, 0.12928773516094624, 1.715064986883281,
    0.4609162059892023, -1.265061234606534, -0.6868528518935261,
    -0.44566197009995806, 1.2240817974394615, 0.3598138270573638,
    0.40077145059405217, 0.1106827159451197, -0.5558411347540749,
    1.7869131368030782, 0.4978504782292394, -1.9666171566296382,
    0.7013559015636855, -0.47279140772793404,
]  # fmt: skip


def test_nhsr_ptd_spc_standard_rnorm_snapshot():
    """nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: set.seed(123);
    y = rnorm(20); screen_outliers = TRUE. tests/testthat/_snaps/ptd_spc_standard.md prints
    mean 0.142, lpl -3.01, upl 3.29 (3 significant figures) on every row.
    """
    p = compute_chart(RNORM_123_20, chart="xmr", direction="neutral").points
    assert round(p["centre"].iloc[0], 3) == 0.142
    assert round(p["lower_limit"].iloc[0], 2) == -3.01
    assert round(p["upper_limit"].iloc[0], 2) == 3.29


def test_nhsr_two_of_three_needs_same_side():
    """nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_spc_standard.R, "it only reports
    special cause for 2 of 3 points close to limits when they are on the same side of the mean":
    data = rep(c(1, -1), 8) with data[15] = 5.5 and data[16] = -5.5; the last two point_types are
    both "common_cause".
    """
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    r = compute_chart(data, chart="xmr", direction="increase")
    assert r.points["special_cause"].tolist()[-2:] == ["", ""]


def _layout(n):
    return build_layout(np.zeros(n, dtype=bool), None)


@pytest.mark.parametrize(
    "relative_to_mean, flagged",
    [
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [1] * 8 + [0]),
        ([-1] + [1] * 8 + [-1], [0] + [1] * 8 + [0]),
    ],
)
def test_nhsr_seven_point_one_side_of_mean(relative_to_mean, flagged):
    """nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R,
    ptd_seven_point_one_side_mean / ptd_part_of_seven_trend: c(rep(1, 6)) and c(rep(1, 6), -1) give
    no shift; c(rep(1, 8), -1) and c(rep(-1, 8), 1) flag the run of 8 (NHSR marks the 7th and 8th
    and then back-fills the run; rrp flags every point of the run directly).
    """
    side = np.array(relative_to_mean, dtype=np.int8)
    assert shift(side, _layout(len(side))).astype(int).tolist() == flagged


@pytest.mark.parametrize(
    "values, direction",
    [
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # a tie breaks the trend
        (list(range(1, 8)), [1] * 7),
        ([2, *range(1, 8), 3], [0] + [1] * 7 + [0]),
        (list(range(7, 0, -1)), [-1] * 7),
        ([2, *range(7, 0, -1), 3], [0] + [-1] * 7 + [0]),
    ],
)
def test_nhsr_seven_point_trend(values, direction):
    """nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R,
    ptd_seven_point_trend: 1:6 -> none; c(1:3, 3:6) -> none (a tie); 1:7 -> rising (NHSR marks the
    7th point, then ptd_part_of_seven_trend marks the whole run); c(2, 1:7, 3) -> points 2..8;
    7:1 and c(2, 7:1, 3) -> falling.
    """
    v = np.array(values, dtype=float)
    assert trend(v, _layout(len(v))).tolist() == direction


@pytest.mark.parametrize(
    "close, flagged",
    [
        ([1, 0, 1], [1, 0, 1]),
        ([0, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
    ],
)
def test_nhsr_part_of_two_in_three(close, flagged):
    """nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R,
    ptd_part_of_two_in_three: with close_to_limits cv = c(1,0,1), dv = c(0,1,1), ev = c(1,1,0),
    fv, gv -> the close points themselves; hv = c(1,0,0,1) -> none; iv = c(1,0,0,1,1) ->
    c(0,0,0,1,1). Here every point is above the centre (centre 0, 2-sigma 2, limit 3); a close
    point is 2.5, the others 1.
    """
    n = len(close)
    values = np.where(np.array(close) == 1, 2.5, 1.0)
    ones = np.ones(n)
    limits = Limits(0 * ones, -3 * ones, 3 * ones, -2 * ones, 2 * ones, ones.astype(bool))
    side = np.ones(n, dtype=np.int8)
    got = two_of_three(values, side, limits, _layout(n))
    assert got.astype(int).tolist() == flagged


# --- qicharts2 ---

QIC_VIGNETTE_Y = [
    -1.1894537452597227, 0.38858122963255254, -0.34433334921072467,
    -0.547896138418295, 0.9806622157501915, -0.2366460072728519,
    0.8097397043477149, -0.7447795286640412, -0.25978701312709895,
    -0.18308383041021475, 0.5186299876129051, 0.8834651007203136,
    1.001284752582189, 2.534829992287411, 1.8762320483140942,
    4.119303307927096, 0.48652412607601336, 2.2551948706224385,
    3.5047414384306554, 1.6099195252991163, 2.579358170126725,
    2.2103558396869403, 2.944042775533132, 0.17330676638891696,
]  # fmt: skip


def test_qicharts2_vignette_i_chart_centre_and_limits():
    """anhoej/qicharts2 vignettes/qicharts2.Rmd, "The Anhøj rules": set.seed(19); y <- rnorm(24);
    y[22] <- 4; y[13:24] <- rnorm(12, mean = 2); summary(qic(y, chart = 'i')) prints CL 1.057091,
    aLCL -2.114884, aLCL.95 -1.057559, aUCL.95 3.171742, aUCL 4.229067.

    qicharts2 uses 3 sigma with sigma = MR_bar / 1.128 (3 / 1.128 = 2.6596); rrp uses MDC's 2.66
    (QI-METHODS). Rescaling rrp's half-widths by (3 / 1.128) / 2.66 reproduces qicharts2's limits.
    """
    p = compute_chart(QIC_VIGNETTE_Y, chart="xmr", direction="neutral").points.iloc[0]
    assert p.centre == pytest.approx(1.057091, abs=5e-7)
    k = (3 / 1.128) / 2.66
    assert p.centre - k * (p.centre - p.lower_limit) == pytest.approx(-2.114884, abs=5e-6)
    assert p.centre - k * (p.centre - p.lower_2sigma) == pytest.approx(-1.057559, abs=5e-6)
    assert p.centre + k * (p.upper_2sigma - p.centre) == pytest.approx(3.171742, abs=5e-6)
    assert p.centre + k * (p.upper_limit - p.centre) == pytest.approx(4.229067, abs=5e-6)
    # Without the rescaling the difference is the 2.66 vs 2.6596 constant only (0.016%).
    assert p.upper_limit == pytest.approx(4.229067, rel=2e-4)


def test_qicharts2_vignette_anhoej_statistics_around_the_mean():
    """anhoej/qicharts2 vignettes/qicharts2.Rmd (same example): n.useful 24, longest.run 13,
    longest.run.max 8, n.crossings 4, n.crossings.min 8, runs.signal 1 -- the Anhøj rules applied
    around the I chart's centre (the mean). rrp applies the Anhøj rules to run charts (around the
    median); the rule kernel is checked here on the sides of the same centre line.
    """
    y = np.array(QIC_VIGNETTE_Y)
    side = np.sign(y - y.mean()).astype(np.int8)
    stats = anhoej(side, _layout(len(y))).stats
    assert stats["n_useful"][0] == 24
    assert stats["longest_run"][0] == 13
    assert stats["longest_run_limit"][0] == 8
    assert stats["crossings"][0] == 4
    assert stats["crossings_limit"][0] == 8
    assert bool(stats["runs_signal"][0])


# anhoej/qicharts2 vignettes/qicharts2.Rmd, "Appendix 2: Critical values for longest run and
# number of crossings" (rendered table): n -> (upper limit for longest run, lower limit for
# number of crossings), n = 10..100.
ANHOEJ_TABLE = {
    10: (6, 2), 11: (6, 2), 12: (7, 3), 13: (7, 3), 14: (7, 4), 15: (7, 4), 16: (7, 4),
    17: (7, 5), 18: (7, 5), 19: (7, 6), 20: (7, 6), 21: (7, 6), 22: (7, 7), 23: (8, 7),
    24: (8, 8), 25: (8, 8), 26: (8, 8), 27: (8, 9), 28: (8, 9), 29: (8, 10), 30: (8, 10),
    31: (8, 11), 32: (8, 11), 33: (8, 11), 34: (8, 12), 35: (8, 12), 36: (8, 13), 37: (8, 13),
    38: (8, 14), 39: (8, 14), 40: (8, 14), 41: (8, 15), 42: (8, 15), 43: (8, 16), 44: (8, 16),
    45: (8, 17), 46: (9, 17), 47: (9, 17), 48: (9, 18), 49: (9, 18), 50: (9, 19), 51: (9, 19),
    52: (9, 20), 53: (9, 20), 54: (9, 21), 55: (9, 21), 56: (9, 21), 57: (9, 22), 58: (9, 22),
    59: (9, 23), 60: (9, 23), 61: (9, 24), 62: (9, 24), 63: (9, 25), 64: (9, 25), 65: (9, 25),
    66: (9, 26), 67: (9, 26), 68: (9, 27), 69: (9, 27), 70: (9, 28), 71: (9, 28), 72: (9, 29),
    73: (9, 29), 74: (9, 29), 75: (9, 30), 76: (9, 30), 77: (9, 31), 78: (9, 31), 79: (9, 32),
    80: (9, 32), 81: (9, 33), 82: (9, 33), 83: (9, 34), 84: (9, 34), 85: (9, 34), 86: (9, 35),
    87: (9, 35), 88: (9, 36), 89: (9, 36), 90: (9, 37), 91: (10, 37), 92: (10, 38),
    93: (10, 38), 94: (10, 39), 95: (10, 39), 96: (10, 39), 97: (10, 40), 98: (10, 40),
    99: (10, 41), 100: (10, 41),
}  # fmt: skip


def test_anhoej_critical_values_table_n_10_to_100():
    """anhoej/qicharts2 vignettes/qicharts2.Rmd, Appendix 2 (round(log2(n) + 3) and
    qbinom(0.05, n - 1, 0.5) for n = 10..100), every row.
    """
    assert sorted(ANHOEJ_TABLE) == list(range(10, 101))
    got = {n: (longest_run_limit(n), crossings_limit(n)) for n in ANHOEJ_TABLE}
    assert got == ANHOEJ_TABLE


@pytest.mark.parametrize("n", [10, 11, 23, 24, 45, 46, 60, 90, 91, 100])
def test_anhoej_table_reaches_the_chart_summary(n):
    """anhoej/qicharts2 vignettes/qicharts2.Rmd, Appendix 2: the limits the run-chart summary
    reports for n useful points are the table's. Values alternate -1 / +1 around a median of 0;
    for odd n two points equal to the median are added (they are not useful).
    """
    values = [-1.0, 1.0] * (n // 2)
    if n % 2:
        values += [1.0, 0.0, 0.0]
    s = compute_chart(values, chart="run", direction="neutral").summary
    assert s["n_useful"] == n
    assert (s["longest_run_limit"], s["crossings_limit"]) == ANHOEJ_TABLE[n]


def test_anhoej_vignette_worked_numbers_for_24_points():
    """anhoej/qicharts2 vignettes/qicharts2.Rmd: "in a run chart with 24 data points a run of
    more than round(log2(24) + 3) = 8 ... fewer than qbinom(0.05, 24 - 1, 0.5) = 8 crossings".
    A run of 8 is not a signal, 9 is; 8 crossings is not a signal, 7 is.
    """
    assert math.log2(24) + 3 == pytest.approx(7.5849625)
    assert longest_run_limit(24) == 8
    assert crossings_limit(24) == 8


# anhoej/qicharts2 data/nhs_accidents.rda (bzip2-compressed R data, decoded from the stored copy of
# the repository): week i, r attendances seen within 4 hours, n attendances; 20 weeks (Mohammed
# et al., BMJ Qual Saf 2013). Used by the vignette's P and P' chart examples.
NHS_ACCIDENTS_R = [
    266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
    267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989,
]  # fmt: skip
NHS_ACCIDENTS_N = [
    280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
    279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772,
]  # fmt: skip


def test_qicharts2_vignette_p_chart_nhs_accidents():
    """anhoej/qicharts2 vignettes/qicharts2.Rmd, "Prime charts": qic(i, r, n, data =
    nhs_accidents, chart = 'p', decimals = 3). The rendered chart
    (docs/articles/qicharts2_files/figure-html/unnamed-chunk-49-1.png) labels the last point's
    UCL 95.411, CL 95.290, LCL 95.169 (percent) and marks every point outside the limits but
    weeks 5, 7, 18 and 20 ("the 3-sigma limits appear too narrow").
    """
    r = compute_chart(
        NHS_ACCIDENTS_R, denominators=NHS_ACCIDENTS_N, chart="p", per=100, direction="increase"
    )
    p = r.points
    last = p.iloc[-1]
    assert round(last.upper_limit, 3) == 95.411
    assert round(last.centre, 3) == 95.290
    assert round(last.lower_limit, 3) == 95.169
    outside = [i + 1 for i, rules in enumerate(p["rules"]) if "outside_limits" in rules]
    assert outside == [w for w in range(1, 21) if w not in (5, 7, 18, 20)]


def test_qicharts2_vignette_pprime_chart_nhs_accidents():
    """anhoej/qicharts2 vignettes/qicharts2.Rmd: the same data with chart = 'pp'. The rendered
    chart (unnamed-chunk-51-1.png) labels UCL 96.582, CL 95.290, LCL 93.997 and shows every point
    inside the limits. qicharts2 screens the z moving ranges only with
    options(qic.screenedmr = TRUE) (off by default in the stored version), so it is off here; rrp
    screens by default (QI-METHODS) and gives the same answer on these data.
    """
    for screen in (False, True):
        p = compute_chart(
            NHS_ACCIDENTS_R,
            denominators=NHS_ACCIDENTS_N,
            chart="pprime",
            per=100,
            direction="increase",
            screen_moving_ranges=screen,
        ).points
        last = p.iloc[-1]
        assert round(last.upper_limit, 3) == 96.582
        assert round(last.centre, 3) == 95.290
        assert round(last.lower_limit, 3) == 93.997
        assert "outside_limits" not in ";".join(p["rules"])
