"""SPC and run charts as pure functions: limits, MDC rules, run-chart rules, icons.

Public API: compute_chart (one chart) and compute_charts (many, vectorised), ChartResult, and the
ChartType / RuleSet / Direction literals. See data/methods.md for every method choice.
"""

from rrp.reports.spc.engine import compute_chart, compute_charts
from rrp.reports.spc.types import ChartResult, ChartType, Direction, RuleSet

__all__ = ["ChartResult", "ChartType", "Direction", "RuleSet", "compute_chart", "compute_charts"]
