"""A chart read out in plain English: two or three sentences a nurse understands at the huddle.

Colour must never be the only way a signal reaches a person (one man in twelve is colour-blind,
and huddle screens are read from across a room), so every chart the app shows or writes carries
its reading. `chart_reading` turns a ChartResult into:

1. the latest value, e.g. "Restraint: 88 per 1,000 bed days in the week of 23 Nov."
2. what the chart says about that latest point and why: the engine's class (improvement, concern,
   neither) and the rules that flagged the point, in words ("the last 7 weeks are all above the
   usual average"); or "no sign of change"; or "too few weeks to judge yet" (trial limits).
3. the aim: consistently met, consistently missed, hit and miss, or why there is no verdict.

The sentences follow the engine's decision (the per-point `special_cause` and `rules` columns and
the summary icons); nothing here re-derives a class. Nothing depends on the chart type beyond
"run charts have a median, not limits", so new control-chart types read out without a change.
Pure Python over one chart's points (no Textual); a few tens of microseconds per chart.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from rrp.reports.icons_text import assurance_text
from rrp.reports.spc.types import MIN_POINTS_FOR_ICON, MIN_USEFUL_FOR_RUNS

if TYPE_CHECKING:
    from rrp.reports.spc import ChartResult

#: The engine's special-cause classes as the reading's opening word.
CLASS_WORDS: dict[str, str] = {
    "improvement": "Improvement",
    "concern": "Concern",
    "neither": "Unusual, neither better nor worse",
}
#: Patterns named at most (one keeps the reading to three short lines on a huddle screen).
MAX_PATTERNS = 1


def format_number(value: float) -> str:
    """A number as people write it: '88', '1,234', '3.5', '0' (one decimal only below 10)."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 10:
        return f"{value:,.0f}"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def rate_unit(per: float) -> str:
    """'per 1,000 bed days': the unit of a rate per `per` occupied bed days."""
    return f"per {format_number(per)} bed days"


def format_value(value: float, unit: str = "", scale: float = 1.0) -> str:
    """A plotted value in its unit: '88 per 1,000 bed days', or '42%' when unit starts with '%'.

    scale: what to multiply the plotted value by first (100 for a proportion shown as %).
    """
    number = format_number(value * scale)
    if not unit:
        return number
    if unit.startswith("%"):
        return number + unit
    return f"{number} {unit}"


def _when(x: Any) -> str:
    """'in the week of 23 Nov' for a week's date; 'at the latest point' otherwise."""
    if isinstance(x, np.datetime64):  # a datetime64 column read as an array
        x = x.astype("datetime64[D]").item()
    if hasattr(x, "to_pydatetime"):
        x = x.to_pydatetime()
    if isinstance(x, (dt.date, dt.datetime)):
        return f"in the week of {x.day} {x:%b}"
    return "at the latest point"


def _finite(value: Any) -> bool:
    """A number that is not None, NaN or infinite."""
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


