"""Exact distribution functions: qbinom, Poisson quantiles, Swed-Eisenhart runs limits."""

import math

import pytest

from rrp.reports.distributions import (
    binomial_quantile,
    crossings_limit,
    longest_run_limit,
    poisson_cdf,
    poisson_interpolated_quantile,
    poisson_quantile,
    runs_distribution,
    runs_limits,
)


def test_qbinom_by_hand():
    # Binomial(9, 0.5): P(X<=1) = 10/512 = 0.0195 < 0.05; P(X<=2) = 46/512 = 0.0898 >= 0.05.
    assert binomial_quantile(0.05, 9, 0.5) == 2
    # Binomial(23, 0.5): P(X<=7) = 0.0466, P(X<=8) = 0.1050 -> 8 (qicharts2: n_useful 24 -> 8).
    assert sum(math.comb(23, k) for k in range(8)) / 2**23 < 0.05
    assert sum(math.comb(23, k) for k in range(9)) / 2**23 >= 0.05
    assert binomial_quantile(0.05, 23, 0.5) == 8


@pytest.mark.parametrize(
    ("n_useful", "longest", "crossings"),
    # Anhøj's table (qicharts2): longest run > round(log2 n) + 3; crossings < qbinom(.05, n-1, .5)
    [(10, 6, 2), (11, 6, 2), (12, 7, 3), (14, 7, 4), (20, 7, 6), (24, 8, 8), (30, 8, 10)],
)
def test_anhoej_limits(n_useful, longest, crossings):
    assert longest_run_limit(n_useful) == longest
    assert crossings_limit(n_useful) == crossings


def test_runs_distribution_sums_to_one_and_matches_hand_count():
    d = runs_distribution(5, 5)
    assert sum(d.values()) == pytest.approx(1.0)
    # C(10,5) = 252 arrangements; R = 2 in 2 of them, R = 3 in 2*C(4,0)*C(4,1) = 8.
    assert d[2] == pytest.approx(2 / 252)
    assert d[3] == pytest.approx(8 / 252)


def test_runs_limits_perla_20_points():
    # Perla, Provost & Murray (2011) table: 20 useful points -> 6 to 16 runs expected.
    assert runs_limits(20) == (6, 16)


def test_runs_limits_tail_probabilities_at_most_2_5_percent():
    for n in range(10, 61):
        lower, upper = runs_limits(n)
        d = runs_distribution(n // 2, n - n // 2)
        assert sum(p for r, p in d.items() if r < lower) <= 0.025
        assert sum(p for r, p in d.items() if r > upper) <= 0.025
        # and they are the critical values: one step further in would exceed 2.5%
        assert sum(p for r, p in d.items() if r <= lower) <= 0.025 + 1e-12
        assert sum(p for r, p in d.items() if r <= lower + 1) > 0.025


def test_poisson_quantiles_by_hand():
    # Poisson(10): F(16) = 0.97296 < 0.975 <= F(17) = 0.98572 -> qpois(0.975, 10) = 17.
    assert poisson_cdf(16, 10) == pytest.approx(0.9729584, abs=1e-6)
    assert poisson_cdf(17, 10) == pytest.approx(0.9857224, abs=1e-6)
    assert poisson_quantile(0.975, 10) == 17
    # Poisson(10): F(3) = 0.010336, F(4) = 0.029253 -> qpois(0.025, 10) = 4.
    assert poisson_quantile(0.025, 10) == 4


def test_spiegelhalter_interpolation_by_hand():
    f16, f17 = poisson_cdf(16, 10), poisson_cdf(17, 10)
    alpha = (f17 - 0.975) / (f17 - f16)
    assert poisson_interpolated_quantile(0.975, 10) == pytest.approx(17 - alpha)
    assert 16 < poisson_interpolated_quantile(0.975, 10) < 17
    # Poisson(1): F(0) = e^-1 = 0.3679 >= 0.025 -> r = 0, alpha = 1 - 0.025 / e^-1 > 0: floored.
    assert poisson_interpolated_quantile(0.025, 1.0) == 0.0


def test_poisson_large_mean():
    # For a large mean the quantile is close to the normal approximation.
    q = poisson_quantile(0.975, 10_000)
    assert abs(q - (10_000 + 1.96 * 100)) < 3


@pytest.mark.parametrize("size", [1023, 1024, 1599, 5000])
def test_binomial_quantile_beyond_float_range_of_two_to_the_n(size):
    # 2**1024 overflows a float: the exact sum must not go through one. Checked against the
    # cdf summed in log space: P(X <= k - 1) < 0.05 <= P(X <= k).
    k = binomial_quantile(0.05, size, 0.5)

    def log_pmf(i):
        return (
            math.lgamma(size + 1)
            - math.lgamma(i + 1)
            - math.lgamma(size - i + 1)
            + size * math.log(0.5)
        )

    def cdf(m):
        return sum(math.exp(log_pmf(i)) for i in range(m + 1))

    assert cdf(k - 1) < 0.05 <= cdf(k)
