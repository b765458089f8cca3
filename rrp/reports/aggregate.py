"""The collaborative's weekly series and change from baseline (QI-METHODS "Collaborative aggregation").

A missing ward-week is never filled with zeros: the weekly collaborative rate is the sum of counts
over the wards that submitted that week divided by the sum of their bed days, and completeness
says how many wards that was. "Mean rate" over a period is always the pooled rate: sum of counts /
sum of occupied bed days x 1,000 (not the mean of weekly rates), so a quiet week on a small ward
does not weigh as much as a week on a full one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

PER = 1000.0


def _submitted(weekly: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Rows that count as a submission: the measure and bed days both present."""
    for col in ("ward_code", "week_start", measure, "occupied_bed_days"):
        if col not in weekly.columns:
            raise ValueError(f"missing column: {col}")
    return weekly[weekly[measure].notna() & weekly["occupied_bed_days"].notna()]


def _weeks(weekly: pd.DataFrame) -> pd.Index:
    """Every week from the first to the last week_start (7-day steps) when they are dates."""
    weeks = pd.Index(weekly["week_start"].dropna().unique()).sort_values()
    if len(weeks) == 0:
        return weeks
    try:
        as_dates = pd.to_datetime(weeks)
    except (TypeError, ValueError):
        return weeks
    full = pd.date_range(as_dates.min(), as_dates.max(), freq="7D")
    if not as_dates.isin(full).all():
        return weeks  # not a regular weekly calendar: list only the weeks present
    if isinstance(weeks[0], str):
        return pd.Index(full.strftime("%Y-%m-%d"))
    return pd.Index(full)


def collaborative_series(
    weekly: pd.DataFrame,
    measure: str,
    expected_wards: Sequence[Any] | None = None,
    *,
    ward_weeks: str | None = None,
) -> pd.DataFrame:
    """The collaborative's weekly series of one measure.

    weekly: ward_code, week_start, the measure's count and occupied_bed_days, one row per
    ward-week submitted. With expected_wards only those wards count (others are ignored);
    otherwise every ward seen in `weekly` is expected. Every week from the first to the last is
    listed, including weeks with no submission at all (count and rate blank, completeness 0).
    ward_weeks: the column saying how many ward-weeks each row sums, when the rows are already
    sums over the expected wards (WeeklyRepository.week_totals); expected_wards is then only
    counted, not matched against ward_code.
    Returns week_start, count, occupied_bed_days, rate (per 1,000), wards_submitted,
    wards_expected, completeness.
    """
    data = _submitted(weekly, measure)
    if expected_wards is not None:
        expected = pd.Index(pd.unique(pd.Series(list(expected_wards))))
        if ward_weeks is None:
            data = data[data["ward_code"].isin(expected)]
    else:
        expected = pd.Index(weekly["ward_code"].dropna().unique())
    weeks = _weeks(weekly)
    grouped = data.groupby("week_start").agg(
        count=(measure, "sum"),
        occupied_bed_days=("occupied_bed_days", "sum"),
        # one row per ward-week submitted (the contract above): a count, not a distinct count
        # of ward codes (a hash of every code, the slow part at national scale)
        wards_submitted=(ward_weeks, "sum") if ward_weeks else ("ward_code", "size"),
    )
    out = grouped.reindex(weeks)
    out.index.name = "week_start"
    out["wards_submitted"] = out["wards_submitted"].fillna(0).astype(int)
    none = out["wards_submitted"] == 0
    out.loc[none, ["count", "occupied_bed_days"]] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(
            out["occupied_bed_days"] > 0, out["count"] / out["occupied_bed_days"] * PER, np.nan
        )
    out["wards_expected"] = len(expected)
    out["completeness"] = out["wards_submitted"] / len(expected) if len(expected) else np.nan
    return out.reset_index()[
        [
            "week_start",
            "count",
            "occupied_bed_days",
            "rate",
            "wards_submitted",
            "wards_expected",
            "completeness",
        ]
    ]


