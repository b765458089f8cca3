"""Funnel plot: each ward's rate over one period against Poisson limits around the pooled rate.

Target theta_0 = sum of counts / sum of exposure. For a ward with exposure t the 95% and 99.8%
limits are Spiegelhalter-interpolated Poisson quantiles of mean theta_0 * t, divided by t (and
shown per `per`). Optionally adjusted for overdispersion as FunnelPlotR's "CQC" method for ratios
(Spiegelhalter 2005): square-root transformed z-scores, 10% winsorised, phi and an additive
random-effects tau^2. A funnel is for learning, never a league table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rrp.reports.distributions import Z_95, Z_998, poisson_interpolated_quantile

#: Two-sided tail probabilities of the 95% and 99.8% limits.
_LEVELS = {"95": 0.025, "998": 0.001}


def _positions(rate: np.ndarray, limits: dict[str, np.ndarray]) -> np.ndarray:
    """inside / above_95 / above_998 / below_95 / below_998 (strictly beyond a limit)."""
    out = np.full(len(rate), "inside", dtype=object)
    out[rate > limits["upper_95"]] = "above_95"
    out[rate > limits["upper_998"]] = "above_998"
    out[rate < limits["lower_95"]] = "below_95"
    out[rate < limits["lower_998"]] = "below_998"
    return out


def winsorise(values: np.ndarray, fraction: float = 0.1) -> np.ndarray:
    """Values clipped to their `fraction` and 1 - `fraction` quantiles (R type 7 quantiles)."""
    low, high = np.quantile(values, [fraction, 1 - fraction])
    return np.clip(values, low, high)


def funnel_data(
    frame: pd.DataFrame,
    *,
    per: float = 1000,
    overdispersion: bool = False,
) -> pd.DataFrame:
    """Funnel limits and positions for each unit.

    frame: columns unit, count, exposure (one row per unit, exposure > 0).
    Returns unit, count, exposure, rate, target, lower_95, upper_95, lower_998, upper_998,
    position, z (rates and limits per `per`). z = 2 (sqrt(O) - sqrt(E)) with E = theta_0 * t
    (Spiegelhalter's square-root transform, roughly N(0, 1) under the target). With
    overdispersion=True also z_winsorised, phi, tau2 and lower_95_od .. upper_998_od, position_od.
    """
    missing = {"unit", "count", "exposure"} - set(frame.columns)
    if missing:
        raise ValueError(f"missing column(s): {', '.join(sorted(missing))}")
    if not np.isfinite(per) or per <= 0:
        raise ValueError("per must be a positive number")
    count = pd.to_numeric(frame["count"], errors="raise").to_numpy(dtype=float)
    exposure = pd.to_numeric(frame["exposure"], errors="raise").to_numpy(dtype=float)
    if len(count) == 0:
        raise ValueError("a funnel needs at least one unit")
    if not np.all(np.isfinite(count)) or np.any(count < 0):
        raise ValueError("counts must be numbers of zero or more")
    if not np.all(np.isfinite(exposure)) or np.any(exposure <= 0):
        raise ValueError("exposures must be positive numbers")
    theta = count.sum() / exposure.sum()
    expected = theta * exposure
    out = pd.DataFrame(
        {
            "unit": frame["unit"].to_numpy(),
            "count": count,
            "exposure": exposure,
            "rate": count / exposure * per,
            "target": theta * per,
        }
    )
    limits: dict[str, np.ndarray] = {}
    for level, tail in _LEVELS.items():
        # One exact quantile per ward: a handful of wards, so a loop over them is cheap.
        limits[f"lower_{level}"] = (
            np.array([poisson_interpolated_quantile(tail, m) for m in expected]) / exposure * per
        )
        limits[f"upper_{level}"] = (
            np.array([poisson_interpolated_quantile(1 - tail, m) for m in expected])
            / exposure
            * per
        )
    for name in ("lower_95", "upper_95", "lower_998", "upper_998"):
        out[name] = limits[name]
    out["position"] = _positions(out["rate"].to_numpy(), limits)
    z = 2.0 * (np.sqrt(count) - np.sqrt(expected))
    out["z"] = z
    if overdispersion:
        _add_overdispersion(out, z, expected, theta, per)
    return out


def _add_overdispersion(
    out: pd.DataFrame, z: np.ndarray, expected: np.ndarray, theta: float, per: float
) -> None:
    """Add phi, tau^2 and random-effects limits (FunnelPlotR, Spiegelhalter 2005 sqrt method)."""
    units = len(z)
    zw = winsorise(z, 0.1)
    phi = float(np.sum(zw**2) / units)
    # On the sqrt(O/E) scale the target is 1 and s_i = 1 / (2 sqrt(E_i)); weights w = 1 / s^2.
    s = 1.0 / (2.0 * np.sqrt(expected))
    w = 1.0 / s**2
    if units * phi < units - 1:
        tau2 = 0.0
    else:
        tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    sd = np.sqrt(s**2 + tau2)
    out["z_winsorised"] = zw
    out["phi"] = phi
    out["tau2"] = tau2
    limits: dict[str, np.ndarray] = {}
    for level, zq in (("95", Z_95), ("998", Z_998)):
        # Back-transform sqrt(ratio) limits 1 -+ z sd to ratios, then to rates.
        low = np.maximum(1.0 - zq * sd, 0.0) ** 2 * theta * per
        high = (1.0 + zq * sd) ** 2 * theta * per
        limits[f"lower_{level}"] = low
        limits[f"upper_{level}"] = high
        out[f"lower_{level}_od"] = low
        out[f"upper_{level}_od"] = high
    out["position_od"] = _positions(out["rate"].to_numpy(), limits)