class _Chart:
    """The last segment of one chart as plain lists, and what the sentences need from it."""

    def __init__(self, result: ChartResult) -> None:
        # Whole columns as numpy arrays, then plain lists of the last segment only: pandas row
        # access would cost more than the rest of the reading together.
        points = result.points
        self.summary = result.summary
        self.is_run = self.summary.get("chart") == "run"
        n = len(points)
        columns = points.columns
        segment = points["segment"].to_numpy() if "segment" in columns else np.ones(n)
        other = np.flatnonzero(segment != segment[-1])
        start = int(other[-1]) + 1 if len(other) else 0
        self.rebased = start > 0
        self.length = n - start
        self.values = points["value"].to_numpy(dtype=float)[start:].tolist()
        self.centre = points["centre"].to_numpy(dtype=float)[start:].tolist()
        self._rules = points["rules"].to_numpy()[start:].tolist() if "rules" in columns else [""] * self.length
        classes = points["special_cause"].to_numpy()[start:].tolist() if "special_cause" in columns else []
        self.classes = [c if isinstance(c, str) else "" for c in classes] or [""] * self.length
        self.trial = bool(points["trial"].to_numpy()[-1]) if "trial" in columns else False
        self.x = points["x"].to_numpy()[-1]
        self.upper = self._last(points, "upper_limit")
        self.direction = self.summary.get("direction", "neutral")

    def rules(self, i: int) -> list[str]:
        """The names of the rules that flagged point i of the last segment (-1: the last)."""
        names = self._rules[i]
        return names.split(";") if isinstance(names, str) and names else []

    @staticmethod
    def _last(frame: Any, name: str) -> float | None:
        """The last row's value of a limit column, None when absent or blank."""
        if name not in frame:
            return None
        value = frame[name].to_numpy()[-1]
        return float(value) if _finite(value) else None

    def side(self, i: int) -> int:
        """-1 below the centre, +1 above, 0 on it."""
        d = self.values[i] - self.centre[i]
        return (d > 0) - (d < 0)

    def run_back(self, rule: str) -> int:
        """Points in the run of `rule` on the last point's side that ends at the last point.

        Run charts skip points on the median (they neither extend nor break a run).
        """
        side = self.side(-1)
        count = 0
        for i in range(self.length - 1, -1, -1):
            here = self.side(i)
            if here == 0 and self.is_run:
                continue
            if rule not in self.rules(i) or here != side:
                break
            count += 1
        return count

    def trend_back(self) -> tuple[int, int]:
        """(points in the trend ending at the last point, +1 rising / -1 falling)."""
        step = 0
        count = 1
        for i in range(self.length - 1, 0, -1):
            if "trend" not in self.rules(i) or "trend" not in self.rules(i - 1):
                break
            d = self.values[i] - self.values[i - 1]
            s = (d > 0) - (d < 0)
            if s == 0 and self.is_run:
                continue  # IHI: equal neighbours count once
            if step == 0:
                step = s
            if s != step:
                break
            count += 1
        return count, step


def _good(direction: str, side: int) -> str:
    """The meaning of a pattern on `side` given the better direction (for choosing words only)."""
    better = {"decrease": -1, "increase": 1}.get(direction, 0)
    if better == 0 or side == 0:
        return "neither"
    return "improvement" if side == better else "concern"


def _patterns(c: _Chart, period: str) -> list[tuple[str, str]]:
    """(meaning, words) for each rule that flagged the last point, in the engine's rule order."""
    weeks = f"{period}s"
    centre = "the median" if c.is_run else "the usual average"
    side = c.side(-1)
    above = "above" if side > 0 else "below"
    out: list[tuple[str, str]] = []
    for rule in c.rules(-1):
        if rule == "outside_limits":
            words = f"the latest {period} is {above} the usual range"
        elif rule in ("shift", "long_run"):
            n = c.run_back(rule)
            words = f"the last {n} {weeks} are all {above} {centre}"
            if rule == "long_run":
                limit = c.summary.get("longest_run_limit")
                more = f" (more than {format_number(limit)} in a row rarely happens by chance)" if _finite(limit) else ""
                words += more
        elif rule == "trend":
            n, step = c.trend_back()
            word = "rising" if step > 0 else "falling"
            out.append((_good(c.direction, step), f"the values are {word} {n} {weeks} in a row"))
            continue
        elif rule == "two_of_three":
            words = f"two of the last three {weeks} are near the edge of the usual range, {above} {centre}"
        elif rule == "few_crossings":
            crossings, limit = c.summary.get("crossings"), c.summary.get("crossings_limit")
            words = f"the line crosses the median only {crossings} times"
            if _finite(limit):
                words += f", fewer than chance would give (at least {format_number(limit)})"
        elif rule == "too_few_runs":
            words = f"the {weeks} stay {above} the median for longer than chance would give (too few runs)"
        elif rule == "too_many_runs":
            out.append(("neither", f"the {weeks} swap sides of the median more often than chance would give"))
            continue
        else:
            words = rule.replace("_", " ")
        out.append((_good(c.direction, side), words))
    return out


def _explain(c: _Chart, cls: str, period: str) -> str:
    """The patterns behind the last point's class, those that agree with it first."""
    found = _patterns(c, period)
    agree = [w for meaning, w in found if meaning == cls or c.direction == "neutral"]
    words = agree or [w for _, w in found]
    return " and ".join(words[:MAX_PATTERNS])


