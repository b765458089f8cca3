"""Centre lines and limits for run, XmR, u, u', c, p and p' charts (QI-METHODS "Chart types").

All charts are computed at once over a flat Layout; centre and sigma come from each segment's
baseline points and are extended unchanged to the rest of the segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rrp.reports.spc.segments import (
    Layout,
    segment_all_equal,
    segment_median,
    segment_sum,
)

#: XmR limits are mean +- 2.66 * mean moving range (3 / d2, d2 = 1.128).
XMR_LIMIT = 2.66
#: Moving ranges above 3.267 * mean moving range are screened out (D4 for n = 2).
MR_SCREEN = 3.267
#: d2 for moving ranges of two points: sigma = mean MR / 1.128.
D2 = 1.128


@dataclass(frozen=True)
class Limits:
    """Per-point centre and limits (NaN where a segment has no limits)."""

    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_2sigma: np.ndarray
    upper_2sigma: np.ndarray
    # Signals against the lower limit are off where it is negative (XmR): a rate cannot go there.
    lower_signals: np.ndarray


def mean_moving_range(values: np.ndarray, layout: Layout, screen: bool) -> np.ndarray:
    """Mean moving range of each segment's baseline, optionally screened once at 3.267 x MR_bar.

    Moving ranges are taken only between consecutive baseline points of one segment, so they never
    span a rebase. With screening, every MR greater than 3.267 x MR_bar is dropped and MR_bar is
    recomputed once from the rest (not iteratively). NaN where a segment has no moving range.
    """
    s = layout.n_segments
    idx = np.flatnonzero(layout.baseline & (layout.pos >= 1))
    mr = np.abs(values[idx] - values[idx - 1])
    mr_seg = layout.seg[idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        mr_bar = segment_sum(mr, mr_seg, s) / np.bincount(mr_seg, minlength=s)
        if screen and len(mr):
            keep = mr <= MR_SCREEN * mr_bar[mr_seg]
            mr_bar = segment_sum(mr[keep], mr_seg[keep], s) / np.bincount(mr_seg[keep], minlength=s)
    return mr_bar


def compute_limits(
    chart: str,
    plotted: np.ndarray,
    counts: np.ndarray | None,
    exposure: np.ndarray | None,
    layout: Layout,
    *,
    per: float,
    screen_moving_ranges: bool,
) -> Limits:
    """Centre and limits for every point of every segment of one chart type."""
    s = layout.n_segments
    base = layout.baseline
    bseg = layout.seg[base]
    n_base = layout.base_lengths.astype(float)
    nan = np.full(len(plotted), np.nan)
    # A baseline whose values are all equal (every moving range zero) gives no limits where they
    # come from moving ranges (XmR, u', p'); u, c and p limits come from the Poisson or binomial
    # model and remain (QI-METHODS).
    constant = layout.per_point(segment_all_equal(plotted[base], bseg, s))
    # The centre of a constant baseline is that value exactly: a mean of n equal floats can be
    # one rounding step off, which would put every point "above" the centre (a false shift).
    first_value = plotted[layout.starts][layout.seg]
    lower_signals = np.ones(len(plotted), dtype=bool)

    if chart == "run":
        centre = layout.per_point(segment_median(plotted[base], bseg, s))
        centre = np.where(constant, first_value, centre)
        return Limits(centre, nan, nan.copy(), nan.copy(), nan.copy(), lower_signals)

    if chart == "xmr":
        centre = layout.per_point(segment_sum(plotted[base], bseg, s) / n_base)
        centre = np.where(constant, first_value, centre)
        mr_bar = layout.per_point(mean_moving_range(plotted, layout, screen_moving_ranges))
        half = XMR_LIMIT * mr_bar
        half2 = (2.0 / 3.0) * XMR_LIMIT * mr_bar
        half[constant] = np.nan
        half2[constant] = np.nan
        lower = centre - half
        # Shown as computed, but a negative lower limit never signals (QI-METHODS).
        lower_signals = ~(lower < 0)
        return Limits(centre, lower, centre + half, centre - half2, centre + half2, lower_signals)

    if chart == "c":
        c_bar = segment_sum(plotted[base], bseg, s) / n_base
        centre = layout.per_point(c_bar)
        sigma = np.sqrt(centre)
        # Poisson limits exist on a constant segment; only a centre of zero has none.
        no_limits = centre == 0
    else:  # u, u', p, p': pooled baseline rate, per-point sigma from each point's denominator
        assert counts is not None and exposure is not None
        rate = segment_sum(counts[base], bseg, s) / segment_sum(exposure[base], bseg, s)
        rate_point = layout.per_point(rate)
        centre = rate_point * per
        binomial = chart in ("p", "pprime")
        # u: sqrt(u_bar / n_i); p: sqrt(p_bar (1 - p_bar) / n_i), both per unit, then scaled.
        spread = rate_point * (1 - rate_point) if binomial else rate_point
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma_unit = np.sqrt(spread / exposure)
            if chart in ("uprime", "pprime"):
                z = (counts / exposure - rate_point) / sigma_unit
                sigma_unit = sigma_unit * layout.per_point(
                    mean_moving_range(z, layout, screen_moving_ranges) / D2
                )
        sigma = sigma_unit * per
        if chart in ("uprime", "pprime"):
            # Laney's sigma_z comes from moving ranges: a constant segment has none.
            no_limits = constant | ~np.isfinite(sigma)
        else:
            # Binomial / Poisson limits exist on a constant segment; sigma is zero only at a
            # centre of zero (u) or of zero or one (p).
            no_limits = ~(spread > 0)
    sigma = np.where(no_limits, np.nan, sigma)
    centre = np.where(constant, first_value, centre)
    # Lower limits below zero are shown as zero (u, u', c, p, p'), p limits above one as one;
    # the two-sigma lines come from the same (unclipped) sigma and are clipped likewise.
    top = per if chart in ("p", "pprime") else np.inf
    lower = np.clip(centre - 3 * sigma, 0.0, top)
    upper = np.clip(centre + 3 * sigma, 0.0, top)
    lower_2 = np.clip(centre - 2 * sigma, 0.0, top)
    upper_2 = np.clip(centre + 2 * sigma, 0.0, top)
    return Limits(centre, lower, upper, lower_2, upper_2, lower_signals)
