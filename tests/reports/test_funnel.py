"""Funnel plot limits (QI-METHODS "Funnel plot")."""

import math

import numpy as np
import pandas as pd
import pytest

from rrp.reports.distributions import poisson_cdf
from rrp.reports.funnel import funnel_data, winsorise


def frame():
    return pd.DataFrame(
        {
            "unit": ["A", "B", "C", "D"],
            "count": [10, 2, 30, 8],
            "exposure": [1000, 1000, 1000, 1000],
        }
    )


def test_target_is_pooled_rate():
    out = funnel_data(frame(), per=1000)
    assert out["target"].eq(50 / 4000 * 1000).all()
    assert out["rate"].tolist() == [10, 2, 30, 8]


def test_poisson_limits_by_hand_for_mean_10():
    # theta_0 = 0.0125 -> expected 12.5 for t = 1000; use t = 800 for expected 10 instead.
    f = pd.DataFrame({"unit": ["A", "B"], "count": [10, 10], "exposure": [800, 800]})
    out = funnel_data(f, per=1)
    # upper 95%: r = 17 (F(16) = 0.97296 < 0.975 <= F(17)); alpha = (F(17) - .975) / pmf(17)
    f16, f17 = poisson_cdf(16, 10), poisson_cdf(17, 10)
    upper = (17 - (f17 - 0.975) / (f17 - f16)) / 800
    assert out["upper_95"].iloc[0] == pytest.approx(upper)
    # lower 95%: r = 4 (F(3) = 0.01034 < 0.025 <= F(4) = 0.02925)
    f3, f4 = poisson_cdf(3, 10), poisson_cdf(4, 10)
    lower = (4 - (f4 - 0.025) / (f4 - f3)) / 800
    assert out["lower_95"].iloc[0] == pytest.approx(lower)
    assert 3 / 800 < lower < 4 / 800


def test_limits_narrow_with_exposure():
    f = pd.DataFrame({"unit": list("ABC"), "count": [1, 10, 100], "exposure": [100, 1000, 10000]})
    out = funnel_data(f)
    widths = (out["upper_998"] - out["lower_998"]).tolist()
    assert widths[0] > widths[1] > widths[2]
    assert (out["upper_998"] > out["upper_95"]).all()


def test_positions():
    out = funnel_data(frame())
    pos = dict(zip(out["unit"], out["position"], strict=True))
    assert pos["C"] == "above_998"  # 30 vs expected 12.5
    assert pos["B"] in ("below_95", "below_998")
    assert pos["A"] == "inside"


def test_z_is_sqrt_transform():
    out = funnel_data(frame())
    assert out["z"].iloc[0] == pytest.approx(2 * (math.sqrt(10) - math.sqrt(12.5)))


def test_overdispersion_columns_and_wider_limits():
    rng = np.random.default_rng(3)
    exposure = rng.integers(500, 5000, 20)
    counts = rng.poisson(exposure * 0.01 * rng.gamma(2, 0.5, 20))
    f = pd.DataFrame({"unit": range(20), "count": counts, "exposure": exposure})
    out = funnel_data(f, overdispersion=True)
    for col in ("z_winsorised", "phi", "tau2", "lower_95_od", "upper_998_od", "position_od"):
        assert col in out
    phi = float(np.mean(winsorise(out["z"].to_numpy(), 0.1) ** 2))
    assert out["phi"].iloc[0] == pytest.approx(phi)
    assert out["tau2"].iloc[0] > 0
    assert (out["upper_998_od"] > out["upper_998"]).all()


def test_no_overdispersion_gives_tau2_zero():
    f = pd.DataFrame({"unit": list("ABCDE"), "count": [10] * 5, "exposure": [1000] * 5})
    out = funnel_data(f, overdispersion=True)
    assert out["tau2"].iloc[0] == 0.0


def test_bad_exposure_refused():
    f = pd.DataFrame({"unit": ["A"], "count": [1], "exposure": [0]})
    with pytest.raises(ValueError, match="positive"):
        funnel_data(f)
