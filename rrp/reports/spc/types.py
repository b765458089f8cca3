"""The vocabulary of the SPC engine: chart types, rule sets, directions, rule names, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

ChartType = Literal["run", "xmr", "u", "uprime", "c", "p", "pprime"]
RuleSet = Literal["anhoej", "ihi"]
Direction = Literal["decrease", "increase", "neutral"]

CHART_TYPES: tuple[str, ...] = ("run", "xmr", "u", "uprime", "c", "p", "pprime")
RULE_SETS: tuple[str, ...] = ("anhoej", "ihi")
DIRECTIONS: tuple[str, ...] = ("decrease", "increase", "neutral")

#: Smallest fixed baseline allowed, and the segment size below which limits are trial limits.
MIN_BASELINE = 12
#: Fewer points than this in the last segment: no variation or assurance icon (as MDC).
MIN_POINTS_FOR_ICON = 13
#: Anhøj rules are not applied with fewer useful points than this.
MIN_USEFUL_FOR_RUNS = 10

#: Rule names, in the order they are listed in the `rules` column. Each is one bit.
RULE_BITS: dict[str, int] = {
    "outside_limits": 1,
    "shift": 2,
    "trend": 4,
    "two_of_three": 8,
    "long_run": 16,
    "few_crossings": 32,
    "too_few_runs": 64,
    "too_many_runs": 128,
}

#: The columns of ChartResult.points, in order.
POINT_COLUMNS: tuple[str, ...] = (
    "x",
    "value",
    "centre",
    "lower_limit",
    "upper_limit",
    "lower_2sigma",
    "upper_2sigma",
    "segment",
    "special_cause",
    "rules",
    "trial",
)

#: Summary keys present for every chart; run charts add RUN_SUMMARY_KEYS.
SUMMARY_KEYS: tuple[str, ...] = (
    "chart",
    "rules",
    "direction",
    "n",
    "variation_icon",
    "assurance_icon",
)
RUN_SUMMARY_KEYS: tuple[str, ...] = (
    "n_useful",
    "longest_run",
    "longest_run_limit",
    "crossings",
    "crossings_limit",
    "runs_signal",
    "too_few_points",
)


@dataclass(frozen=True)
class ChartResult:
    """One chart: `points` (one row per point, POINT_COLUMNS) and `summary` (icons, run stats)."""

    points: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