def _signal(c: _Chart, period: str) -> str:
    """The sentence about the latest point: signal, no signal, or too few points."""
    weeks = f"{period}s"
    cls = c.classes[-1] if c.classes else ""
    since = "since the last rebase" if c.rebased else "so far"
    too_few = ""
    if c.is_run and c.summary.get("too_few_points"):
        useful = c.summary.get("n_useful")
        too_few = (
            f"Too few {weeks} to judge yet: {useful} off the median {since}, "
            f"and the run-chart rules need {MIN_USEFUL_FOR_RUNS}"
        )
    elif c.length < MIN_POINTS_FOR_ICON:
        too_few = f"Too few {weeks} to judge yet: {c.length} {since}, and {MIN_POINTS_FOR_ICON} are needed"
    if too_few:
        if c.trial and not c.is_run:
            too_few += "; the usual range is a trial one"
        if cls:
            too_few += f", but watch: {_explain(c, cls, period)} (a possible {CLASS_WORDS[cls].lower()})"
        return too_few + "."
    if cls:
        return f"{CLASS_WORDS.get(cls, cls.capitalize())}: {_explain(c, cls, period)}."
    earlier = sorted({k for k in c.classes if k})
    tail = f" (earlier {weeks} on this chart show {' and '.join(earlier)})" if earlier else ""
    if c.is_run:
        return f"No sign of change: the {weeks} vary around the median as chance would{tail}."
    return f"No sign of change: the {weeks} vary within the usual range{tail}."


def _assurance(c: _Chart, aim: float | None, unit: str, scale: float, period: str) -> str:
    """The sentence about the aim: met, missed, hit and miss, or why there is no verdict."""
    weeks = f"{period}s"
    icon = c.summary.get("assurance_icon")
    if aim is None or not _finite(aim):
        if icon:
            return assurance_text(icon) + "."
        return "No aim is set for this chart."
    head = f"Aim {format_value(aim, '%' if unit.startswith('%') else '', scale)}"  # the unit's words: once
    if icon == "pass":
        return f"{head}: the whole usual range is better than the aim, so it should be met every {period} unless something changes."
    if icon == "fail":
        return f"{head}: the whole usual range is worse than the aim, so it will not be met unless something changes."
    if icon == "hit_and_miss":
        return f"{head}: it lies inside the usual range, so some {weeks} will meet it and some will not."
    if c.upper is None:
        if c.is_run:
            return f"{head}: a run chart has no usual range, so it cannot say whether the aim will be met."
        return f"{head}: this chart has no usual range yet, so it cannot say whether the aim will be met."
    if c.length < MIN_POINTS_FOR_ICON:
        return f"{head}: too few {weeks} yet to say whether it will be met."
    if c.direction == "neutral":
        return f"{head}: this measure has no better direction, so there is no verdict on it."
    return f"{head}: {assurance_text(icon)}."


def chart_reading(
    result: ChartResult | None,
    *,
    label: str,
    unit: str = "",
    scale: float = 1.0,
    aim: float | None = None,
    period: str = "week",
) -> list[str]:
    """Two or three plain sentences for a chart: the latest value, its signal, the aim.

    result: the engine's ChartResult (None or empty: one sentence saying there is no chart).
    label: the measure as people say it ('Restraint'). unit: words after a value ('per 1,000 bed
    days'), or starting with '%' for a proportion ('%' or '% of debriefs within 72 hours').
    scale: multiplies plotted values and the aim first (100 for a proportion plotted as 0..1).
    aim: the aim in plotted units (None: no aim). period: what one point is ('week').
    """
    if result is None or len(result.points) == 0:
        return [f"{label}: no {period}s to chart yet."]
    c = _Chart(result)
    first = f"{label}: {format_value(c.values[-1], unit, scale)} {_when(c.x)}."
    return [first, _signal(c, period), _assurance(c, aim, unit, scale, period)]


def reading_text(sentences: list[str]) -> str:
    """The sentences as one paragraph."""
    return " ".join(sentences)