def _pooled(frame: pd.DataFrame, measure: str, by: str | None) -> pd.DataFrame:
    """Pooled count, bed days, weeks submitted and rate, per `by` or overall."""
    if by is None:
        frame = frame.assign(_all=0)
        by = "_all"
    g = frame.groupby(by).agg(
        count=(measure, "sum"),
        bed_days=("occupied_bed_days", "sum"),
        weeks=("week_start", "nunique"),
    )
    g["rate"] = np.where(g["bed_days"] > 0, g["count"] / g["bed_days"] * PER, np.nan)
    return g


def change_from_baseline(
    weekly: pd.DataFrame,
    measure: str,
    baseline_weeks: int | Sequence[Any],
    recent_weeks: int = 12,
    aim: float = -1 / 3,
) -> pd.DataFrame:
    """Change from baseline per ward and for the whole collaborative.

    baseline_weeks: the number of first weeks of the collaborative's calendar, or the list of
    week_start values that form the baseline. recent: the last `recent_weeks` weeks of the
    calendar (the same weeks for every ward; a ward that did not submit simply has fewer).
    Rates are pooled (sum counts / sum bed days x 1,000). change = recent_rate / baseline_rate - 1;
    meets_aim = change <= aim (aim -1/3: a reduction of at least a third). Both are blank (NA)
    where the baseline rate is zero or missing, or there are no recent submissions.
    Returns one row per ward (scope "ward") and one for the collaborative (scope
    "collaborative", ward_code blank): scope, ward_code, baseline_count, baseline_bed_days,
    baseline_weeks, baseline_rate, recent_count, recent_bed_days, recent_weeks, recent_rate,
    change, meets_aim.
    """
    if recent_weeks < 1:
        raise ValueError("recent_weeks must be at least 1")
    data = _submitted(weekly, measure)
    calendar = list(pd.Index(weekly["week_start"].dropna().unique()).sort_values())
    if isinstance(baseline_weeks, int):
        if baseline_weeks < 1:
            raise ValueError("baseline_weeks must be at least 1")
        baseline = set(calendar[:baseline_weeks])
    else:
        baseline = set(baseline_weeks)
    recent = set(calendar[-recent_weeks:])
    base = data[data["week_start"].isin(baseline)]
    rec = data[data["week_start"].isin(recent)]
    wards = pd.Index(sorted(weekly["ward_code"].dropna().unique()), name="ward_code")

    def block(by: str | None, index: pd.Index) -> pd.DataFrame:
        b = _pooled(base, measure, by).reindex(index)
        r = _pooled(rec, measure, by).reindex(index)
        out = pd.DataFrame(index=index)
        out["baseline_count"] = b["count"]
        out["baseline_bed_days"] = b["bed_days"]
        out["baseline_weeks"] = b["weeks"].fillna(0).astype(int)
        out["baseline_rate"] = b["rate"]
        out["recent_count"] = r["count"]
        out["recent_bed_days"] = r["bed_days"]
        out["recent_weeks"] = r["weeks"].fillna(0).astype(int)
        out["recent_rate"] = r["rate"]
        ok = (out["baseline_rate"] > 0) & out["recent_rate"].notna()
        change = (out["recent_rate"] / out["baseline_rate"] - 1).where(ok)
        out["change"] = change
        out["meets_aim"] = (change <= aim).astype("boolean").where(ok, pd.NA)
        return out

    per_ward = block("ward_code", wards).reset_index()
    per_ward.insert(0, "scope", "ward")
    overall = block(None, pd.Index([0])).reset_index(drop=True)
    overall.insert(0, "ward_code", None)
    overall.insert(0, "scope", "collaborative")
    return pd.concat([per_ward, overall], ignore_index=True)


def pooled_rates(weekly: pd.DataFrame, measure: str, by: str | None = "ward_code") -> pd.DataFrame:
    """The pooled rate (sum of counts / sum of bed days x 1,000) per `by` (None: overall).

    The same definition change_from_baseline uses for its baseline and recent rates; periods
    without the measure or bed days are left out. Returns count, bed_days, weeks (periods), rate.
    """
    return _pooled(_submitted(weekly, measure), measure, by)
