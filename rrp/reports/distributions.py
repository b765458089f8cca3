"""Exact distribution functions the QI engine needs (no scipy in rrp).

- `binomial_quantile`: R's `qbinom`, for Anhøj's crossings limit;
- `poisson_cdf`, `poisson_quantile`, `poisson_interpolated_quantile`: exact Poisson
  quantiles with Spiegelhalter's interpolation between integers, for funnel limits;
- `runs_distribution`, `runs_limits`: the Swed-Eisenhart distribution of the number of runs,
  for the IHI too-few / too-many runs rule.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

#: Standard normal quantiles used by the funnel plot (two-sided 95% and 99.8%).
Z_95 = 1.959963984540054
Z_998 = 3.090232306167813


@lru_cache(maxsize=4096)
def binomial_quantile(p: float, size: int, prob: float = 0.5) -> int:
    """The smallest k with P(X <= k) >= p for X ~ Binomial(size, prob), as R's qbinom.

    Summed exactly with integer binomial coefficients when prob is 0.5 (the only case the run
    chart needs), so the answer does not depend on floating-point rounding of tiny tails.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    if size == 0:
        return 0
    if prob == 0.5:
        # R applies a tiny fuzz (1 - 64 * eps) so that p exactly on a step is not missed. The
        # threshold is compared as an exact fraction: 2**size overflows a float from 1,024 points
        # on (a chart of 1,025+ useful points used to stop with OverflowError).
        threshold = Fraction(p * (1 - 64 * np.finfo(float).eps))
        target = threshold.numerator * 2**size
        running = 0
        coefficient = 1  # C(size, k), updated in place: cheaper than math.comb for each k
        for k in range(size + 1):
            running += coefficient
            if running * threshold.denominator >= target:
                return k
            coefficient = coefficient * (size - k) // (k + 1)
        return size
    running = 0.0
    for k in range(size + 1):
        running += math.comb(size, k) * prob**k * (1 - prob) ** (size - k)
        if running >= p * (1 - 64 * np.finfo(float).eps):
            return k
    return size


def _poisson_window(mean: float) -> tuple[np.ndarray, np.ndarray]:
    """Integers k around `mean` and their Poisson probabilities (tails beyond ~14 sd dropped)."""
    spread = 14.0 * math.sqrt(mean) + 30.0
    low = max(0, int(math.floor(mean - spread)))
    high = int(math.ceil(mean + spread))
    k = np.arange(low, high + 1, dtype=float)
    if mean == 0:
        return k, (k == 0).astype(float)
    # log pmf(k) = -mean + k log(mean) - log(k!), built from lgamma at the window start.
    log_fact = math.lgamma(low + 1) + np.concatenate(([0.0], np.cumsum(np.log(k[1:]))))
    log_pmf = -mean + k * math.log(mean) - log_fact
    return k, np.exp(log_pmf)


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean)."""
    if k < 0:
        return 0.0
    ks, pmf = _poisson_window(mean)
    if k < ks[0]:
        return 0.0
    return float(min(1.0, pmf[ks <= k].sum()))


def poisson_quantile(p: float, mean: float) -> int:
    """The smallest integer r with P(X <= r) >= p for X ~ Poisson(mean), as R's qpois."""
    ks, pmf = _poisson_window(mean)
    cdf = np.cumsum(pmf)
    idx = int(np.searchsorted(cdf, p * (1 - 64 * np.finfo(float).eps), side="left"))
    return int(ks[min(idx, len(ks) - 1)])


def poisson_interpolated_quantile(p: float, mean: float) -> float:
    """Spiegelhalter's (2005) interpolated Poisson p-quantile: r_p - alpha, floored at zero.

    r_p is the exact quantile; alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)) moves the limit
    smoothly between integers so funnel limits are continuous in the exposure.
    """
    ks, pmf = _poisson_window(mean)
    cdf = np.cumsum(pmf)
    idx = int(np.searchsorted(cdf, p * (1 - 64 * np.finfo(float).eps), side="left"))
    idx = min(idx, len(ks) - 1)
    r_p = ks[idx]
    f_r = cdf[idx]
    f_below = cdf[idx - 1] if idx > 0 else 0.0
    alpha = (f_r - p) / (f_r - f_below)
    # With r_p = 0 the interpolation can fall below zero; a count cannot, so floor it.
    return float(max(0.0, r_p - alpha))


def runs_distribution(n_above: int, n_below: int) -> dict[int, float]:
    """Exact P(R = r) for the number of runs R in a random arrangement (Swed & Eisenhart 1943).

    With m points on one side and n on the other (N = m + n):
    P(R = 2k) = 2 C(m-1, k-1) C(n-1, k-1) / C(N, m);
    P(R = 2k+1) = [C(m-1, k-1) C(n-1, k) + C(m-1, k) C(n-1, k-1)] / C(N, m).
    """
    m, n = n_above, n_below
    if m == 0 or n == 0:
        return {1: 1.0} if m + n > 0 else {0: 1.0}
    total = math.comb(m + n, m)
    out: dict[int, float] = {}
    for r in range(2, m + n + 1):
        k = r // 2
        if r % 2 == 0:
            ways = 2 * math.comb(m - 1, k - 1) * math.comb(n - 1, k - 1)
        else:
            ways = math.comb(m - 1, k - 1) * math.comb(n - 1, k) + math.comb(m - 1, k) * math.comb(
                n - 1, k - 1
            )
        if ways:
            out[r] = ways / total
    return out


@lru_cache(maxsize=1024)
def runs_limits(n_useful: int, tail: float = 0.025) -> tuple[int, int]:
    """(lower, upper) limits for the number of runs among n_useful points (IHI runs rule).

    The points are split as evenly as possible (floor(N/2) above, ceil(N/2) below the median),
    as in the published tables. lower is the largest r with P(R <= r) <= tail and upper the
    smallest r with P(R >= r) <= tail (the Swed-Eisenhart critical values). The IHI runs rule
    signals "too few" when R <= lower and "too many" when R >= upper: a two-sided test at
    2 x tail (20 useful points give 6 and 16: 6 or fewer runs, or 16 or more, is a signal).
    """
    if n_useful < 2:
        raise ValueError("the runs rule needs at least 2 useful points")
    dist = runs_distribution(n_useful // 2, n_useful - n_useful // 2)
    rs = sorted(dist)
    lower = rs[0]
    running = 0.0
    for r in rs:
        running += dist[r]
        if running <= tail + 1e-12:
            lower = r
        else:
            break
    upper = rs[-1]
    running = 0.0
    for r in reversed(rs):
        running += dist[r]
        if running <= tail + 1e-12:
            upper = r
        else:
            break
    return lower, upper


def longest_run_limit(n_useful: int) -> int:
    """Anhøj's limit for the longest run: round(log2(n_useful)) + 3 (a run longer is a signal)."""
    # log2 of an integer is never exactly x.5, so R's round-half-even and Python's round agree.
    return int(round(math.log2(n_useful))) + 3


def crossings_limit(n_useful: int) -> int:
    """Anhøj's limit for crossings: qbinom(0.05, n_useful - 1, 0.5) (fewer is a signal)."""
    return binomial_quantile(0.05, n_useful - 1, 0.5)
